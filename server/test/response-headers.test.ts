import { describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../http/response-headers';
import { useTestServer } from './harness';

/* Every answer, success or error, JSON or not, carries the security headers and its request id. */

const ctx = useTestServer();

function expectSecured(res: Response) {
  for (const [name, value] of SECURITY_HEADERS) expect(res.headers.get(name), name).toBe(value);
  expect(res.headers.get('x-powered-by')).toBeNull();
}

describe('response headers', () => {
  it('are on a JSON answer, with a fresh request id', async () => {
    const res = await fetch(`${ctx.server.url}/api/v1/workshops?limit=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expectSecured(res);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('are on an error answer, with the caller’s request id kept when it is sane and replaced when not', async () => {
    const kept = await fetch(`${ctx.server.url}/api/v1/workshops/00000000-0000-4000-8000-000000000000`, { headers: { 'X-Request-Id': 'trace-123_abc' } });
    expect(kept.status).toBe(404);
    expectSecured(kept);
    expect(kept.headers.get('x-request-id')).toBe('trace-123_abc');
    const replaced = await fetch(`${ctx.server.url}/api/v1/holds`, { method: 'POST', headers: { 'X-Request-Id': 'bad id; with spaces', 'content-type': 'application/json' }, body: '{}' });
    expect(replaced.status).toBe(401);
    expectSecured(replaced);
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('are on the health check and on a non-JSON answer', async () => {
    expectSecured(await fetch(`${ctx.server.url}/health`));
    const metrics = await fetch(`${ctx.server.url}/openapi.json`);
    expectSecured(metrics);
  });

  it('are on answers built without a Node response (app.request)', async () => {
    const res = await ctx.server.app.request('/health');
    expectSecured(res);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
