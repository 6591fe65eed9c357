import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, type WebhookPayload } from '@shared/schemas/webhook';
import { dropDatabase } from '../db/create-database';
import { startServer, type RunningServer } from '../runtime';
import { verifyWebhookSignature } from '../webhooks/signature';
import { confirm, createAdmin, hold, register, slotAhead, verifiedWorkshop, type Account } from './fixtures';
import { apiClient, expectStatus, ownPrefix, pollUntil, testEnv, typedClient, type ApiClient } from './harness';

/*
 * Outgoing webhooks end to end: a booking event becomes a delivery in the event's transaction, the
 * worker signs and sends it, retries a failing receiver with backoff (the server's clock is moved,
 * nobody waits), keeps events of one booking in order, logs every attempt, redelivers on request
 * and disables an endpoint that keeps failing. This file has a database of its own: the worker
 * takes every due delivery it can see, and other files' servers must not see these.
 */

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that answers each request with the next status of `plan` (then 200). */
async function receiver(plan: number[] = []) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const status = plan.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'thanks' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const base = new URL(inject('databaseUrl'));
const ownDatabase = Object.assign(new URL(base), { pathname: `${base.pathname}_wh_${randomUUID().slice(0, 8)}` }).href;
// Real time plus an offset the test moves: deliveries are stamped by the database's own clock when
// their event commits, so the server's time must never fall behind it.
let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs, advance: (ms: number) => void (offsetMs += ms) };
let server: RunningServer;
let api: ApiClient;
let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
const receivers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await startServer(
    testEnv({ DATABASE_URL: ownDatabase, REDIS_PREFIX: ownPrefix('wh'), WEBHOOK_ALLOW_NETWORKS: 'loopback', WEBHOOK_POLL_MS: '50', WEBHOOK_DISABLE_AFTER: '3' }),
    { migrate: true, clock, sweepers: false, webhooks: true },
  );
  api = apiClient(server.url);
  shop = await verifiedWorkshop(server, api);
}, 60_000);
afterAll(async () => {
  await server?.close();
  for (const r of receivers) await r.close();
  await dropDatabase(ownDatabase);
});

const as = (a: Account) => typedClient(server.url, a.token);
const registerEndpoint = async (a: Account, body: { url: string; eventTypes: WebhookPayload['type'][]; workshopId?: string | null }) =>
  expectStatus(await as(a).POST('/api/v1/webhooks', { body }), 201);
const deliveries = async (a: Account, id: string) => expectStatus(await as(a).GET('/api/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: {} } }), 200).deliveries;
/** Moves the server's clock past any retry the worker scheduled (backoff ≤ 1.5 × 2^n × 30 s). */
const pastBackoff = (attempts: number) => clock.advance(1.5 * 30_000 * 2 ** Math.max(0, attempts - 1) + 1000);

async function book(customer: Account) {
  const slot = await slotAhead(api, shop.workshop.id);
  return confirm(api, customer.token, await hold(api, customer.token, shop.workshop.id, shop.service.id, slot.id));
}

describe('webhook deliveries', () => {
  it('names every booking event a subscriber can choose after the event the lifecycle records', async () => {
    // The event types booking_event rows carry (domain/booking-transitions.ts and the confirm).
    const recorded = ['requested', 'accepted', 'declined', 'expired', 'cancelled', 'cancelled_by_workshop', 'rescheduled', 'moved_by_workshop', 'move_requested', 'moved', 'started', 'completed', 'no_show'];
    const rows = await server.orm.em.fork().getConnection().execute<Array<{ t: string; w: string | null }>>(
      `select t, webhook_event_type(t) as w from unnest(array[${recorded.map(() => '?').join(', ')}]::text[]) t`, recorded,
    );
    expect(rows.filter((r) => r.w === null).map((r) => r.t)).toEqual([]);
    expect(new Set(rows.map((r) => r.w))).toEqual(new Set(WEBHOOK_EVENT_TYPES));
    expect(rows.find((r) => r.t === 'started')!.w).toBe('booking.started');
  });

  it('retries a receiver that fails twice, then it accepts one signed delivery; later events of the booking wait their turn', async () => {
    const rx = await receiver([500, 503]);
    receivers.push(rx);
    const made = await registerEndpoint(shop.vendor, { url: rx.url, eventTypes: ['booking.requested', 'booking.accepted'], workshopId: shop.workshop.id });
    expect(made.secret).toMatch(/^whsec_/);
    expect(made.endpoint).toMatchObject({ url: rx.url, status: 'active', workshopId: shop.workshop.id, consecutiveFailures: 0 });

    const customer = await register(api, 'customer', 'Wendy Hook');
    const booking = await book(customer);
    await pollUntil(async () => rx.got.length, (n) => n === 1);
    // The workshop accepts while the request's delivery is still failing: its event must wait.
    expectStatus(await as(shop.vendor).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: booking.id, action: 'accept' } } }), 200);

    pastBackoff(1);
    expect(await pollUntil(async () => rx.got.length, (n) => n === 2)).toBe(2);
    pastBackoff(2);
    expect(await pollUntil(async () => rx.got.length, (n) => n === 4)).toBe(4);

    const [first, second, third, fourth] = rx.got.map((g) => ({ ...g, payload: JSON.parse(g.body) as WebhookPayload }));
    // Three attempts of the same event (one id), then the accepted event, never before it.
    expect([first, second, third].map((g) => g!.payload.type)).toEqual(['booking.requested', 'booking.requested', 'booking.requested']);
    expect(new Set([first, second, third].map((g) => g!.headers['holdfast-webhook-id'])).size).toBe(1);
    expect(third!.payload).toMatchObject({ id: first!.headers['holdfast-webhook-id'], data: { booking: { id: booking.id, customerName: 'Wendy Hook' }, event: { type: 'requested', actorRole: 'customer' } } });
    expect(fourth!.payload.type).toBe('booking.accepted');
    for (const g of rx.got) {
      const t = Number(/t=(\d+)/.exec(String(g.headers['holdfast-signature']))![1]);
      expect(verifyWebhookSignature(made.secret, g.body, String(g.headers['holdfast-signature']), t)).toBe(true);
      expect(verifyWebhookSignature(made.secret, `${g.body} `, String(g.headers['holdfast-signature']), t)).toBe(false);
      expect(verifyWebhookSignature('whsec_wrong', g.body, String(g.headers['holdfast-signature']), t)).toBe(false);
    }

    const log = await pollUntil(() => deliveries(shop.vendor, made.endpoint.id), (d) => d.every((x) => x.status === 'delivered'));
    expect(log.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode])).toEqual([
      ['booking.accepted', 'delivered', 1, 200],
      ['booking.requested', 'delivered', 3, 200],
    ]);
    expect(log[1]!.responseExcerpt).toBe('thanks');
    expect(log[1]!.lastLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('redelivers an event on request, with the same event id', async () => {
    const rx = await receiver();
    receivers.push(rx);
    const made = await registerEndpoint(shop.vendor, { url: rx.url, eventTypes: ['booking.requested'], workshopId: shop.workshop.id });
    await book(await register(api, 'customer'));
    await pollUntil(async () => rx.got.length, (n) => n === 1);
    const [original] = await pollUntil(() => deliveries(shop.vendor, made.endpoint.id), (d) => d[0]?.status === 'delivered');
    const again = expectStatus(
      await as(shop.vendor).POST('/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: made.endpoint.id, deliveryId: original!.id } } }),
      201,
    ).delivery;
    expect(again).toMatchObject({ eventId: original!.eventId, redeliveryOf: original!.id, status: 'pending' });
    await pollUntil(async () => rx.got.length, (n) => n === 2);
    expect(rx.got[1]!.headers['holdfast-webhook-id']).toBe(original!.eventId);
  });

  it('disables an endpoint after repeated failures and resumes its held deliveries when re-enabled', async () => {
    const rx = await receiver([500, 500, 500]);
    receivers.push(rx);
    const made = await registerEndpoint(shop.vendor, { url: rx.url, eventTypes: ['booking.requested'], workshopId: shop.workshop.id });
    await book(await register(api, 'customer'));
    await pollUntil(async () => rx.got.length, (n) => n === 1);
    pastBackoff(1);
    await pollUntil(async () => rx.got.length, (n) => n === 2);
    pastBackoff(2);
    const disabled = await pollUntil(
      async () => expectStatus(await as(shop.vendor).GET('/api/v1/webhooks'), 200).endpoints.find((e) => e.id === made.endpoint.id)!,
      (e) => e.status === 'disabled',
    );
    expect(disabled.disabledReason).toMatch(/^Disabled after 3 failed deliveries in a row \(last: Answered 500\)/);
    expect(rx.got).toHaveLength(3);
    // Nothing is sent while disabled, however far the clock moves.
    pastBackoff(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.got).toHaveLength(3);

    const enabled = expectStatus(await as(shop.vendor).PATCH('/api/v1/webhooks/{id}', { params: { path: { id: made.endpoint.id } }, body: { enabled: true } }), 200).endpoint;
    expect(enabled).toMatchObject({ status: 'active', disabledReason: null, consecutiveFailures: 0 });
    await pollUntil(async () => rx.got.length, (n) => n === 4);
    const [d] = await pollUntil(() => deliveries(shop.vendor, made.endpoint.id), (list) => list[0]?.status === 'delivered');
    expect(d!.attempts).toBe(4);
  });

  it("sends an admin's all-workshops endpoint every workshop's events", async () => {
    const rx = await receiver();
    receivers.push(rx);
    const admin = await createAdmin(server, api);
    await registerEndpoint(admin, { url: rx.url, eventTypes: ['booking.requested'] });
    const other = await verifiedWorkshop(server, api);
    const customer = await register(api, 'customer');
    const slot = await slotAhead(api, other.workshop.id);
    const b = await confirm(api, customer.token, await hold(api, customer.token, other.workshop.id, other.service.id, slot.id));
    await pollUntil(async () => rx.got.map((g) => (JSON.parse(g.body) as WebhookPayload).data.booking.id), (ids) => ids.includes(b.id));
  });
});

describe('who may manage webhooks', () => {
  it("keeps one owner's endpoints from everyone else, and refuses customers and other workshops", async () => {
    const made = await registerEndpoint(shop.vendor, { url: 'https://hooks.example.com/holdfast', eventTypes: ['booking.cancelled'], workshopId: shop.workshop.id });
    const rival = await verifiedWorkshop(server, api);
    const customer = await register(api, 'customer');
    const path = { params: { path: { id: made.endpoint.id } } };
    expect((await as(rival.vendor).GET('/api/v1/webhooks/{id}/secret', path)).response.status).toBe(404);
    expect((await as(rival.vendor).PATCH('/api/v1/webhooks/{id}', { ...path, body: { enabled: false } })).response.status).toBe(404);
    expect((await as(rival.vendor).DELETE('/api/v1/webhooks/{id}', path)).response.status).toBe(404);
    expect(expectStatus(await as(rival.vendor).GET('/api/v1/webhooks'), 200).endpoints).toEqual([]);
    // A workshop that is not yours, no workshop at all (vendors), and customers.
    expect((await as(rival.vendor).POST('/api/v1/webhooks', { body: { url: 'https://x.example.com/h', eventTypes: ['booking.requested'], workshopId: shop.workshop.id } })).response.status).toBe(403);
    expect((await as(rival.vendor).POST('/api/v1/webhooks', { body: { url: 'https://x.example.com/h', eventTypes: ['booking.requested'] } })).response.status).toBe(400);
    expect((await as(customer).POST('/api/v1/webhooks', { body: { url: 'https://x.example.com/h', eventTypes: ['booking.requested'] } })).response.status).toBe(403);
    expect(expectStatus(await as(shop.vendor).GET('/api/v1/webhooks/{id}/secret', path), 200).secret).toBe(made.secret);
    expect((await as(shop.vendor).DELETE('/api/v1/webhooks/{id}', path)).response.status).toBe(204);
    expect((await as(shop.vendor).GET('/api/v1/webhooks/{id}/secret', path)).response.status).toBe(404);
  });

  it('refuses bad addresses and empty subscriptions with 400', async () => {
    for (const body of [
      { url: 'ftp://hooks.example.com/x', eventTypes: ['booking.requested'] },
      { url: 'https://user:pw@hooks.example.com/x', eventTypes: ['booking.requested'] },
      { url: 'not a url', eventTypes: ['booking.requested'] },
      { url: 'https://hooks.example.com/x', eventTypes: [] },
      { url: 'https://hooks.example.com/x', eventTypes: ['booking.exploded'] },
    ]) {
      const r = await as(shop.vendor).POST('/api/v1/webhooks', { body: { ...body, workshopId: shop.workshop.id } as never });
      expect(r.response.status, JSON.stringify(body)).toBe(400);
      expect((r.error as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
  });
});
