import Stripe from 'stripe';
import type { Clock } from '../domain/clock';
import { paymentError } from '../domain/payment-errors';
import type { AccountStatus, PaymentProvider, PaymentRecord } from '../domain/payment-ports';
import { checkMoney } from './money-input';
import { fromStripeError } from './stripe-errors';
import { toProviderEvent } from './stripe-events';

export interface StripeProviderDeps {
  secretKey: string;
  webhookSecret: string;
  /** Where the API is (tests: a local server playing Stripe); api.stripe.com when absent. */
  apiBase?: URL;
  /** The webhook check's "now" (stale timestamps are refused against it). */
  clock: Clock;
  /** The SDK's own retries of a failed connection, a 409 lock timeout, a 5xx or a `Stripe-Should-Retry: true` answer. */
  maxNetworkRetries?: number;
  timeoutMs?: number;
  /** Oldest webhook signature timestamp accepted, in seconds (Stripe's default: 300). */
  webhookToleranceSec?: number;
}

/** How long Stripe keeps an online card authorization capturable. */
export const STRIPE_AUTHORIZATION_MS = 7 * 24 * 3600_000;

const replayedOf = (r: Stripe.Response<unknown>) => r.lastResponse?.headers?.['idempotent-replayed'] === 'true';

const statusOf = (a: Stripe.Account): AccountStatus => ({
  accountId: a.id, detailsSubmitted: a.details_submitted ?? false, chargesEnabled: a.charges_enabled ?? false, payoutsEnabled: a.payouts_enabled ?? false,
});

/** How many payments reconciliation reads from Stripe at once. */
const RECORD_CONCURRENCY = 4;

/** Runs one SDK call, turning its errors into PaymentErrors (stripe-errors.ts). */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw fromStripeError(err);
  }
}

/**
 * The Stripe adapter over the official SDK: PaymentIntents with manual capture (authorize, then
 * capture or cancel), refunds, Connect accounts and transfers, and webhooks verified with
 * `webhooks.constructEvent`. Every call sends our idempotency key as `Idempotency-Key`, so the
 * SDK's own retries and ours reuse it and Stripe acts once (a replay answers
 * `Idempotent-Replayed: true`, reported as `replayed`).
 *
 * 3-D Secure: an intent that answers `requires_action` is reported as the `requires_action`
 * failure with its client secret (the browser runs Stripe.js's handleNextAction). The confirm is
 * then sent again: the same key replays Stripe's first answer (still `requires_action`), so the
 * intent is read again and its status now decides. One intent, never a second authorization.
 */
export function createStripeProvider(deps: StripeProviderDeps): PaymentProvider {
  const base = deps.apiBase;
  const stripe = new Stripe(deps.secretKey, {
    maxNetworkRetries: deps.maxNetworkRetries ?? 2,
    timeout: deps.timeoutMs ?? 20_000,
    telemetry: false,
    ...(base ? { host: base.hostname, port: Number(base.port || (base.protocol === 'http:' ? 80 : 443)), protocol: base.protocol === 'http:' ? 'http' : 'https' } : {}),
  });

  return {
    name: 'stripe',

    onboarding: 'hosted',

    authorize: (input) => call(async () => {
      checkMoney(input.amount, input.currency);
      let pi = await stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency,
          capture_method: 'manual',
          confirm: true,
          payment_method: input.paymentMethod,
          // Confirmed server-side with a saved method: no redirect-based methods (they would need a
          // return URL); 3-D Secure is completed by Stripe.js in the page (handleNextAction).
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          use_stripe_sdk: true,
          ...(input.description ? { description: input.description } : {}),
          metadata: { ...input.metadata, customer_id: input.customerId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      const replayed = replayedOf(pi);
      // A replayed answer is the intent as it was then: after 3-D Secure it has moved on.
      if (replayed && pi.status === 'requires_action') pi = await stripe.paymentIntents.retrieve(pi.id);
      if (pi.status === 'requires_action' && pi.client_secret) {
        throw paymentError('requires_action', 'Your bank asks you to confirm this payment (3-D Secure)', { paymentId: pi.id, clientSecret: pi.client_secret });
      }
      if (pi.status !== 'requires_capture') {
        const declineCode = pi.last_payment_error?.decline_code ?? pi.last_payment_error?.code ?? pi.status;
        throw paymentError('declined', `The payment was not authorized (${pi.status})`, { declineCode });
      }
      return { paymentId: pi.id, amount: pi.amount, currency: pi.currency, status: 'authorized' as const, expiresAt: pi.created * 1000 + STRIPE_AUTHORIZATION_MS, replayed };
    }),

    capture: (input) => call(async () => {
      const pi = await stripe.paymentIntents.capture(input.paymentId, input.amount === undefined ? {} : { amount_to_capture: input.amount }, { idempotencyKey: input.idempotencyKey });
      return { paymentId: pi.id, amountCaptured: pi.amount_received, currency: pi.currency, status: 'captured' as const, replayed: replayedOf(pi) };
    }),

    void: (input) => call(async () => {
      const pi = await stripe.paymentIntents.cancel(input.paymentId, {}, { idempotencyKey: input.idempotencyKey });
      return { paymentId: pi.id, status: 'voided' as const, replayed: replayedOf(pi) };
    }),

    refund: (input) => call(async () => {
      const r = await stripe.refunds.create({ payment_intent: input.paymentId, ...(input.amount === undefined ? {} : { amount: input.amount }) }, { idempotencyKey: input.idempotencyKey });
      if (r.status === 'failed' || r.status === 'canceled') throw paymentError('invalid_state', `The refund ${r.id} ${r.status}`);
      return { refundId: r.id, paymentId: input.paymentId, amount: r.amount, currency: r.currency, status: r.status === 'succeeded' ? ('succeeded' as const) : ('pending' as const), replayed: replayedOf(r) };
    }),

    createConnectedAccount: (input) => call(async () => {
      const a = await stripe.accounts.create(
        {
          type: 'express',
          country: input.country,
          ...(input.email ? { email: input.email } : {}),
          capabilities: { transfers: { requested: true } },
          metadata: { workshop_id: input.workshopId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { ...statusOf(a), replayed: replayedOf(a) };
    }),

    accountLink: (input) => call(async () => {
      // Not idempotent on purpose: each link is single-use and short-lived, a new one every time.
      const link = await stripe.accountLinks.create({ account: input.accountId, type: 'account_onboarding', return_url: input.returnUrl, refresh_url: input.refreshUrl });
      return { url: link.url, expiresAt: link.expires_at * 1000 };
    }),

    retrieveAccount: (accountId) => call(async () => statusOf(await stripe.accounts.retrieve(accountId))),

    paymentRecords: (paymentIds) => call(async () => {
      const out = new Map<string, PaymentRecord | null>();
      const queue = [...new Set(paymentIds)];
      async function worker() {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          try {
            // The charge carries what was refunded of it (partial refunds included).
            const pi = await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] });
            const charge = typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
            out.set(id, { paymentId: pi.id, currency: pi.currency, captured: pi.amount_received, refunded: charge?.amount_refunded ?? 0 });
          } catch (err) {
            if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') out.set(id, null);
            else throw err;
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(RECORD_CONCURRENCY, queue.length) }, worker));
      return new Map(paymentIds.map((id) => [id, out.get(id) ?? null]));
    }),

    transfer: (input) => call(async () => {
      checkMoney(input.amount, input.currency);
      const t = await stripe.transfers.create(
        { amount: input.amount, currency: input.currency, destination: input.accountId, ...(input.transferGroup ? { transfer_group: input.transferGroup } : {}), metadata: { ...input.metadata } },
        { idempotencyKey: input.idempotencyKey },
      );
      return { transferId: t.id, accountId: input.accountId, amount: t.amount, currency: t.currency, replayed: replayedOf(t) };
    }),

    async parseWebhook(rawBody, signature) {
      if (!signature) throw paymentError('invalid_signature', 'The Stripe-Signature header is missing');
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(rawBody, signature, deps.webhookSecret, deps.webhookToleranceSec ?? 300, undefined, deps.clock.now());
      } catch (err) {
        // The SDK's first line says what failed; the rest is advice for the integrator, not for the caller.
        if (err instanceof Stripe.errors.StripeSignatureVerificationError) throw paymentError('invalid_signature', `Webhook signature refused: ${err.message.split('\n')[0]!.trim()}`);
        throw paymentError('invalid_signature', 'The webhook payload is not a Stripe event');
      }
      return toProviderEvent(event);
    },
  };
}
