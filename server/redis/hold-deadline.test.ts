import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { manualClock } from '../domain/clock';
import { createHoldStore, LateCommandError } from './hold-store';
import { uid } from './redis-test-kit';

/*
 * Hold scripts refuse to act after their deadline (the caller was answered 503 by then); the
 * deadline is compared with Redis's clock. A process whose clock disagrees with Redis's (a
 * skewed host, or a test's moved system clock) must still be able to hold.
 */

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.quit());
afterEach(() => vi.useRealTimers());

describe('hold deadlines across clocks', () => {
  for (const skewDays of [-40, 40]) {
    it(`holds work when this process's clock is ${Math.abs(skewDays)} days ${skewDays < 0 ? 'behind' : 'ahead of'} Redis's`, async () => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + skewDays * 86_400_000 });
      const clock = manualClock(Date.now());
      const store = createHoldStore({ redis, prefix: `${inject('redisPrefix')}dl-${uid('p')}:`, clock, commandTimeoutMs: 500 });
      const r = await store.hold({ workshopId: uid('w'), serviceId: 'svc', customerId: uid('c'), slots: [{ slotId: uid('s'), capacity: 1, booked: 0 }], ttlMs: 60_000, maxActivePerCustomer: 3 });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect((await store.release(r.hold.id, r.hold.customerId)).ok).toBe(true);
    });
  }
});

describe('hold deadlines when measuring the clocks is slow one way', () => {
  it('a hold script reaching Redis after the caller\'s timeout is refused even if every TIME request took 600 ms to arrive and its reply none', async () => {
    const conn = new Redis(inject('redisUrl'));
    try {
      await conn.ping(); // ready before the store exists, so only its own first measurement runs
      const time = conn.time.bind(conn);
      // The asymmetry a loaded host or a busy proxy can cause: half the round trip is no estimate.
      conn.time = (async () => {
        await sleep(600);
        return time();
      }) as typeof conn.time;
      const store = createHoldStore({ redis: conn, prefix: `${inject('redisPrefix')}dl-${uid('p')}:`, clock: manualClock(Date.now()), commandTimeoutMs: 300 });
      const hfHold = conn.hfHold.bind(conn);
      // The hold script (its deadline already computed) reaches Redis 450 ms later: after the 300 ms timeout.
      conn.hfHold = (async (...args: Parameters<typeof hfHold>) => {
        await sleep(450);
        return hfHold(...args);
      }) as typeof conn.hfHold;
      const late = store.hold({ workshopId: uid('w'), serviceId: 'svc', customerId: uid('c'), slots: [{ slotId: uid('s'), capacity: 1, booked: 0 }], ttlMs: 60_000, maxActivePerCustomer: 3 });
      await expect(late).rejects.toBeInstanceOf(LateCommandError);
    } finally {
      conn.disconnect();
    }
  });
});
