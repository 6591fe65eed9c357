import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { register, connect, disconnected, filePrefix } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

/*
 * Two processes on one database and Redis, as `npm start` twice or a scaled deployment runs:
 * no JWT_SECRET configured (outside production), and a recheck window far longer than the
 * test, so whatever one process learns of an ended session it learns from the other at once.
 */

let a: RunningServer;
let b: RunningServer;
let apiA: ApiClient;
let apiB: ApiClient;

beforeAll(async () => {
  const env = { REDIS_PREFIX: filePrefix('sessions-cluster'), JWT_SECRET: '', SESSION_RECHECK_MS: '60000' };
  [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

describe('sessions across processes', () => {
  it('agree on a secret nobody configured: each accepts the other\'s tokens', async () => {
    const onA = await register(apiA, 'customer');
    const onB = await register(apiB, 'customer');
    expect((await apiB.typed(onA.token).GET('/api/v1/me')).response.status).toBe(200);
    expect((await apiA.typed(onB.token).GET('/api/v1/me')).response.status).toBe(200);
  });

  it('a logout in one process ends the session in the other at once, and closes its sockets there', async () => {
    const user = await register(apiA, 'customer');
    expect((await apiB.typed(user.token).GET('/api/v1/me')).response.status).toBe(200); // B now has the session cached
    const socket = await connect(b.url, { token: user.token });
    try {
      const reason = disconnected(socket);
      expect((await apiA.typed(user.token).POST('/api/v1/auth/logout')).response.status).toBe(204);
      expect(await reason).toBe('io server disconnect');
      expect((await apiB.typed(user.token).GET('/api/v1/me')).response.status).toBe(401);
    } finally {
      socket.close();
    }
  });
});
