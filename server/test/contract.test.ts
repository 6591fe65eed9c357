// The alias test stays raw: /api/… and /api/v2/… are not paths of the generated contract (/api/v1/… only).
import { readFileSync } from 'node:fs';
import { createRoute } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { holdViewSchema } from '@shared/schemas/booking';
import { CONTRACT_TYPES_PATH, contractDocument, contractTypes, storelessApp } from '../http/contract-document';
import { errors, noContent, ok } from '../http/responses';
import { createRouter } from '../http/router';
import { useTestServer } from './harness';

const t = useTestServer();

type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };

describe('the published contract', () => {
  it('shared/api/openapi.d.ts is generated from the current routes (else run `npm run contract:gen`)', async () => {
    expect(readFileSync(CONTRACT_TYPES_PATH, 'utf8'), 'stale: run `npm run contract:gen` and commit the result').toBe(await contractTypes());
  });

  it('/openapi.json is the generated document and declares a body schema for every answer of every operation', async () => {
    const served = await (await fetch(`${t.server.url}/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(JSON.stringify(contractDocument())));
    const operations = Object.entries(served.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(30);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(path, where).toMatch(/^\/api\/v1\//);
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2')), `${where} declares a success`).toBe(true);
      for (const status of statuses) {
        const content = op.responses[status]!.content ?? {};
        const schema = content['application/json']?.schema;
        // A file answer (text/calendar, text/csv) declares its media type with a string body instead.
        const fileType = Object.keys(content).find((t) => t !== 'application/json');
        if (fileType && !schema && status.startsWith('2')) expect(content[fileType]!.schema, `${where} ${status} ${fileType}`).toMatchObject({ type: 'string' });
        // 204, and 202 (accepted, e.g. a mail on its way): no body.
        else if (status === '204' || status === '202') expect(schema, `${where} ${status}`).toBeUndefined();
        else if (Number(status) >= 400) expect(schema, `${where} ${status}`).toEqual({ $ref: '#/components/schemas/ApiError' });
        else expect(schema, `${where} ${status}`).toBeTypeOf('object');
      }
    }
  });

  it('serves every route under /api/v1 and keeps /api as its alias', async () => {
    const [v1, alias] = await Promise.all([t.api.get('/api/v1/workshops?city=Nowhere-v1'), t.api.get('/api/workshops?city=Nowhere-v1')]);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ workshops: [], total: 0, nextCursor: null });
    expect(alias.status).toBe(200);
    expect(alias.body).toEqual(v1.body);
    expect((await t.api.get('/api/v1/me')).body.error.code).toBe('UNAUTHENTICATED');
    expect((await t.api.get('/api/v2/workshops')).status).toBe(404);
  });
});

describe('the test-only response check', () => {
  const serviceId = crypto.randomUUID();
  const validHold = { id: crypto.randomUUID(), workshopId: crypto.randomUUID(), serviceId, serviceIds: [serviceId], slotIds: [], expiresAt: new Date(0).toISOString(), extensions: 0, options: {}, serviceOptions: { [serviceId]: {} }, priceCents: null };
  const answers: Record<string, [unknown, number]> = {
    ok: [{ hold: validHold }, 200],
    leak: [{ hold: { ...validHold, customerEmail: 'a@b.c' } }, 200],
    missing: [{ hold: { id: validHold.id } }, 200],
    undeclared: [{ hold: validHold }, 201],
    'bad-error': [{ message: 'not our error shape' }, 409],
    conflict: [{ error: { code: 'CONFLICT', message: 'already there' } }, 409],
    'undeclared-error': [{ error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'not on this route' } }, 422],
  };
  /** One route that answers whatever its `kind` says, declared like the real ones. */
  const lyingApp = (checkResponses: boolean) =>
    storelessApp({
      checkResponses,
      extend: (app) => {
        const r = createRouter();
        r.openapi(
          createRoute({ method: 'get', path: '/lying/{kind}', request: { params: z.object({ kind: z.string() }) }, responses: { 200: ok(z.strictObject({ hold: holdViewSchema }), 'a hold'), 204: noContent('nothing'), ...errors({ 409: 'CONFLICT' }) } }),
          ((c: { req: { param: (k: string) => string }; json: (b: unknown, s: number) => Response; body: (b: string, s: number) => Response }) => {
            const kind = c.req.param('kind');
            if (kind === 'body-on-204') return c.body('surprise', 204);
            const [body, status] = answers[kind]!;
            return c.json(body, status);
          }) as never,
        );
        app.route('/api', r);
      },
    });

  it('passes answers that match their declaration through untouched', async () => {
    const res = await lyingApp(true).request('/api/v1/lying/ok');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hold: validHold });
    const conflict = await lyingApp(true).request('/api/v1/lying/conflict');
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual(answers.conflict![0]);
  });

  it.each([
    ['leak', 'Unrecognized key: "customerEmail"'],
    ['missing', 'workshopId'],
    ['undeclared', 'status 201 is not declared by GET /lying/{kind}'],
    ['bad-error', 'the 409 error body does not match its schema'],
    ['undeclared-error', 'status 422 is not declared by GET /lying/{kind}'],
  ])('answers 500 CONTRACT_VIOLATION when a handler breaks its contract (%s)', async (kind, says) => {
    const res = await lyingApp(true).request(`/api/v1/lying/${kind}`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CONTRACT_VIOLATION');
    expect(body.error.message).toContain(says);
  });

  it('is off outside tests: the same leak goes out unchecked', async () => {
    const res = await lyingApp(false).request('/api/v1/lying/leak');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { hold: Record<string, unknown> }).hold.customerEmail).toBe('a@b.c');
  });
});
