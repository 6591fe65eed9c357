import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HoldfastClient } from '@shared/api/client';
import type { ApiErrorBody } from '@shared/errors';
import { manualClock } from '../domain/clock';
import type { RunningServer } from '../runtime';
import { confirm, connect, createAdmin, filePrefix, hold, nextEvent, register, slotAhead, verifiedWorkshop, type Account, type ClientSocket } from './fixtures';
import { apiClient, expectStatus, startTestServer, typedClient, type ApiClient } from './harness';

/*
 * Live repair tracking: the workshop moves an accepted job through its stages (note, ETA) and
 * quotes extra work; the booking's customer approves (the price and history follow) or declines;
 * both sides see every step live; nobody else touches any of it.
 */

const clock = manualClock();
let server: RunningServer;
let api: ApiClient;
let shopA: Awaited<ReturnType<typeof verifiedWorkshop>>;
let shopB: Awaited<ReturnType<typeof verifiedWorkshop>>;
let customer: Account;
let otherCustomer: Account;
let admin: Account;
const sockets: ClientSocket[] = [];
const BASE = 4999; // the fixture service's price

beforeAll(async () => {
  server = await startTestServer({ REDIS_PREFIX: filePrefix('repair-tracking') }, { clock });
  api = apiClient(server.url);
  [shopA, shopB] = [await verifiedWorkshop(server, api), await verifiedWorkshop(server, api)];
  customer = await register(api, 'customer', 'Rita Repair');
  otherCustomer = await register(api, 'customer');
  admin = await createAdmin(server, api);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

const as = (a: Account | null): HoldfastClient => typedClient(server.url, a?.token);
const on = (id: string) => ({ params: { path: { id } } });
const onQuote = (id: string, quoteId: string) => ({ params: { path: { id, quoteId } } });
/** ETAs relative to the server's (manual) clock, never the real time. */
const inMs = (ms: number) => new Date(clock.now() + ms).toISOString();
const HOUR = 3_600_000;
const codeOf = (r: { error?: unknown }) => (r.error as ApiErrorBody | undefined)?.error.code;

let slotIndex = 0;
/** A new booking of the customer at workshop A, accepted by the workshop unless asked otherwise. */
async function booking(opts: { accept?: boolean } = {}): Promise<string> {
  const slot = await slotAhead(api, shopA.workshop.id, slotIndex++);
  const { id } = await confirm(api, customer.token, await hold(api, customer.token, shopA.workshop.id, shopA.service.id, slot.id));
  if (opts.accept !== false) expectStatus(await as(shopA.vendor).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action: 'accept' } } }), 200);
  return id;
}

const stage = (a: Account | null, id: string, body: Record<string, unknown>) => as(a).POST('/api/v1/bookings/{id}/stage', { ...on(id), body: body as never });
const quote = (a: Account | null, id: string, items: Array<{ description: string; priceMinor: number }>, note?: string) =>
  as(a).POST('/api/v1/bookings/{id}/quotes', { ...on(id), body: { items, ...(note ? { note } : {}) } });
const approve = (a: Account | null, id: string, q: string) => as(a).POST('/api/v1/bookings/{id}/quotes/{quoteId}/approve', onQuote(id, q));
const decline = (a: Account | null, id: string, q: string) => as(a).POST('/api/v1/bookings/{id}/quotes/{quoteId}/decline', onQuote(id, q));
const withdraw = (a: Account | null, id: string, q: string) => as(a).POST('/api/v1/bookings/{id}/quotes/{quoteId}/withdraw', onQuote(id, q));
const job = async (a: Account, id: string) => expectStatus(await as(a).GET('/api/v1/bookings/{id}/job', on(id)), 200).job;

async function outbox(bookingId: string) {
  return server.orm.em.fork().execute<Array<{ template: string; recipient_id: string }>>('select template, recipient_id from outbox_message where booking_id = ? order by created_at', [bookingId]);
}

describe('job stages', () => {
  it('move forward with notes and ETAs, reach the customer live, and mail "ready for collection"', async () => {
    const id = await booking({ accept: false });
    // A request the workshop has not accepted is not a job yet.
    const early = await stage(shopA.vendor, id, { stage: 'checked_in' });
    expect(early.response.status).toBe(409);
    expect(codeOf(early)).toBe('INVALID_TRANSITION');
    expectStatus(await as(shopA.vendor).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action: 'accept' } } }), 200);

    const socket = await connect(server.url, { token: customer.token });
    sockets.push(socket);
    const pushed = nextEvent(socket, 'job:updated', (e) => e.bookingId === id);
    const eta = inMs(4 * HOUR);
    const first = expectStatus(await stage(shopA.vendor, id, { stage: 'checked_in', note: '  Keys in the box  ', eta }), 201).update;
    expect(first).toMatchObject({ bookingId: id, stage: 'checked_in', note: 'Keys in the box', eta: new Date(eta).toISOString(), byRole: 'vendor', at: new Date(clock.now()).toISOString() });
    expect((await pushed).update).toEqual(first);

    for (const s of ['diagnosing', 'waiting_for_parts', 'in_progress'] as const) expectStatus(await stage(shopA.vendor, id, { stage: s }), 201);
    // The one way back: a part turns out to be missing mid-job.
    expectStatus(await stage(shopA.vendor, id, { stage: 'waiting_for_parts', note: 'Wrong filter delivered' }), 201);
    // The same stage again updates its note and ETA.
    expectStatus(await stage(shopA.vendor, id, { stage: 'waiting_for_parts', eta: inMs(24 * HOUR) }), 201);
    for (const back of ['checked_in', 'diagnosing'] as const) {
      const r = await stage(shopA.vendor, id, { stage: back });
      expect(r.response.status).toBe(409);
      expect(codeOf(r)).toBe('INVALID_TRANSITION');
    }
    expect((await outbox(id)).filter((m) => m.template === 'job_ready')).toEqual([]);
    expectStatus(await stage(shopA.vendor, id, { stage: 'ready_for_collection', note: 'All done' }), 201);
    expectStatus(await stage(shopA.vendor, id, { stage: 'ready_for_collection', note: 'Open until 18:00' }), 201);
    const back = await stage(shopA.vendor, id, { stage: 'in_progress' });
    expect(back.response.status).toBe(409);

    // Mailed once, to the customer, whatever updates of the stage follow.
    expect((await outbox(id)).filter((m) => m.template === 'job_ready')).toEqual([{ template: 'job_ready', recipient_id: customer.id }]);

    const timeline = await job(customer, id);
    expect(timeline.stage).toBe('ready_for_collection');
    expect(timeline.updates.map((u) => u.stage)).toEqual(['checked_in', 'diagnosing', 'waiting_for_parts', 'in_progress', 'waiting_for_parts', 'waiting_for_parts', 'ready_for_collection', 'ready_for_collection']);
    expect(timeline.updates.at(-1)?.note).toBe('Open until 18:00');
    expect(await job(shopA.vendor, id)).toEqual(timeline);
    expect(await job(admin, id)).toEqual(timeline);
  });

  it('refuses bad input with 4xx codes, never touching the job', async () => {
    const id = await booking();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ stage: 'checked_in', eta: inMs(-60_000) }, 400, 'VALIDATION_FAILED'], // an ETA in the past (on the server's clock)
      [{ stage: 'checked_in', eta: new Date(clock.now()).toISOString() }, 400, 'VALIDATION_FAILED'], // now is not the future
      [{ stage: 'checked_in', eta: inMs(61 * 24 * HOUR) }, 400, 'VALIDATION_FAILED'],
      [{ stage: 'checked_in', eta: 'tomorrow' }, 400, 'VALIDATION_FAILED'],
      [{ stage: 'checked_in', note: 'x'.repeat(1001) }, 400, 'VALIDATION_FAILED'],
      [{ stage: 'washing' }, 400, 'VALIDATION_FAILED'],
      [{ stage: 'checked_in', by: 'someone' }, 400, 'VALIDATION_FAILED'],
      [{}, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const r = await stage(shopA.vendor, id, body);
      expect(r.response.status, JSON.stringify(body)).toBe(status);
      expect(codeOf(r)).toBe(code);
    }
    expect(expectStatus(await stage(shopA.vendor, id, { stage: 'checked_in', note: 'x'.repeat(1000), eta: inMs(60_000) }), 201).update.note).toHaveLength(1000);

    const tooMany = Array.from({ length: 21 }, (_, i) => ({ description: `Part ${i}`, priceMinor: 100 }));
    const quotes: Array<[Array<{ description: string; priceMinor: number }>, string]> = [
      [[], 'no lines'],
      [tooMany, '21 lines'],
      [[{ description: 'Free', priceMinor: 0 }], 'a zero price'],
      [[{ description: 'Pennies', priceMinor: 1.5 }], 'a fraction of a penny'],
      [[{ description: '   ', priceMinor: 100 }], 'a blank line'],
      [[{ description: 'Gold', priceMinor: 10_000_001 }], 'a line over the maximum'],
    ];
    for (const [items, what] of quotes) {
      const r = await quote(shopA.vendor, id, items);
      expect(r.response.status, what).toBe(400);
      expect(codeOf(r)).toBe('VALIDATION_FAILED');
    }
    expect(expectStatus(await quote(shopA.vendor, id, tooMany.slice(0, 20)), 201).quote.items).toHaveLength(20);

    const malformed = await as(shopA.vendor).POST('/api/v1/bookings/{id}/stage', { ...on('not-a-uuid'), body: { stage: 'checked_in' } });
    expect(malformed.response.status).toBe(400);
    const missing = await stage(shopA.vendor, '00000000-0000-4000-8000-000000000000', { stage: 'checked_in' });
    expect(missing.response.status).toBe(404);
    const noQuote = await approve(customer, id, '00000000-0000-4000-8000-000000000000');
    expect(noQuote.response.status).toBe(404);

    expect((await job(customer, id)).updates).toHaveLength(1);
  });

  it('stop when the booking is no longer accepted or in progress', async () => {
    const id = await booking();
    const q = expectStatus(await quote(shopA.vendor, id, [{ description: 'Wipers', priceMinor: 1200 }]), 201).quote;
    expectStatus(await as(customer).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action: 'cancel' } } }), 200);
    for (const r of [await stage(shopA.vendor, id, { stage: 'checked_in' }), await quote(shopA.vendor, id, [{ description: 'More', priceMinor: 100 }]), await approve(customer, id, q.id)]) {
      expect(r.response.status).toBe(409);
      expect(codeOf(r)).toBe('INVALID_TRANSITION');
    }
    // The workshop may still take its unanswered quote back.
    expect(expectStatus(await withdraw(shopA.vendor, id, q.id), 200).quote.status).toBe('withdrawn');
  });
});

describe('quotes for extra work', () => {
  it('approval raises the price and records it in the history, live on both sides; a second answer is 409', async () => {
    const id = await booking();
    const [customerSocket, vendorSocket] = await Promise.all([connect(server.url, { token: customer.token }), connect(server.url, { token: shopA.vendor.token })]);
    sockets.push(customerSocket, vendorSocket);

    const offered = nextEvent(customerSocket, 'quote:changed', (e) => e.bookingId === id);
    const sent = expectStatus(await quote(shopA.vendor, id, [{ description: 'Brake discs', priceMinor: 2500 }, { description: ' Labour ', priceMinor: 1500 }], 'Discs are worn'), 201).quote;
    expect(sent).toMatchObject({ bookingId: id, status: 'pending', totalMinor: 4000, currency: 'GBP', note: 'Discs are worn', decidedAt: null, items: [{ description: 'Brake discs', priceMinor: 2500 }, { description: 'Labour', priceMinor: 1500 }] });
    expect(await offered).toMatchObject({ quote: sent, priceCents: BASE });
    expect((await outbox(id)).filter((m) => m.template === 'quote_waiting')).toEqual([{ template: 'quote_waiting', recipient_id: customer.id }]);

    // One pending quote at a time.
    const second = await quote(shopA.vendor, id, [{ description: 'Bulb', priceMinor: 300 }]);
    expect(second.response.status).toBe(409);
    expect(codeOf(second)).toBe('CONFLICT');

    const atDesk = nextEvent(vendorSocket, 'quote:changed', (e) => e.bookingId === id && e.quote.status === 'approved');
    const priceMoved = nextEvent(vendorSocket, 'booking:changed', (e) => e.booking.id === id && e.event.type === 'quote_approved');
    const approved = expectStatus(await approve(customer, id, sent.id), 200);
    expect(approved.priceCents).toBe(BASE + 4000);
    expect(approved.quote).toMatchObject({ status: 'approved', decidedByRole: 'customer', decidedAt: new Date(clock.now()).toISOString() });
    expect((await atDesk).priceCents).toBe(BASE + 4000);
    expect((await priceMoved).booking.priceCents).toBe(BASE + 4000);

    const again = await approve(customer, id, sent.id);
    expect(again.response.status).toBe(409);
    expect(codeOf(again)).toBe('CONFLICT');
    expect((await decline(customer, id, sent.id)).response.status).toBe(409);
    expect((await withdraw(shopA.vendor, id, sent.id)).response.status).toBe(409);

    const detail = expectStatus(await as(customer).GET('/api/v1/bookings/{id}', on(id)), 200).booking;
    expect(detail.priceCents).toBe(BASE + 4000);
    expect(detail.events.filter((e) => e.type.startsWith('quote_')).map((e) => [e.type, e.actorRole, e.data?.priceCents ?? null])).toEqual([
      ['quote_sent', 'vendor', null],
      ['quote_approved', 'customer', BASE + 4000],
    ]);
    // The card is untouched: whatever was authorized at confirm stays what can be captured.
    const timeline = await job(customer, id);
    expect(timeline).toMatchObject({ priceCents: BASE + 4000, basePriceCents: BASE, extrasMinor: 4000 });

    // A second quote, approved too: base + both.
    const more = expectStatus(await quote(shopA.vendor, id, [{ description: 'Wiper blades', priceMinor: 999 }]), 201).quote;
    expect(expectStatus(await approve(customer, id, more.id), 200).priceCents).toBe(BASE + 4999);
    expect(await job(shopA.vendor, id)).toMatchObject({ priceCents: BASE + 4999, basePriceCents: BASE, extrasMinor: 4999 });
  });

  it('two approvals racing raise the price once', async () => {
    const id = await booking();
    const q = expectStatus(await quote(shopA.vendor, id, [{ description: 'Battery', priceMinor: 8000 }]), 201).quote;
    const answers = await Promise.all([approve(customer, id, q.id), approve(customer, id, q.id), approve(customer, id, q.id)]);
    expect(answers.map((r) => r.response.status).sort()).toEqual([200, 409, 409]);
    expect(expectStatus(await as(customer).GET('/api/v1/bookings/{id}', on(id)), 200).booking.priceCents).toBe(BASE + 8000);
  });

  it('a decline or a withdrawal leaves the price', async () => {
    const id = await booking();
    const q1 = expectStatus(await quote(shopA.vendor, id, [{ description: 'Air filter', priceMinor: 1800 }]), 201).quote;
    expect(expectStatus(await decline(customer, id, q1.id), 200)).toMatchObject({ quote: { status: 'declined' }, priceCents: BASE });
    const q2 = expectStatus(await quote(shopA.vendor, id, [{ description: 'Cabin filter', priceMinor: 1700 }]), 201).quote;
    expect(expectStatus(await withdraw(shopA.vendor, id, q2.id), 200)).toMatchObject({ quote: { status: 'withdrawn', decidedByRole: 'vendor' }, priceCents: BASE });
    const late = await approve(customer, id, q2.id);
    expect(late.response.status).toBe(409);
    const timeline = await job(customer, id);
    expect(timeline.quotes.map((q) => q.status)).toEqual(['withdrawn', 'declined']);
    expect(timeline).toMatchObject({ priceCents: BASE, extrasMinor: 0 });
    // A quote of another booking is not found through this one.
    const other = await booking();
    expect((await approve(customer, other, q1.id)).response.status).toBe(404);
  });
});

describe('who may do what', () => {
  let id: string;
  let pendingQuote: string;
  let who: Record<'anon' | 'customer' | 'otherCustomer' | 'vendorA' | 'vendorB' | 'admin', Account | null>;

  beforeAll(async () => {
    id = await booking();
    pendingQuote = expectStatus(await quote(shopA.vendor, id, [{ description: 'Tyre', priceMinor: 6000 }]), 201).quote.id;
    who = { anon: null, customer, otherCustomer, vendorA: shopA.vendor, vendorB: shopB.vendor, admin };
  });

  type Who = keyof typeof who;
  // 401 anonymous; 403 for anyone signed in who is no party to the booking, or the wrong side of it.
  // Successes of the allowed side are the tests above (they change state); here only refusals run.
  const refusals: Array<{ name: string; call: (a: Account | null) => Promise<{ response: Response; error?: unknown; data?: unknown }>; expect: Partial<Record<Who, number>> }> = [
    { name: 'GET job', call: (a) => as(a).GET('/api/v1/bookings/{id}/job', on(id)), expect: { anon: 401, otherCustomer: 403, vendorB: 403, customer: 200, vendorA: 200, admin: 200 } },
    { name: 'POST stage', call: (a) => stage(a, id, { stage: 'checked_in' }), expect: { anon: 401, otherCustomer: 403, vendorB: 403, customer: 403, admin: 403 } },
    { name: 'POST quotes', call: (a) => quote(a, id, [{ description: 'Exhaust', priceMinor: 100 }]), expect: { anon: 401, otherCustomer: 403, vendorB: 403, customer: 403, admin: 403 } },
    { name: 'POST withdraw', call: (a) => withdraw(a, id, pendingQuote), expect: { anon: 401, otherCustomer: 403, vendorB: 403, customer: 403, admin: 403 } },
    { name: 'POST approve', call: (a) => approve(a, id, pendingQuote), expect: { anon: 401, otherCustomer: 403, vendorB: 403, vendorA: 403, admin: 403 } },
    { name: 'POST decline', call: (a) => decline(a, id, pendingQuote), expect: { anon: 401, otherCustomer: 403, vendorB: 403, vendorA: 403, admin: 403 } },
  ];

  for (const c of refusals) {
    it(`${c.name}: ${Object.entries(c.expect).map(([w, s]) => `${w} ${s}`).join(', ')}`, async () => {
      for (const [w, status] of Object.entries(c.expect) as Array<[Who, number]>) {
        const r = await c.call(who[w]);
        expect(r.response.status, `${w}: ${JSON.stringify(r.error ?? r.data)}`).toBe(status);
        if (status >= 400) expect(codeOf(r)).toBe(status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      }
    });
  }

  it('left the job as it was: no stage, the quote still pending, the price unchanged', async () => {
    const timeline = await job(customer, id);
    expect(timeline.updates).toEqual([]);
    expect(timeline.quotes.map((q) => [q.id, q.status])).toEqual([[pendingQuote, 'pending']]);
    expect(timeline.priceCents).toBe(BASE);
  });

  it("vendor B cannot reach workshop A's job through a booking of its own either", async () => {
    // Vendor B's own booking, and workshop A's quote id: not found there, and nothing moves.
    const slot = await slotAhead(api, shopB.workshop.id);
    const own = (await confirm(api, otherCustomer.token, await hold(api, otherCustomer.token, shopB.workshop.id, shopB.service.id, slot.id))).id;
    expectStatus(await as(shopB.vendor).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: own, action: 'accept' } } }), 200);
    expect((await withdraw(shopB.vendor, own, pendingQuote)).response.status).toBe(404);
    expect((await approve(otherCustomer, own, pendingQuote)).response.status).toBe(404);
    expect((await job(customer, id)).quotes[0]?.status).toBe('pending');
  });
});
