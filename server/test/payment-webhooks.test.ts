import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { apiClient, useTestServer } from './harness';

/*
 * POST /api/payments/webhooks/stripe on a real server in stripe mode: the signature is checked on
 * the raw body, each event id is recorded once (replays and out-of-order deliveries are harmless),
 * and a bad signature is a 400 with a JSON error. In simulated mode the endpoint does not exist.
 */

const START = Date.UTC(2027, 2, 27, 23, 0);
const WEBHOOK_SECRET = 'whsec_route_test';
const PATH = '/api/payments/webhooks/stripe';
const clock = manualClock(START);

const stripeMode = useTestServer(
  // No Stripe API call is made here; the base points at a closed local port so one could never leave the machine.
  { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_route', STRIPE_PUBLISHABLE_KEY: 'pk_test_route', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: 'http://127.0.0.1:9' },
  { clock },
);
const simulatedMode = useTestServer();

const nowSec = () => Math.floor(clock.now() / 1000);
const event = (id: string, type: string, createdSec: number, object: Record<string, unknown>) =>
  JSON.stringify({ id, object: 'event', type, created: createdSec, data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null } });

function deliver(payload: string, signature: string | undefined, base = stripeMode.server.url) {
  return apiClient(base).call('POST', PATH, { raw: payload, headers: { 'content-type': 'application/json; charset=utf-8', ...(signature ? { 'stripe-signature': signature } : {}) } });
}
const signed = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, timestamp: opts.timestamp ?? nowSec() });

async function recorded(eventId: string) {
  return stripeMode.server.orm.em.fork().getConnection().execute<Array<{ type: string; provider_type: string; object_id: string }>>(
    'select type, provider_type, object_id from payment_webhook_event where provider = ? and event_id = ?',
    ['stripe', eventId],
  );
}

describe('GET /api/payments/config (public)', () => {
  it('stripe mode: the provider and the publishable key (never a secret)', async () => {
    const res = await apiClient(stripeMode.server.url).get('/api/payments/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ provider: 'stripe', publishableKey: 'pk_test_route' });
    expect(JSON.stringify(res.body)).not.toMatch(/sk_test|whsec_/);
  });

  it('simulated mode: no key, so the client never loads Stripe.js', async () => {
    const res = await apiClient(simulatedMode.server.url).get('/api/payments/config');
    expect(res.body).toEqual({ provider: 'simulated', publishableKey: null });
  });
});

describe('Stripe webhook endpoint', () => {
  it('records a verified event once and acknowledges every delivery of it', async () => {
    const id = `evt_${randomUUID()}`;
    const payload = event(id, 'payment_intent.succeeded', nowSec(), { id: 'pi_route_1', object: 'payment_intent' });
    const first = await deliver(payload, signed(payload));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true, eventId: id, type: 'payment.captured', duplicate: false });
    // Stripe retries a delivery it did not see acknowledged, and an attacker may replay a captured one.
    const again = await deliver(payload, signed(payload));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ eventId: id, duplicate: true });
    expect(await recorded(id)).toEqual([{ type: 'payment.captured', provider_type: 'payment_intent.succeeded', object_id: 'pi_route_1' }]);
  });

  it('takes events in any order: a later event delivered first, then the earlier one, both recorded once', async () => {
    const intent = `pi_${randomUUID().slice(0, 8)}`;
    const authorized = event(`evt_${randomUUID()}`, 'payment_intent.amount_capturable_updated', nowSec() - 60, { id: intent });
    const captured = event(`evt_${randomUUID()}`, 'payment_intent.succeeded', nowSec(), { id: intent });
    const answers = [await deliver(captured, signed(captured)), await deliver(authorized, signed(authorized))];
    expect(answers.map((a) => [a.status, a.body.type, a.body.duplicate])).toEqual([[200, 'payment.captured', false], [200, 'payment.authorized', false]]);
    const rows = await stripeMode.server.orm.em.fork().getConnection().execute('select type from payment_webhook_event where object_id = ? order by created_at', [intent]);
    expect(rows).toEqual([{ type: 'payment.authorized' }, { type: 'payment.captured' }]);
  });

  it('the same event delivered several times at once is recorded once: exactly one delivery is the first', async () => {
    const id = `evt_${randomUUID()}`;
    const payload = event(id, 'charge.refunded', nowSec(), { id: `ch_${randomUUID().slice(0, 8)}` });
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(payload, signed(payload))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(await recorded(id)).toHaveLength(1);
  });

  it('a refund event arriving before the capture it follows (and its replays) moves no money and is refused nothing', async () => {
    const intent = `pi_${randomUUID().slice(0, 8)}`;
    const refund = event(`evt_${randomUUID()}`, 'refund.updated', nowSec(), { id: `re_${randomUUID().slice(0, 8)}`, payment_intent: intent });
    const captured = event(`evt_${randomUUID()}`, 'payment_intent.succeeded', nowSec() - 120, { id: intent });
    // (Other test files post to the same database meanwhile: only this payment's traces are counted.)
    const traces = async () => (await stripeMode.server.orm.em.fork().getConnection().execute<Array<{ n: string }>>(
      `select ((select count(*) from ledger_txn where cause like '%' || ? || '%') + (select count(*) from booking_payment where payment_id = ?))::text as n`, [intent, intent]))[0]!.n;
    const answers = [];
    for (const p of [refund, refund, captured, refund, captured]) answers.push(await deliver(p, signed(p)));
    expect(answers.map((a) => [a.status, a.body.type, a.body.duplicate])).toEqual([
      [200, 'refund.updated', false], [200, 'refund.updated', true], [200, 'payment.captured', false], [200, 'refund.updated', true], [200, 'payment.captured', true],
    ]);
    // Webhooks are recorded, never acted on by themselves: money moves only through our own calls
    // (the provider's answer), so an early, late or repeated event cannot move it again.
    expect(await traces()).toBe('0');
  });

  it('answers 400 WEBHOOK_SIGNATURE_INVALID as JSON for a bad, missing or stale signature, recording nothing', async () => {
    const id = `evt_${randomUUID()}`;
    const payload = event(id, 'charge.refunded', nowSec(), { id: 'ch_1' });
    const refusals = [
      await deliver(payload, signed(payload, { secret: 'whsec_not_ours' })),
      await deliver(payload, undefined),
      await deliver(payload, signed(payload, { timestamp: nowSec() - 301 })),
      await deliver(payload.replace('ch_1', 'ch_2'), signed(payload)),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(r.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    }
    expect(await recorded(id)).toEqual([]);
  });

  it('judges staleness by the server\'s clock, not the wall clock', async () => {
    const id = `evt_${randomUUID()}`;
    const payload = event(id, 'transfer.created', nowSec(), { id: 'tr_1' });
    const signature = signed(payload);
    clock.advance(301_000);
    try {
      expect((await deliver(payload, signature)).body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    } finally {
      clock.set(START);
    }
    expect((await deliver(payload, signature)).status).toBe(200);
  });

  it('does not exist in simulated mode', async () => {
    const payload = event(`evt_${randomUUID()}`, 'payment_intent.succeeded', nowSec(), { id: 'pi_x' });
    const r = await deliver(payload, signed(payload), simulatedMode.server.url);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });
});
