import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { type Account, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';

/*
 * Quality metrics against a dataset with known answers: bookings and their events written
 * straight into Postgres at chosen times, ratings set on the workshop. Then the admin's queue
 * (breaches explained, insurance flags), dismissals (audited; back on a new flag or after 30
 * days) and who may read what.
 *
 * The clock is in 2099: the verification-record file's sweeps (2098) lapse none of these
 * workshops, and this file runs no sweep (the lapsed workshop is written as the sweep leaves it).
 */
const T = Date.UTC(2099, 2, 1, 12); // 1 March 2099, noon in London
const MIN = 60_000;
const DAY = 86_400_000;
const clock = manualClock(T);
let es: EngineServer;
let bad: Awaited<ReturnType<typeof quickWorkshop>>;
let good: Awaited<ReturnType<typeof quickWorkshop>>;
let expiring: Awaited<ReturnType<typeof quickWorkshop>>;
let lapsed: Awaited<ReturnType<typeof quickWorkshop>>;
let customer: Account;
let admin: Account;

const exec = (sql: string, params: unknown[] = []) => es.server.orm.em.getConnection().execute(sql, params as never[]);

type Step = [type: string, role: 'customer' | 'vendor' | 'system' | 'admin', afterMinutes: number];

/** One booking requested at `at` with its events (minutes after the request), as the engine would have written them. */
async function booking(ws: typeof bad, at: number, status: string, steps: Step[]) {
  const start = new Date(at + 2 * DAY);
  const [slot] = await exec(
    `insert into slot (id, workshop_id, starts_at, ends_at, capacity, booked) values (?, ?, ?, ?, 2, 0)
     on conflict (workshop_id, starts_at) do update set capacity = slot.capacity returning id`,
    [randomUUID(), ws.workshop.id, start, new Date(start.getTime() + 30 * MIN)],
  ) as Array<{ id: string }>;
  const id = randomUUID();
  await exec(
    `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status,
       price_cents, currency, options, vehicle, notes, version, accept_deadline, created_at, updated_at)
     values (?, ?, ?, ?, ?, 1, ?, ?, ?, 5000, 'GBP', '{}'::jsonb, '{"registration":"QU41 ITY"}'::jsonb, null, 1, null, ?, ?)`,
    [id, customer.id, ws.workshop.id, ws.service.id, slot!.id, start, new Date(start.getTime() + 30 * MIN), status, new Date(at), new Date(at)],
  );
  const actor = (role: Step[1]) => (role === 'customer' ? customer.id : role === 'vendor' ? ws.vendor.id : role === 'admin' ? admin.id : null);
  for (const [type, role, after] of [['requested', 'customer', 0] as Step, ...steps]) {
    await exec('insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data) values (?, ?, ?, ?, ?, ?, null)', [randomUUID(), id, type, actor(role), role, new Date(at + after * MIN)]);
  }
}

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  [bad, good, expiring, lapsed] = await Promise.all([quickWorkshop(es), quickWorkshop(es), quickWorkshop(es), quickWorkshop(es)]);
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  admin = bad.admin;

  const ago = (days: number) => T - days * DAY;
  // 8 completed, each accepted by the vendor after 30 min.
  for (let i = 0; i < 8; i++) await booking(bad, ago(10 + i), 'completed', [['accepted', 'vendor', 30], ['started', 'vendor', 2880], ['completed', 'vendor', 2910]]);
  // Auto-accepted and completed: completed and accepted, but not a response.
  await booking(bad, ago(20), 'completed', [['accepted', 'system', 0], ['completed', 'vendor', 2910]]);
  await booking(bad, ago(21), 'declined', [['declined', 'vendor', 200]]);
  await booking(bad, ago(22), 'expired', [['expired', 'system', 240]]);
  // Cancelled by the workshop after accepting (slowly).
  await booking(bad, ago(23), 'cancelled', [['accepted', 'vendor', 300], ['cancelled', 'vendor', 400]]);
  await booking(bad, ago(24), 'cancelled', [['accepted', 'vendor', 300], ['cancelled', 'vendor', 500]]);
  // Cancelled by the customer and by an admin: not the workshop's doing.
  await booking(bad, ago(25), 'cancelled', [['accepted', 'vendor', 10], ['cancelled', 'customer', 100]]);
  await booking(bad, ago(26), 'cancelled', [['accepted', 'vendor', 60], ['cancelled', 'admin', 100]]);
  // Requested before the 90-day window: not counted at all.
  await booking(bad, ago(91), 'declined', [['declined', 'vendor', 5000]]);
  await exec('update workshop set rating_avg = 2.5, rating_count = 12 where id = ?', [bad.workshop.id]);

  // A good workshop: quick answers, everything completed, well rated.
  for (let i = 0; i < 10; i++) await booking(good, ago(5 + i), 'completed', [['accepted', 'vendor', 5 + i], ['completed', 'vendor', 2910]]);
  await exec('update workshop set rating_avg = 4.8, rating_count = 20 where id = ?', [good.workshop.id]);

  // Insurance ends in 10 days: still verified, flagged.
  expect((await es.api.patch(`/api/v1/workshops/${expiring.workshop.id}`, { insuranceExpiresOn: '2099-03-11' }, expiring.vendor.token)).status).toBe(200);
  // Lapsed: what the sweep leaves behind (pending, a 'lapsed' row by the system).
  await exec(`update workshop set insurance_expires_on = '2099-02-20', status = 'pending' where id = ?`, [lapsed.workshop.id]);
  await exec(`insert into workshop_verification (id, workshop_id, action, registration_number, insurance_expires_on, by_id, reason, created_at) values (?, ?, 'lapsed', 'GB-01234567', '2099-02-20', null, 'Insurance expired on 2099-02-20', ?)`, [randomUUID(), lapsed.workshop.id, new Date(T)]);
});
afterAll(() => es?.server.close());

const queue = async () => {
  const r = await es.api.get('/api/admin/quality/queue', admin.token);
  expect(r.status).toBe(200);
  return r.body.workshops as Array<{ workshop: { id: string }; breaches: Array<{ key: string; detail: string }>; insurance: unknown; metrics: unknown }>;
};
const inQueue = async (id: string) => (await queue()).find((w) => w.workshop.id === id);

describe('quality metrics', () => {
  it('computes each metric exactly from booking events over the window', async () => {
    const r = await es.api.get(`/api/v1/workshops/${bad.workshop.id}/quality`, bad.vendor.token);
    expect(r.status).toBe(200);
    expect(r.body.quality.metrics).toEqual({
      // completed 9 / (9 completed + 1 declined + 1 expired + 2 cancelled by the workshop)
      completionRate: 9 / 13, finished: 13,
      // 13 answers by hand: 10, 30 ×8, 60, 200, 300, 300 → the 7th is 30
      medianResponseMinutes: 30, responses: 13,
      // 2 cancelled by the workshop / 13 accepted (auto-accept included)
      workshopCancellationRate: 2 / 13, accepted: 13,
      rating: 2.5, reviews: 12,
    });
    expect(r.body.quality.breaches.map((b: { key: string }) => b.key)).toEqual(['rating', 'completion', 'cancellation']);
    expect(r.body.quality.since).toBe(new Date(T - 90 * DAY).toISOString());
    expect(r.body.quality.thresholds).toMatchObject({ minRating: 3, minReviews: 10, windowDays: 90 });

    const g = (await es.api.get(`/api/v1/workshops/${good.workshop.id}/quality`, admin.token)).body.quality;
    expect(g.metrics).toEqual({ completionRate: 1, finished: 10, medianResponseMinutes: 9.5, responses: 10, workshopCancellationRate: 0, accepted: 10, rating: 4.8, reviews: 20 });
    expect(g.breaches).toEqual([]);
  });

  it('only the owner and admins read a workshop\'s metrics', async () => {
    const path = `/api/v1/workshops/${bad.workshop.id}/quality`;
    expect((await es.api.get(path, admin.token)).status).toBe(200);
    expect((await es.api.get(path, good.vendor.token)).status).toBe(403);
    expect((await es.api.get(path, customer.token)).status).toBe(403);
    expect((await es.api.get(path)).status).toBe(401);
    expect((await es.api.get('/api/v1/workshops/00000000-0000-4000-8000-000000000000/quality', admin.token)).status).toBe(404);
  });
});

describe('admin quality queue', () => {
  it('lists breaching verified workshops with each breach explained, and insurance expiring or lapsed', async () => {
    const q = await queue();
    const badRow = q.find((w) => w.workshop.id === bad.workshop.id)!;
    expect(badRow.breaches).toEqual([
      { key: 'rating', detail: 'Rating 2.50 over 12 reviews (flagged below 3.0 over at least 10)' },
      { key: 'completion', detail: 'Completed 69.2% of 13 finished requests (flagged below 80% over at least 10)' },
      { key: 'cancellation', detail: 'Workshop cancelled 15.4% of 13 accepted bookings (flagged above 10% over at least 10)' },
    ]);
    expect(badRow.insurance).toBeNull();
    expect(q.find((w) => w.workshop.id === good.workshop.id)).toBeUndefined();
    expect(q.find((w) => w.workshop.id === expiring.workshop.id)).toMatchObject({ breaches: [], insurance: { state: 'expiring', expiresOn: '2099-03-11' } });
    expect(q.find((w) => w.workshop.id === lapsed.workshop.id)).toMatchObject({ workshop: { status: 'pending' }, breaches: [], insurance: { state: 'lapsed', expiresOn: '2099-02-20' } });
  });

  it('only admins read the queue and dismiss', async () => {
    for (const token of [bad.vendor.token, customer.token]) {
      expect((await es.api.get('/api/admin/quality/queue', token)).status).toBe(403);
      expect((await es.api.post(`/api/admin/quality/${bad.workshop.id}/dismiss`, { reason: 'Looks fine to me' }, token)).status).toBe(403);
    }
    expect((await es.api.get('/api/admin/quality/queue')).status).toBe(401);
    expect((await es.api.post(`/api/admin/quality/${bad.workshop.id}/dismiss`, { reason: 'Looks fine to me' })).status).toBe(401);
    expect((await es.api.post(`/api/admin/quality/${bad.workshop.id}/dismiss`, { reason: 'ok' }, admin.token)).status).toBe(400);
    expect((await es.api.post(`/api/admin/quality/${bad.workshop.id}/dismiss`, {}, admin.token)).status).toBe(400);
    expect((await es.api.post('/api/admin/quality/00000000-0000-4000-8000-000000000000/dismiss', { reason: 'Looks fine to me' }, admin.token)).status).toBe(404);
    const notQueued = await es.api.post(`/api/admin/quality/${good.workshop.id}/dismiss`, { reason: 'Nothing to dismiss' }, admin.token);
    expect(notQueued.status).toBe(409);
    expect(await inQueue(bad.workshop.id)).toBeDefined();
  });

  it('a dismissal hides the workshop for 30 days, audited with its reason', async () => {
    const reason = 'Spoke to the owner: a new manager started in February';
    expect((await es.api.post(`/api/admin/quality/${bad.workshop.id}/dismiss`, { reason }, admin.token)).status).toBe(204);
    expect(await inQueue(bad.workshop.id)).toBeUndefined();
    const audit = (await es.api.get(`/api/admin/audit?targetType=workshop&targetId=${bad.workshop.id}`, admin.token)).body.entries;
    expect(audit[0]).toMatchObject({ action: 'workshop.quality_dismiss', reason, actor: { id: admin.id } });

    clock.set(T + 29 * DAY);
    expect(await inQueue(bad.workshop.id)).toBeUndefined();
    clock.set(T + 30 * DAY + MIN);
    expect((await inQueue(bad.workshop.id))?.breaches.map((b) => b.key)).toEqual(['rating', 'completion', 'cancellation']);
    clock.set(T);
  });

  it('a new flag brings a dismissed workshop back at once', async () => {
    expect((await es.api.post(`/api/admin/quality/${bad.workshop.id}/dismiss`, { reason: 'Still looking into it' }, admin.token)).status).toBe(204);
    expect(await inQueue(bad.workshop.id)).toBeUndefined();
    // Its insurance now ends within 30 days: a flag the dismissal did not cover.
    expect((await es.api.patch(`/api/v1/workshops/${bad.workshop.id}`, { insuranceExpiresOn: '2099-03-20' }, bad.vendor.token)).status).toBe(200);
    expect(await inQueue(bad.workshop.id)).toMatchObject({ insurance: { state: 'expiring', expiresOn: '2099-03-20' } });
  });
});
