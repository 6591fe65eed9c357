import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotRow } from '../domain/catalog-ports';
import { publicName } from '../db/review.repository';
import { manualClock } from '../domain/clock';
import { type Account, bookAs, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';

// A manual clock: jobs are started and completed at their booked time, not days early.
const clock = manualClock();
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let day: SlotRow[];
let customer: Account;
let stranger: Account;
let nextSlot = 0;

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  ws = await quickWorkshop(es, { bays: 3 });
  day = await dayOfSlots(es.server, ws.workshop.id, clock.now(), 2);
  [customer, stranger] = (await quickAccounts(es.server, 2)) as [Account, Account];
});
afterAll(() => es?.server.close());

const book = (who: Account = customer) => bookAs(es, ws, who, day[nextSlot++]!.id);

async function completed(who: Account = customer) {
  const b = await book(who);
  const now = clock.now();
  for (const action of ['accept', 'start', 'complete']) {
    if (action === 'start') clock.set(Date.parse(b.startsAt));
    expect((await es.api.post(`/api/bookings/${b.id}/${action}`, undefined, ws.vendor.token)).status).toBe(200);
  }
  clock.set(now);
  return b;
}

const review = (id: string, body: unknown, who: Account = customer) => es.api.post(`/api/bookings/${id}/review`, body, who.token);
const rating = async () => {
  const w = (await es.api.get(`/api/workshops/${ws.workshop.id}`)).body.workshop;
  return { avg: w.ratingAvg, count: w.ratingCount };
};

describe('reviews', () => {
  it('the customer of a completed booking reviews it once; the workshop rating follows; the public sees first name and initial', async () => {
    const b1 = await completed();
    const r1 = await review(b1.id, { rating: 5, text: '  Quick and friendly  ' });
    expect(r1.status, JSON.stringify(r1.body)).toBe(201);
    expect(r1.body.review).toMatchObject({ bookingId: b1.id, workshopId: ws.workshop.id, rating: 5, text: 'Quick and friendly', serviceName: 'Service 0' });
    expect(await rating()).toEqual({ avg: 5, count: 1 });

    const again = await review(b1.id, { rating: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect(await rating()).toEqual({ avg: 5, count: 1 });

    const b2 = await completed(stranger);
    expect((await review(b2.id, { rating: 2 }, stranger)).status).toBe(201);
    expect(await rating()).toEqual({ avg: 3.5, count: 2 });

    const list = await es.api.get(`/api/workshops/${ws.workshop.id}/reviews`);
    expect(list.status).toBe(200);
    expect(list.body.reviews.map((r: { rating: number }) => r.rating)).toEqual([2, 5]); // newest first
    expect(JSON.stringify(list.body)).not.toContain(customer.email);
    expect(list.body.reviews[0].authorName).toBe(publicName('customer 1'));
    expect((await es.api.get(`/api/bookings/${b1.id}/review`, customer.token)).body.review.rating).toBe(5);
    expect((await es.api.get(`/api/bookings/${b1.id}/review`, ws.vendor.token)).body.review.rating).toBe(5);
  });

  it('refuses what is not a completed booking of the caller, and bad input', async () => {
    const pending = await book();
    expect(await review(pending.id, { rating: 4 }).then((r) => [r.status, r.body.error.code])).toEqual([409, 'INVALID_TRANSITION']);

    const done = await completed();
    expect((await review(done.id, { rating: 4 }, stranger)).status).toBe(404); // someone else's booking does not exist for them
    const byVendor = await es.api.post(`/api/bookings/${done.id}/review`, { rating: 4 }, ws.vendor.token);
    expect(byVendor.status).toBe(403);
    expect((await es.api.post(`/api/bookings/${done.id}/review`, { rating: 4 })).status).toBe(401);
    for (const bad of [{}, { rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, { rating: 5, text: 'x'.repeat(2001) }, { rating: 5, stars: 5 }]) {
      const r = await review(done.id, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await review('3f1f8d0e-1c2b-4a5d-9e6f-7a8b9c0d1e2f', { rating: 5 })).status).toBe(404);
    expect((await review(done.id, { rating: 4 })).status).toBe(201);
  });

  it('reviews of a workshop that is not public are not public either', async () => {
    const other = await quickWorkshop(es, { bays: 1 });
    expect((await es.api.post(`/api/admin/workshops/${other.workshop.id}/suspend`, undefined, other.admin.token)).status).toBe(200);
    expect((await es.api.get(`/api/workshops/${other.workshop.id}/reviews`)).status).toBe(404);
    expect((await es.api.get(`/api/workshops/${other.workshop.id}/reviews`, other.vendor.token)).status).toBe(200);
    expect((await es.api.get(`/api/workshops/${other.workshop.id}/reviews?limit=0`, other.vendor.token)).status).toBe(400);
  });

  it('public names: first name and the initial of the last', () => {
    expect(publicName('Amelia Clarke')).toBe('Amelia C.');
    expect(publicName('  Jo  ')).toBe('Jo');
    expect(publicName('Ana María de la Cruz')).toBe('Ana C.');
  });
});
