import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { startTestServer } from './harness';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

// Both servers reach Postgres through a TCP proxy the test stalls (forwards nothing, keeps the
// sockets open: a frozen network path or a hung database).
let proxy: TcpProxy;
/** Short Postgres timeouts, a long request deadline: the store timeouts must answer. */
let timeouts: RunningServer;
/** Long Postgres timeouts, a short request deadline: the deadline must answer. */
let deadline: RunningServer;

/** Generous bound on an answer (the configured bounds below are 0.5–1 s). */
const ANSWER_WITHIN_MS = 4000;

beforeAll(async () => {
  const db = new URL(inject('databaseUrl'));
  proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  db.hostname = '127.0.0.1';
  db.port = String(proxy.port);
  [timeouts, deadline] = await Promise.all([
    startTestServer({ DATABASE_URL: db.toString(), PG_CONNECT_TIMEOUT_MS: '500', PG_ACQUIRE_TIMEOUT_MS: '500', PG_STATEMENT_TIMEOUT_MS: '500', REQUEST_DEADLINE_MS: '60000' }),
    startTestServer({ DATABASE_URL: db.toString(), PG_CONNECT_TIMEOUT_MS: '60000', PG_ACQUIRE_TIMEOUT_MS: '60000', PG_STATEMENT_TIMEOUT_MS: '60000', REQUEST_DEADLINE_MS: '1000' }),
  ]);
});
afterAll(async () => {
  proxy?.resume();
  await Promise.all([timeouts?.close(), deadline?.close()]);
  await proxy?.close();
});

const get = async (s: RunningServer, path: string) => {
  const res = await fetch(s.url + path, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
};

describe('Postgres stalls: fast 503, the process stays up, recovery is automatic', () => {
  it.each([
    ['statement, acquire and connect timeouts', () => timeouts],
    ['the request deadline', () => deadline],
  ])('%s: more calls than the pool holds all answer 503 SERVICE_UNAVAILABLE; /health answers, /ready names Postgres; after the stall calls succeed', async (_how, server) => {
    const s = server();
    expect((await get(s, '/api/workshops')).status).toBe(200);

    proxy.stall();
    try {
      // 25 > the pool's 20 connections: none of them may wait for a free one forever.
      const answers = await Promise.all(Array.from({ length: 25 }, () => get(s, '/api/workshops')));
      for (const a of answers) {
        expect(a.status, JSON.stringify(a.body)).toBe(503);
        expect(a.body.error.code).toBe('SERVICE_UNAVAILABLE');
        expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      }
      expect((await get(s, '/health')).body).toEqual({ status: 'ok' });
      const ready = await get(s, '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not_ready', postgres: 'down', redis: 'ok' });
    } finally {
      proxy.resume();
    }

    const after = await get(s, '/api/workshops');
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect((await get(s, '/ready')).status).toBe(200);
  });
});
