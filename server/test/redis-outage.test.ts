import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerHoldsKey, workshopKeys } from '../redis/hold-keys';
import { dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer, type Account, connect, watch } from './fixtures';
import { expectStatus } from './harness';
import { startPrivateRedis, type PrivateRedis } from './redis-process';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

// The server talks to a private redis-server through a TCP proxy, so the test can kill Redis
// or freeze one connection without touching the run's shared Redis.
let redis: PrivateRedis;
let proxy: TcpProxy;
let es: EngineServer;
let probe: Redis;

const COMMAND_TIMEOUT_MS = 1000;
/** Generous: the answer is due within about one command timeout. */
const ANSWER_WITHIN_MS = 4000;

beforeAll(async () => {
  redis = await startPrivateRedis();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
  es = await startEngineServer({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) } });
  probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  probe.on('error', () => undefined);
});
afterAll(async () => {
  await es?.server.close();
  probe?.disconnect();
  await proxy?.close();
  await redis?.kill();
});

/** POST /api/v1/holds that the test gives up on after ANSWER_WITHIN_MS (the fetch then throws). */
async function holdWithin(who: Account, body: { workshopId: string; serviceId: string; slotId: string }) {
  const r = await es.api.typed(who.token).POST('/api/v1/holds', { body, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  return { status: r.response.status, retryAfter: r.response.headers.get('retry-after'), data: r.data, error: r.error };
}
const myHolds = async (who: Account) => expectStatus(await es.api.typed(who.token).GET('/api/v1/holds'), 200).holds;

const serverRedisReady = async () => {
  if (es.server.redis.status !== 'ready') await once(es.server.redis, 'ready');
};
const hash = (key: string, field: string) => probe.hget(key, field).then((v) => Number(v ?? 0));

describe('Redis is down: fast 503, automatic recovery, no ghost holds', () => {
  it('Redis killed: a hold answers 503 SERVICE_UNAVAILABLE with Retry-After at once, a live watch SERVICE_UNAVAILABLE, /ready names Redis, /health answers; restarted: holds and watches work again', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const req = { workshopId: w.workshop.id, serviceId: w.service.id, slotId: slot!.id };
    const socket = await connect(es.server.url, { token: c!.token });

    await redis.kill();
    const down = await holdWithin(c!, req);
    expect(down.status, JSON.stringify(down.data)).toBe(503);
    expect(down.error!.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(down.retryAfter)).toBeGreaterThanOrEqual(1);

    const ready = await fetch(`${es.server.url}/ready`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', redis: 'down', postgres: 'ok' });
    expect((await fetch(`${es.server.url}/health`)).status).toBe(200);
    const watchDown = await watch(socket, w.workshop.id);
    expect(watchDown).toMatchObject({ ok: false, error: { code: 'SERVICE_UNAVAILABLE' } });

    await redis.restart();
    await serverRedisReady();
    const up = await holdWithin(c!, req);
    expect(up.status, JSON.stringify(up.error)).toBe(201);
    expect(await watch(socket, w.workshop.id)).toMatchObject({ ok: true });
    socket.disconnect();
    // The request answered 503 left nothing behind: only the new hold counts for the customer.
    expect((await myHolds(c!)).map((h) => h.id)).toEqual([up.data!.hold.id]);
    expect((await fetch(`${es.server.url}/ready`)).status).toBe(200);
  });

  // A frozen connection: the command reaches Redis only after the client was answered 503, and
  // the connection then drops (so nothing the server sent afterwards arrives).
  it.each([
    ['reserving the customer\'s hold quota', (customerId: string) => customerHoldsKey(es.prefix, customerId)],
    ['taking the slot', () => '"slotIds"'],
  ])('a hold command stuck while %s and delivered after the 503 takes no effect', async (_what, marker) => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const req = { workshopId: w.workshop.id, serviceId: w.service.id, slotId: slot!.id };
    const text = marker(c!.id);

    const stuck = proxy.stallOn((chunk) => chunk.includes(text));
    const answered = await holdWithin(c!, req);
    expect(answered.status, JSON.stringify(answered.data)).toBe(503);
    expect(answered.error!.error.code).toBe('SERVICE_UNAVAILABLE');
    // The server cannot reconnect (and undo anything) until the test has looked.
    proxy.stall();
    await (await stuck).deliverLateAndCut();
    if (probe.status === 'wait') await probe.connect();
    const k = workshopKeys(es.prefix, w.workshop.id);
    expect(await probe.zcard(k.expiry), 'active holds of the workshop').toBe(0);
    expect(await hash(k.slots, `h:${slot!.id}`), 'units held on the slot').toBe(0);

    // Back: nothing counts against the customer (a quota reserved in time is given back by the
    // server's undo, which was lost with the connection and is retried once it is back).
    const reconnected = once(es.server.redis, 'ready');
    proxy.resume();
    await reconnected;
    await expect.poll(() => probe.zcard(customerHoldsKey(es.prefix, c!.id)), { timeout: 3000 }).toBe(0);
    expect(await myHolds(c!)).toEqual([]);
    const again = await holdWithin(c!, req);
    expect(again.status, JSON.stringify(again.error)).toBe(201);
  });
});
