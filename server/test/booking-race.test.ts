import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, dayOfSlots, expectSlotInvariants, quickAccounts, quickWorkshop, redisSlots, startEngineServer, tally, together, type EngineServer } from './fixtures';

let es: EngineServer;

beforeAll(async () => {
  es = await startEngineServer();
});
afterAll(() => es?.server.close());

const bookingsOnSlot = async (slotId: string) => {
  const rows = await es.server.orm.em
    .fork()
    .getConnection()
    .execute<Array<{ id: string; customer_id: string }>>(
      'select b.id, b.customer_id from booking b join booking_slot bs on bs.booking_id = b.id where bs.slot_id = ?',
      [slotId],
    );
  return rows;
};

const hold = (c: Account, workshopId: string, serviceId: string, slotId: string) =>
  es.api.typed(c.token).POST('/api/v1/holds', { body: { workshopId, serviceId, slotId } });
const confirm = (holdId: string, who: { token: string }, key?: string) =>
  es.api.typed(who.token).POST('/api/v1/bookings', { body: { holdId }, headers: key ? { 'Idempotency-Key': key } : undefined });
type Confirmed = Awaited<ReturnType<typeof confirm>>;

// Hundreds of requests at once through one process: CPU-bound, so slow when the machine is busy.
describe('races on the last bays (real HTTP)', { timeout: 60_000 }, () => {
  it('200 customers hold a capacity-2 slot at once: exactly 2 get it, 198 get 409 SLOT_UNAVAILABLE', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 2 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const customers = await quickAccounts(es.server, 200);

    const res = await together(customers.map((c) => () => hold(c, workshop.id, service.id, slot!.id)));

    expect(tally(res, (r) => `${r.response.status} ${r.error?.error.code ?? ''}`.trim())).toEqual({ '201': 2, '409 SLOT_UNAVAILABLE': 198 });
    const winners = res.filter((r) => r.response.status === 201).map((r) => r.data!.hold.slotIds);
    expect(winners).toEqual([[slot!.id], [slot!.id]]);
    const counts = (await redisSlots(es.server, workshop.id, [slot!.id])).get(slot!.id);
    expect(counts).toMatchObject({ capacity: 2, booked: 0, held: 2, free: 0 });
    const avail = await es.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshop.id } } });
    expect(avail.data!.slots.find((s) => s.id === slot!.id)).toMatchObject({ capacity: 2, held: 2, free: 0 });
    await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
  });

  it('50 concurrent confirms over 2 valid holds (owners with and without Idempotency-Key, strangers with foreign ids) make exactly 2 bookings', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 2 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const [a, b, ...strangers] = await quickAccounts(es.server, 7);
    const ha = await hold(a!, workshop.id, service.id, slot!.id);
    const hb = await hold(b!, workshop.id, service.id, slot!.id);
    expect([ha.response.status, hb.response.status]).toEqual([201, 201]);
    const owners = [
      { who: a!, holdId: ha.data!.hold.id, key: 'race-a' },
      { who: b!, holdId: hb.data!.hold.id, key: 'race-b' },
    ];

    type Shot = { owner: 'a' | 'b' | 'stranger'; keyed: boolean; ownerOf: number; run: () => Promise<Confirmed> };
    const shots: Shot[] = [];
    owners.forEach((o, i) => {
      for (let n = 0; n < 20; n++) {
        const keyed = n % 2 === 0;
        shots.push({
          owner: i === 0 ? 'a' : 'b',
          keyed,
          ownerOf: i,
          run: () => confirm(o.holdId, o.who, keyed ? o.key : undefined),
        });
      }
    });
    strangers.forEach((s, i) => {
      for (let n = 0; n < 2; n++) {
        const target = owners[(i + n) % 2]!;
        shots.push({ owner: 'stranger', keyed: n === 0, ownerOf: (i + n) % 2, run: () => confirm(target.holdId, s, n === 0 ? target.key : undefined) });
      }
    });
    expect(shots).toHaveLength(50);
    // Interleave owners and strangers (i → 37·i mod 50 is a permutation) so nobody's requests all leave first.
    const order = shots.map((s, i) => ({ s, k: (i * 37) % 50 })).sort((x, y) => x.k - y.k).map((x) => x.s);
    shots.splice(0, shots.length, ...order);

    const res = await together(shots.map((s) => s.run));
    const results = shots.map((s, i) => ({ ...s, res: res[i]! }));

    for (const r of results) expect(r.res.response.status, JSON.stringify(r.res.error ?? r.res.data)).toBeLessThan(500);
    // Strangers never book someone else's hold: 404 while it exists, 409 HOLD_EXPIRED once it is consumed.
    for (const r of results.filter((x) => x.owner === 'stranger')) {
      expect([404, 409]).toContain(r.res.response.status);
      expect(['NOT_FOUND', 'HOLD_EXPIRED']).toContain(r.res.error!.error.code);
    }
    for (const [i, o] of owners.entries()) {
      const mine = results.filter((x) => x.owner !== 'stranger' && x.ownerOf === i);
      const created = mine.filter((x) => x.res.response.status === 201);
      expect(created, `owner ${i}: one 201`).toHaveLength(1);
      const bookingId = created[0]!.res.data!.booking.id;
      for (const x of mine.filter((m) => m.res.response.status === 200)) {
        // A replay only ever answers with the booking its key made.
        expect(x.keyed).toBe(true);
        expect(x.res.data!.booking.id).toBe(bookingId);
      }
      for (const x of mine.filter((m) => m.res.response.status !== 200 && m.res.response.status !== 201)) {
        expect(x.res.response.status).toBe(409);
        expect(x.res.error!.error.code).toBe('HOLD_EXPIRED');
      }
      expect(created[0]!.res.data!.booking.customerId).toBe(o.who.id);
    }

    const rows = await bookingsOnSlot(slot!.id);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.customer_id).sort()).toEqual([a!.id, b!.id].sort());
    const { pg, redis } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)).toEqual({ capacity: 2, booked: 2 });
    expect(redis.get(slot!.id)).toMatchObject({ booked: 2, held: 0, free: 0 });
  });

  it('10 concurrent confirms with the same Idempotency-Key return one booking id and write one row', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 2 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const h = await hold(c!, workshop.id, service.id, slot!.id);
    expect(h.response.status).toBe(201);

    const res = await together(Array.from({ length: 10 }, () => () => confirm(h.data!.hold.id, c!, 'same-key-10')));

    expect(tally(res, (r) => String(r.response.status))).toEqual({ '201': 1, '200': 9 });
    expect(new Set(res.map((r) => r.data!.booking.id)).size).toBe(1);
    const rows = await es.server.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: string }>>('select count(*) as n from booking where customer_id = ? and idempotency_key = ?', [c!.id, 'same-key-10']);
    expect(Number(rows[0]!.n)).toBe(1);
    expect(await bookingsOnSlot(slot!.id)).toHaveLength(1);
    const { pg } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)!.booked).toBe(1);
  });

  it('a 3-slot service held against 1-slot holds on its middle slot never over-takes any slot', async () => {
    const { workshop, services } = await quickWorkshop(es, { bays: 2, services: [{ durationMinutes: 90, name: 'Long job' }, { durationMinutes: 30, name: 'Short job' }] });
    const [long, short] = services;
    const day = await dayOfSlots(es.server, workshop.id, Date.now());
    const [s0, s1, s2, s3] = day;
    const ids = [s0!.id, s1!.id, s2!.id, s3!.id];
    const customers = await quickAccounts(es.server, 90);

    // 30 long jobs from s0 (s0–s2), 30 short jobs on s1, 30 long jobs from s1 (s1–s3), all at once.
    const attempts = customers.map((c, i) => {
      const kind = i % 3;
      const [svc, start] = kind === 0 ? [long!, s0!] : kind === 1 ? [short!, s1!] : [long!, s1!];
      return { c, kind, run: () => hold(c, workshop.id, svc.id, start.id) };
    });
    const res = await together(attempts.map((a) => a.run));

    for (const r of res) expect([201, 409], JSON.stringify(r.error ?? r.data)).toContain(r.response.status);
    const won = res.filter((r) => r.response.status === 201).map((r) => r.data!.hold.slotIds);
    const expectedRuns = { 0: [s0!.id, s1!.id, s2!.id], 1: [s1!.id], 2: [s1!.id, s2!.id, s3!.id] } as Record<number, string[]>;
    res.forEach((r, i) => {
      if (r.response.status === 201) expect(r.data!.hold.slotIds).toEqual(expectedRuns[attempts[i]!.kind]);
      else expect(r.error!.error.code).toBe('SLOT_UNAVAILABLE');
    });
    // Every hold covers s1, so exactly capacity (2) of them can win; all-or-nothing leaves no partial units.
    expect(won).toHaveLength(2);
    const coverage = new Map(ids.map((id) => [id, won.filter((w) => w.includes(id)).length]));
    const rs = await redisSlots(es.server, workshop.id, ids);
    for (const id of ids) {
      expect(rs.get(id)!.held, id).toBe(coverage.get(id));
      expect(rs.get(id)!.held, id).toBeLessThanOrEqual(2);
    }
    await expectSlotInvariants(es.server, workshop.id, ids, 'after holds');

    // Confirm every winning hold at once: Postgres takes them all, never beyond capacity.
    const winners = res.map((r, i) => ({ r, c: attempts[i]!.c })).filter((x) => x.r.response.status === 201);
    const confirms = await together(winners.map((w) => () => confirm(w.r.data!.hold.id, w.c)));
    expect(confirms.map((c) => c.response.status)).toEqual([201, 201]);
    const { pg } = await expectSlotInvariants(es.server, workshop.id, ids, 'after confirms');
    for (const id of ids) expect(pg.get(id)!.booked, id).toBe(coverage.get(id));

    // And a second wave against what is left (s0, s2, s3 may still have a unit) still never over-takes.
    const wave = await together(customers.slice(0, 60).map((c, i) => () => hold(c, workshop.id, (i % 2 ? short : long)!.id, (i % 2 ? s0 : s1)!.id)));
    for (const r of wave) expect([201, 409]).toContain(r.response.status);
    await expectSlotInvariants(es.server, workshop.id, ids, 'after second wave');
  });
});
