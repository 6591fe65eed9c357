import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotRow } from '../domain/catalog-ports';
import { publicName } from '../db/review.repository';
import { manualClock } from '../domain/clock';
import { expectStatus } from './harness';
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
  for (const action of ['accept', 'start', 'complete'] as const) {
    if (action === 'start') clock.set(Date.parse(b.startsAt));
    expect((await es.api.typed(ws.vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: b.id, action } } })).response.status).toBe(200);
  }
  clock.set(now);
  return b;
}

const onBooking = (id: string) => ({ params: { path: { id } } });
const review = (id: string, body: { rating: number; text?: string }, who: Account | null = customer) =>
  es.api.typed(who?.token).POST('/api/v1/bookings/{id}/review', { ...onBooking(id), body });
const rating = async () => {
  const w = expectStatus(await es.api.typed().GET('/api/v1/workshops/{id}', onBooking(ws.workshop.id)), 200).workshop;
  return { avg: w.ratingAvg, count: w.ratingCount };
};

describe('reviews', () => {
  it('the customer of a completed booking reviews it once; the workshop rating follows; the public sees first name and initial', async () => {
    const b1 = await completed();
    const r1 = await review(b1.id, { rating: 5, text: '  Quick and friendly  ' });
    expect(r1.response.status, JSON.stringify(r1.error)).toBe(201);
    expect(r1.data!.review).toMatchObject({ bookingId: b1.id, workshopId: ws.workshop.id, rating: 5, text: 'Quick and friendly', serviceName: 'Service 0' });
    expect(await rating()).toEqual({ avg: 5, count: 1 });

    const again = await review(b1.id, { rating: 1 });
    expect(again.response.status).toBe(409);
    expect(again.error!.error.code).toBe('CONFLICT');
    expect(await rating()).toEqual({ avg: 5, count: 1 });

    const b2 = await completed(stranger);
    expect((await review(b2.id, { rating: 2 }, stranger)).response.status).toBe(201);
    expect(await rating()).toEqual({ avg: 3.5, count: 2 });

    const list = await es.api.typed().GET('/api/v1/workshops/{id}/reviews', onBooking(ws.workshop.id));
    expect(list.response.status).toBe(200);
    expect(list.data!.reviews.map((r) => r.rating)).toEqual([2, 5]); // newest first
    expect(JSON.stringify(list.data)).not.toContain(customer.email);
    expect(list.data!.reviews[0]!.authorName).toBe(publicName('customer 1'));
    for (const who of [customer, ws.vendor]) {
      expect(expectStatus(await es.api.typed(who.token).GET('/api/v1/bookings/{id}/review', onBooking(b1.id)), 200).review!.rating).toBe(5);
    }
  });

  it('refuses what is not a completed booking of the caller, and bad input', async () => {
    const pending = await book();
    expect(await review(pending.id, { rating: 4 }).then((r) => [r.response.status, r.error?.error.code])).toEqual([409, 'INVALID_TRANSITION']);

    const done = await completed();
    expect((await review(done.id, { rating: 4 }, stranger)).response.status).toBe(404); // someone else's booking does not exist for them
    const byVendor = await review(done.id, { rating: 4 }, ws.vendor);
    expect(byVendor.response.status).toBe(403);
    expect((await review(done.id, { rating: 4 }, null)).response.status).toBe(401);
    // Bad bodies, some of which the contract's types cannot express: sent raw.
    for (const bad of [{}, { rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, { rating: 5, text: 'x'.repeat(2001) }, { rating: 5, stars: 5 }]) {
      const r = await es.api.post(`/api/v1/bookings/${done.id}/review`, bad, customer.token);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await review('3f1f8d0e-1c2b-4a5d-9e6f-7a8b9c0d1e2f', { rating: 5 })).response.status).toBe(404);
    expect((await review(done.id, { rating: 4 })).response.status).toBe(201);
  });

  it('reviews of a workshop that is not public are not public either', async () => {
    const other = await quickWorkshop(es, { bays: 1 });
    const path = { id: other.workshop.id };
    expect((await es.api.typed(other.admin.token).POST('/api/v1/admin/workshops/{id}/suspend', { params: { path } })).response.status).toBe(200);
    expect((await es.api.typed().GET('/api/v1/workshops/{id}/reviews', { params: { path } })).response.status).toBe(404);
    const asVendor = es.api.typed(other.vendor.token);
    expect((await asVendor.GET('/api/v1/workshops/{id}/reviews', { params: { path } })).response.status).toBe(200);
    expect((await asVendor.GET('/api/v1/workshops/{id}/reviews', { params: { path, query: { limit: 0 } } })).response.status).toBe(400);
  });

  it('public names: first name and the initial of the last', () => {
    expect(publicName('Amelia Clarke')).toBe('Amelia C.');
    expect(publicName('  Jo  ')).toBe('Jo');
    expect(publicName('Ana María de la Cruz')).toBe('Ana C.');
  });
});
