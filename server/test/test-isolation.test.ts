import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '../domain/clock';
import type { RunningServer } from '../runtime';
import { bookAs, dayOfSlots, holdAs, quickAccounts, quickWorkshop, type EngineServer } from './fixtures';
import { apiClient, startTestServer } from './harness';

/*
 * Test files run in parallel on one database and one Redis: a test server must not touch what
 * other files' servers made, even with its clock days ahead (as slots.test.ts's is).
 */

const SWEEP_MS = 20;
const DAY = 86_400_000;
let mine: EngineServer;
const others: RunningServer[] = [];

beforeAll(async () => {
  // Made like every other file's server (startTestServer's defaults), not with an explicit prefix.
  const server = await startTestServer();
  mine = { server, api: apiClient(server.url), prefix: server.env.REDIS_PREFIX };
});
afterAll(async () => {
  await Promise.all(others.map((s) => s.close()));
  await mine?.server.close();
});

describe('test servers keep to themselves', () => {
  it('every test server gets its own Redis prefix under the run\'s prefix', async () => {
    const [a, b] = await Promise.all([startTestServer(), startTestServer()]);
    others.push(a, b);
    const run = inject('redisPrefix');
    expect(a.env.REDIS_PREFIX.startsWith(run) && a.env.REDIS_PREFIX !== run).toBe(true);
    expect(b.env.REDIS_PREFIX.startsWith(run) && b.env.REDIS_PREFIX !== run).toBe(true);
    expect(a.env.REDIS_PREFIX).not.toBe(b.env.REDIS_PREFIX);
  });

  it('servers with clocks two days ahead, sweeping every 20 ms when asked, neither expire another file\'s pending booking nor sweep its hold', async () => {
    const w = await quickWorkshop(mine, { bays: 2, acceptSlaMinutes: 30 });
    const [c] = await quickAccounts(mine.server, 1);
    const [s1, s2] = await dayOfSlots(mine.server, w.workshop.id, Date.now());
    const booking = await bookAs(mine, w, c!, s1!.id);
    expect(booking.status).toBe('pending');
    const holdId = await holdAs(mine, w, c!, s2!.id);

    const ahead = manualClock(Date.now() + 2 * DAY);
    const env = { SWEEP_INTERVAL_MS: String(SWEEP_MS), SLA_SWEEP_INTERVAL_MS: String(SWEEP_MS) };
    // Default options (no sweepers), and the hold sweeper alone (confined to its own prefix).
    others.push(...(await Promise.all([startTestServer(env, { clock: ahead }), startTestServer(env, { clock: ahead, sweepers: 'holds' })])));
    // Proving that something does NOT happen takes time: 25 sweep intervals.
    await sleep(SWEEP_MS * 25);

    const after = await mine.api.typed(c!.token).GET('/api/v1/bookings/{id}', { params: { path: { id: booking.id } } });
    expect(after.data?.booking.status, JSON.stringify(after.error)).toBe('pending');
    expect(await mine.server.holdStore.findHold(holdId)).not.toBeNull();
  });
});
