import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotRow } from '../domain/catalog-ports';
import { manualClock } from '../domain/clock';
import { expectStatus } from './harness';
import { type Account, bookAs, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';

/*
 * Review governance: the workshop replies once; readers report; an admin hides (the review leaves
 * the public list and the rating), shows again or dismisses reports, always with a reason; every
 * admin action lands in the audit trail. Role checks: workshop B's owner never answers A's reviews.
 */
const clock = manualClock();
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let other: Awaited<ReturnType<typeof quickWorkshop>>;
let day: SlotRow[];
let customer: Account;
let reader: Account;
let reader2: Account;
let nextSlot = 0;

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  [ws, other] = await Promise.all([quickWorkshop(es, { bays: 3 }), quickWorkshop(es, { bays: 1 })]);
  day = await dayOfSlots(es.server, ws.workshop.id, clock.now(), 2);
  [customer, reader, reader2] = (await quickAccounts(es.server, 3)) as [Account, Account, Account];
});
afterAll(() => es?.server.close());

async function reviewed(rating: number, text: string) {
  const b = await bookAs(es, ws, customer, day[nextSlot++]!.id);
  const now = clock.now();
  for (const action of ['accept', 'start', 'complete'] as const) {
    if (action === 'start') clock.set(Date.parse(b.startsAt));
    expect((await es.api.post(`/api/bookings/${b.id}/${action}`, undefined, ws.vendor.token)).status).toBe(200);
  }
  clock.set(now);
  return expectStatus(await es.api.typed(customer.token).POST('/api/v1/bookings/{id}/review', { params: { path: { id: b.id } }, body: { rating, text } }), 201).review;
}

const publicReviews = async () => (await es.api.get(`/api/workshops/${ws.workshop.id}/reviews`)).body.reviews as Array<{ id: string; reply: unknown }>;
const rating = async () => {
  const w = (await es.api.get(`/api/workshops/${ws.workshop.id}`)).body.workshop;
  return { avg: w.ratingAvg, count: w.ratingCount };
};
const audit = async (q = '') => (await es.api.get(`/api/admin/audit${q}`, ws.admin.token)).body.entries as Array<{ id: string; action: string; targetId: string; reason: string | null; actor: { id: string } }>;

describe('review governance', () => {
  it('the owning workshop replies once, in public; nobody else can', async () => {
    const r = await reviewed(4, 'Good work, a bit slow');
    const other409 = await es.api.post(`/api/reviews/${r.id}/reply`, { text: 'Not my review' }, other.vendor.token);
    expect(other409.status).toBe(403);
    expect((await es.api.post(`/api/reviews/${r.id}/reply`, { text: 'Thanks!' }, customer.token)).status).toBe(403);
    expect((await es.api.post(`/api/reviews/${r.id}/reply`, { text: 'Thanks!' })).status).toBe(401);
    expect((await es.api.post(`/api/reviews/${r.id}/reply`, { text: '   ' }, ws.vendor.token)).body.error.code).toBe('VALIDATION_FAILED');

    const ok = await es.api.post(`/api/reviews/${r.id}/reply`, { text: 'Thanks — we have added a second mechanic on Fridays.' }, ws.vendor.token);
    expect(ok.status).toBe(200);
    expect(ok.body.review.reply).toMatchObject({ text: 'Thanks — we have added a second mechanic on Fridays.' });
    const again = await es.api.post(`/api/reviews/${r.id}/reply`, { text: 'And another thing' }, ws.vendor.token);
    expect([again.status, again.body.error.code]).toEqual([409, 'CONFLICT']);
    expect((await publicReviews()).find((x) => x.id === r.id)?.reply).toMatchObject({ text: 'Thanks — we have added a second mechanic on Fridays.' });
    expect((await es.api.post('/api/reviews/00000000-0000-4000-8000-000000000000/reply', { text: 'x' }, ws.vendor.token)).status).toBe(404);
    expect((await es.api.post('/api/reviews/not-an-id/reply', { text: 'x' }, ws.vendor.token)).status).toBe(400);
  });

  it('readers report once (not their own); an admin hides with a reason: off the page and out of the rating, audited; unhide restores both', async () => {
    const kept = await reviewed(5, 'Great');
    const rude = await reviewed(1, 'Rude words here');
    const before = await rating();

    expect((await es.api.post(`/api/reviews/${rude.id}/report`, { reason: 'Abusive language' }, customer.token)).status).toBe(403); // its author
    expect((await es.api.post(`/api/reviews/${rude.id}/report`, { reason: 'x' }, reader.token)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await es.api.post(`/api/reviews/${rude.id}/report`, { reason: 'Abusive language' }, reader.token)).status).toBe(204);
    expect((await es.api.post(`/api/reviews/${rude.id}/report`, { reason: 'Again' }, reader.token)).status).toBe(409);
    expect((await es.api.post(`/api/reviews/${rude.id}/report`, { reason: 'Not about the repair' }, other.vendor.token)).status).toBe(204);
    expect((await es.api.post(`/api/reviews/${kept.id}/report`, { reason: 'I just dislike it' }, reader2.token)).status).toBe(204);

    // The queue: admins only, the most reported first, with the reasons.
    expect((await es.api.get('/api/admin/reviews/reported', ws.vendor.token)).status).toBe(403);
    const queue = (await es.api.get('/api/admin/reviews/reported', ws.admin.token)).body.reviews as Array<{ review: { id: string }; workshopName: string; reports: Array<{ reason: string }> }>;
    expect(queue.map((q) => q.review.id)).toEqual([rude.id, kept.id]);
    expect(queue[0]!.reports.map((x) => x.reason)).toEqual(['Abusive language', 'Not about the repair']);
    expect(queue[0]!.workshopName).toBe((await es.api.get(`/api/workshops/${ws.workshop.id}`)).body.workshop.name);

    // Hiding needs an admin and a reason.
    expect((await es.api.post(`/api/admin/reviews/${rude.id}/hide`, { reason: 'Breaks the rules' }, ws.vendor.token)).status).toBe(403);
    expect((await es.api.post(`/api/admin/reviews/${rude.id}/hide`, {}, ws.admin.token)).body.error.code).toBe('VALIDATION_FAILED');
    const hidden = await es.api.post(`/api/admin/reviews/${rude.id}/hide`, { reason: 'Abusive language breaks the review rules' }, ws.admin.token);
    expect(hidden.status).toBe(200);
    expect(hidden.body.review.hidden).toMatchObject({ reason: 'Abusive language breaks the review rules' });
    expect((await es.api.post(`/api/admin/reviews/${rude.id}/hide`, { reason: 'twice' }, ws.admin.token)).status).toBe(409);
    expect((await publicReviews()).map((x) => x.id)).not.toContain(rude.id);
    expect(before).toMatchObject({ count: 3 }); // 4, 5 and 1 stars
    expect(await rating()).toEqual({ avg: 4.5, count: 2 });
    // Its reports are answered; hidden reviews cannot be reported; its own booking still shows it, marked.
    expect(((await es.api.get('/api/admin/reviews/reported', ws.admin.token)).body.reviews as Array<{ review: { id: string } }>).map((q) => q.review.id)).toEqual([kept.id]);
    expect((await es.api.post(`/api/reviews/${rude.id}/report`, { reason: 'Still rude' }, reader2.token)).status).toBe(404);
    expect((await es.api.get(`/api/bookings/${rude.bookingId}/review`, customer.token)).body.review.hidden).toMatchObject({ reason: 'Abusive language breaks the review rules' });

    // Dismissing keeps the review; unhide puts the other back in the rating.
    expect((await es.api.post(`/api/admin/reviews/${kept.id}/dismiss-reports`, { reason: 'Opinion, not abuse' }, ws.admin.token)).status).toBe(200);
    expect((await es.api.post(`/api/admin/reviews/${kept.id}/dismiss-reports`, { reason: 'Opinion, not abuse' }, ws.admin.token)).status).toBe(409);
    expect((await es.api.get('/api/admin/reviews/reported', ws.admin.token)).body.reviews).toEqual([]);
    expect((await es.api.post(`/api/admin/reviews/${rude.id}/unhide`, { reason: 'Appeal upheld' }, ws.admin.token)).status).toBe(200);
    expect(await rating()).toEqual(before);

    // The trail (other test files write to it at the same time, so each target's history on its own):
    // newest first, each with its reason and its admin; `before` pages back.
    const rudeTrail = await audit(`?targetType=review&targetId=${rude.id}`);
    expect(rudeTrail.map((e) => [e.action, e.reason])).toEqual([
      ['review.unhide', 'Appeal upheld'],
      ['review.hide', 'Abusive language breaks the review rules'],
    ]);
    expect(rudeTrail.map((e) => e.actor.id)).toEqual([ws.admin.id, ws.admin.id]);
    expect((await audit(`?targetType=review&targetId=${kept.id}`)).map((e) => [e.action, e.reason])).toEqual([['review.dismiss_reports', 'Opinion, not abuse']]);
    const page2 = await audit(`?targetType=review&targetId=${rude.id}&limit=1&before=${rudeTrail[0]!.id}`);
    expect(page2.map((e) => e.action)).toEqual(['review.hide']);
    expect((await audit(`?limit=200`)).map((e) => e.id)).toEqual(expect.arrayContaining(rudeTrail.map((e) => e.id)));
  });

  it('suspending and reinstating accounts and workshops are audited with their reasons; only admins read the trail; bad queries are 400', async () => {
    const [victim] = await quickAccounts(es.server, 1);
    expect((await es.api.post(`/api/admin/users/${victim!.id}/suspend`, { reason: 'Chargeback fraud' }, ws.admin.token)).status).toBe(200);
    expect((await es.api.post(`/api/admin/users/${victim!.id}/reinstate`, undefined, ws.admin.token)).status).toBe(200);
    expect((await es.api.post(`/api/admin/workshops/${other.workshop.id}/suspend`, { reason: 'Insurance lapsed' }, ws.admin.token)).status).toBe(200);
    expect((await audit(`?targetType=user&targetId=${victim!.id}`)).map((e) => [e.action, e.reason])).toEqual([
      ['user.reinstate', null],
      ['user.suspend', 'Chargeback fraud'],
    ]);
    expect((await audit(`?targetType=workshop&targetId=${other.workshop.id}`)).map((e) => [e.action, e.reason])[0]).toEqual(['workshop.suspend', 'Insurance lapsed']);
    // Clients that send no body, an empty JSON body or text still act (these routes took no body before);
    // a JSON body that is not a reason is refused before anything happens.
    expect((await es.api.call('POST', `/api/admin/users/${victim!.id}/suspend`, { raw: 'suspend', headers: { 'content-type': 'text/plain' }, token: ws.admin.token })).status).toBe(200);
    expect((await es.api.call('POST', `/api/admin/users/${victim!.id}/reinstate`, { raw: '', token: ws.admin.token })).status).toBe(200); // empty JSON body
    expect((await es.api.call('POST', `/api/admin/users/${victim!.id}/suspend`, { raw: '{not json', token: ws.admin.token })).body.error.code).toBe('MALFORMED_JSON');
    const bad = await es.api.post(`/api/admin/users/${victim!.id}/reinstate`, { reason: 42 }, ws.admin.token);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await audit(`?targetType=user&targetId=${victim!.id}`)).map((e) => e.action)).toEqual(['user.reinstate', 'user.suspend', 'user.reinstate', 'user.suspend']);
    expect((await es.api.get('/api/admin/audit', ws.vendor.token)).status).toBe(403);
    expect((await es.api.get('/api/admin/audit', customer.token)).status).toBe(403);
    expect((await es.api.get('/api/admin/audit?targetType=review', ws.admin.token)).status).toBe(400);
    expect((await es.api.get('/api/admin/audit?limit=0', ws.admin.token)).status).toBe(400);
    // Append-only in the database itself.
    await expect(es.server.orm.em.fork().execute(`update admin_audit set reason = 'rewritten'`)).rejects.toThrow(/append-only/);
  });
});
