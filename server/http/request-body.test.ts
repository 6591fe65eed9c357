import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from './context';
import { onError } from './on-error';
import { requestBody } from './request-body';

const LIMIT = 64;
let server: ServerType;
let port = 0;

/** Sends `chunks` as the body: with a Content-Length, or chunked (no length) when `chunked`. */
function send(path: string, chunks: string[], chunked: boolean): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = Buffer.byteLength(chunks.join(''));
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

beforeAll(async () => {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.use('/api/*', requestBody(LIMIT));
  // The route reads the body again, as the validators do: the text read by the guard is reused.
  app.post('/api/echo', async (c) => c.json({ got: await c.req.json() }, 201));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('request body guard', () => {
  for (const chunked of [false, true]) {
    const how = chunked ? 'chunked' : 'with a length';
    it(`passes a small JSON body to the route (${how})`, async () => {
      const r = await send('/api/echo', ['{"a":', '"b"}'], chunked);
      expect(r).toEqual({ status: 201, body: { got: { a: 'b' } } });
    });
    it(`answers 413 for a body over the limit (${how})`, async () => {
      const r = await send('/api/echo', [`{"a":"${'x'.repeat(40)}`, `${'y'.repeat(40)}"}`], chunked);
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });
    it(`answers 400 for a NUL escape in the JSON (${how})`, async () => {
      const r = await send('/api/echo', ['{"a":"x\\u0000y"}'], chunked);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    });
  }
  it('an escaped backslash before u0000 is ordinary text', async () => {
    const r = await send('/api/echo', ['{"a":"x\\\\u0000y"}'], false);
    expect(r).toEqual({ status: 201, body: { got: { a: 'x\\u0000y' } } });
  });
});
