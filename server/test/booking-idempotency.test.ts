import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingStore } from '../domain/booking-ports';
import { expectStatus } from './harness';
import { dayOfSlots, expectSlotInvariants, holdAs, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';

let es: EngineServer;
beforeAll(async () => {
  es = await startEngineServer();
});
afterAll(() => es?.server.close());

const confirm = (holdId: string, token: string, key?: string) =>
  es.api.typed(token).POST('/api/v1/bookings', { body: { holdId }, headers: key ? { 'Idempotency-Key': key } : undefined });

/** Counts the key look-ups the confirm makes (the domain services share this very store object). */
async function countingKeyLookups<T>(body: () => Promise<T>): Promise<{ result: T; lookups: number }> {
  const store: BookingStore = es.server.services.stores.bookings;
  const original = store.findByIdempotencyKey;
  let lookups = 0;
  store.findByIdempotencyKey = (...args) => {
    lookups++;
    return original.apply(store, args);
  };
  try {
    return { result: await body(), lookups };
  } finally {
    store.findByIdempotencyKey = original;
  }
}

describe('Idempotency-Key on confirm', () => {
  it('an unknown hold with a key is refused at once (409 HOLD_EXPIRED) after one key look-up, no polling for a twin', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const { result, lookups } = await countingKeyLookups(() => confirm('00000000-0000-4000-8000-000000000000', c!.token, 'unknown-hold'));
    expect(result.response.status).toBe(409);
    expect(result.error!.error.code).toBe('HOLD_EXPIRED');
    expect(lookups).toBe(1);
  });

  it('a twin with the same key arriving while the first is between its consume and its COMMIT waits for it and replays', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const holdId = await holdAs(es, w, c!, slot!.id);
    const store: BookingStore = es.server.services.stores.bookings;
    const original = store.create;
    const originalFind = store.findByIdempotencyKey;
    let reached!: () => void;
    const atCommit = new Promise<void>((r) => (reached = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    // The first confirm stops after consuming the hold, before its COMMIT, until the twin has been sent.
    store.create = (b, beforeCommit) => original.call(store, b, async () => {
      await beforeCommit?.();
      reached();
      await gate;
    });
    // The COMMIT is let go once the twin is waiting for it in Postgres (or, without that wait, once the twin answered).
    store.findByIdempotencyKey = (customerId, key, notBefore, opts) => {
      const found = originalFind.call(store, customerId, key, notBefore, opts);
      if (opts?.awaitRacer) setImmediate(open);
      return found;
    };
    try {
      const first = confirm(holdId, c!.token, 'k-twin');
      await atCommit;
      // The hold is already consumed; the first confirm's COMMIT follows once the twin is on its way.
      const twin = confirm(holdId, c!.token, 'k-twin');
      void twin.finally(open);
      const [a, b] = await Promise.all([first, twin]);
      expect(a.response.status).toBe(201);
      expect(b.response.status, JSON.stringify(b.error ?? b.data)).toBe(200);
      expect(b.data!.booking.id).toBe(a.data!.booking.id);
    } finally {
      store.create = original;
      store.findByIdempotencyKey = originalFind;
    }
  });

  it('replays the same booking; the key for another hold is 422 IDEMPOTENCY_KEY_REUSED and that hold is untouched', async () => {
    const w = await quickWorkshop(es, { bays: 2 });
    const [s0, s1] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const holdId = await holdAs(es, w, c!, s0!.id);
    const first = await confirm(holdId, c!.token, 'k-replay');
    expect(first.response.status).toBe(201);
    const again = await confirm(holdId, c!.token, 'k-replay');
    expect(again.response.status).toBe(200);
    expect(again.data!.booking.id).toBe(first.data!.booking.id);

    const other = await holdAs(es, w, c!, s1!.id);
    const reused = await confirm(other, c!.token, 'k-replay');
    expect(reused.response.status).toBe(422);
    expect(reused.error!.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await redisSlots(es.server, w.workshop.id, [s1!.id])).get(s1!.id)).toMatchObject({ booked: 0, held: 1 });
    await expectSlotInvariants(es.server, w.workshop.id, [s0!.id, s1!.id]);
  });

  it('a key older than 24 hours no longer replays and may confirm a new hold', async () => {
    const w = await quickWorkshop(es, { bays: 2 });
    const [s0, s1] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const oldHold = await holdAs(es, w, c!, s0!.id);
    const first = await confirm(oldHold, c!.token, 'k-day');
    expect(first.response.status).toBe(201);
    // The key was reserved 25 hours before the server's clock (relative to its own stamp: no wall clock here).
    await es.server.orm.em.fork().getConnection().execute(
      `update idempotency_key set created_at = created_at - interval '25 hours' where customer_id = ? and key = ?`,
      [c!.id, 'k-day'],
    );

    const late = await confirm(oldHold, c!.token, 'k-day');
    expect(late.response.status).toBe(409);
    expect(late.error!.error.code).toBe('HOLD_EXPIRED');
    const fresh = await confirm(await holdAs(es, w, c!, s1!.id), c!.token, 'k-day');
    expect(fresh.response.status, JSON.stringify(fresh.error ?? fresh.data)).toBe(201);
    expect(fresh.data!.booking.id).not.toBe(first.data!.booking.id);
    await expectSlotInvariants(es.server, w.workshop.id, [s0!.id, s1!.id]);
  });

  it('the hourly purge deletes only keys past their 24 hours', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const w = await quickWorkshop(es, { bays: 2 });
    const [s0, s1] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    expect((await confirm(await holdAs(es, w, c!, s0!.id), c!.token, 'k-old')).response.status).toBe(201);
    expect((await confirm(await holdAs(es, w, c!, s1!.id), c!.token, 'k-new')).response.status).toBe(201);
    const db = es.server.orm.em.fork().getConnection();
    await db.execute(`update idempotency_key set created_at = created_at - interval '25 hours' where customer_id = ? and key = 'k-old'`, [c!.id]);

    expect(await es.server.services.bookings.purgeExpiredKeys()).toBeGreaterThanOrEqual(1);
    const left = await db.execute<Array<{ key: string }>>('select key from idempotency_key where customer_id = ? order by key', [c!.id]);
    expect(left.map((r) => r.key)).toEqual(['k-new']);
  });
});

describe('a service changed between hold and confirm', () => {
  it('a price raised after the hold does not reach the booking: it costs what was quoted when holding', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const holdId = await holdAs(es, w, c!, slot!.id);
    const onService = { params: { path: { id: w.workshop.id, serviceId: w.service.id } } };
    const raised = await es.api.typed(w.vendor.token).PATCH('/api/v1/workshops/{id}/services/{serviceId}', { ...onService, body: { basePriceCents: 9000 } });
    expect(raised.response.status, JSON.stringify(raised.error ?? raised.data)).toBe(200);
    expect(raised.data!.service.basePriceCents).toBe(9000);

    const res = await confirm(holdId, c!.token);
    expect(res.response.status).toBe(201);
    expect(res.data!.booking).toMatchObject({ priceCents: 5000, currency: 'GBP' });
  });

  it('is refused with 409 SERVICE_RETIRED, books nothing and gives the held unit back at once', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const holdId = await holdAs(es, w, c!, slot!.id);
    const onService = { params: { path: { id: w.workshop.id, serviceId: w.service.id } } };
    expect((await es.api.typed(w.vendor.token).DELETE('/api/v1/workshops/{id}/services/{serviceId}', onService)).response.status).toBe(204);

    const res = await confirm(holdId, c!.token, 'k-retired');
    expect(res.response.status).toBe(409);
    expect(res.error!.error.code).toBe('SERVICE_RETIRED');
    const asCustomer = es.api.typed(c!.token);
    expect(expectStatus(await asCustomer.GET('/api/v1/bookings'), 200).bookings).toEqual([]);
    expect(expectStatus(await asCustomer.GET('/api/v1/holds'), 200).holds).toEqual([]);
    const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)!.booked).toBe(0);
    expect(redis.get(slot!.id)).toMatchObject({ booked: 0, held: 0, free: 1 });
  });
});
