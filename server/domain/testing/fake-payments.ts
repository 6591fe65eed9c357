import { randomUUID } from 'node:crypto';
import { testCard } from '@shared/payment-test-cards';
import type { Clock } from '../clock';
import { PaymentError, paymentError, type PaymentFailure } from '../payment-errors';
import type { PaymentProvider } from '../payment-ports';

/*
 * An in-memory payment provider for domain unit tests: the port's contract (test cards, manual
 * capture, voids, partial refunds, lapsing authorizations, one answer per idempotency key) without
 * Postgres, plus what a test needs to steer and read it: `failNext` scripts a failure for a
 * method's next call (e.g. the provider down at confirm), `calls` lists every call with its key.
 * server/test/payment-provider-contract.test.ts runs the same contract against it and both adapters.
 */

type Method = 'authorize' | 'capture' | 'void' | 'refund' | 'createConnectedAccount' | 'transfer';
type In<M extends Method> = Parameters<PaymentProvider[M]>[0];
type Out<M extends Method> = Awaited<ReturnType<PaymentProvider[M]>>;
const enabled = (accountId: string) => ({ accountId, detailsSubmitted: true, chargesEnabled: true, payoutsEnabled: true });
type Payment = { amount: number; currency: string; status: 'authorized' | 'captured' | 'voided'; captured: number; refunded: number; expiresAt: number };

export function fakePaymentProvider(clock: Clock, opts: { authorizationTtlMs?: number } = {}) {
  const ttl = opts.authorizationTtlMs ?? 7 * 24 * 3600_000;
  const payments = new Map<string, Payment>();
  const accounts = new Set<string>();
  const answers = new Map<string, { request: string; outcome: { value: unknown } | { error: PaymentError } }>();
  const scripted: Array<{ method: Method; error: PaymentError }> = [];
  const calls: Array<{ method: Method; idempotencyKey: string; input: object }> = [];

  const find = (id: string) => payments.get(id) ?? (() => { throw paymentError('not_found', `No payment ${id}`); })();
  /** An authorized payment that may still be used: lapsed ones are refused. */
  const live = (id: string, action: string) => {
    const p = find(id);
    if (p.status === 'authorized' && clock.now() >= p.expiresAt) throw paymentError('authorization_expired', `Payment ${id} lapsed`);
    if (p.status !== 'authorized') throw paymentError('invalid_state', `Payment ${id} is ${p.status}: cannot ${action}`);
    return p;
  };
  const within = (amount: number, max: number, what: string) => {
    if (!Number.isInteger(amount) || amount < 1 || amount > max) throw paymentError('invalid_state', `${what} ${amount} exceeds ${max}`);
    return amount;
  };

  const act: { [M in Method]: (input: In<M>) => Omit<Out<M>, 'replayed'> } = {
    authorize(i) {
      const outcome = testCard(i.paymentMethod)?.outcome ?? { kind: 'declined' as const, declineCode: 'test_mode_live_card' };
      if (outcome.kind === 'processor_outage') throw paymentError('provider_unavailable', 'processing error');
      if (outcome.kind === 'insufficient_funds') throw paymentError('insufficient_funds', 'insufficient funds', { declineCode: 'insufficient_funds' });
      if (outcome.kind === 'declined') throw paymentError('declined', 'declined', { declineCode: outcome.declineCode });
      if (outcome.kind === 'requires_action') throw paymentError('declined', 'the in-memory fake plays no 3-D Secure', { declineCode: 'authentication_required' });
      const paymentId = `pi_fake_${randomUUID()}`;
      const expiresAt = clock.now() + ttl;
      payments.set(paymentId, { amount: i.amount, currency: i.currency, status: 'authorized', captured: 0, refunded: 0, expiresAt });
      return { paymentId, amount: i.amount, currency: i.currency, status: 'authorized', expiresAt };
    },
    capture(i) {
      const p = live(i.paymentId, 'capture');
      Object.assign(p, { status: 'captured', captured: within(i.amount ?? p.amount, p.amount, 'capture') });
      return { paymentId: i.paymentId, amountCaptured: p.captured, currency: p.currency, status: 'captured' };
    },
    void(i) {
      live(i.paymentId, 'void').status = 'voided';
      return { paymentId: i.paymentId, status: 'voided' };
    },
    refund(i) {
      const p = find(i.paymentId);
      const left = p.status === 'captured' ? p.captured - p.refunded : 0;
      const amount = within(i.amount ?? left, left, 'refund');
      p.refunded += amount;
      return { refundId: `re_fake_${randomUUID()}`, paymentId: i.paymentId, amount, currency: p.currency, status: 'succeeded' };
    },
    createConnectedAccount() {
      const accountId = `acct_fake_${randomUUID()}`;
      accounts.add(accountId);
      return enabled(accountId);
    },
    transfer(i) {
      if (!accounts.has(i.accountId)) throw paymentError('not_found', `No account ${i.accountId}`);
      return { transferId: `tr_fake_${randomUUID()}`, accountId: i.accountId, amount: i.amount, currency: i.currency };
    },
  };

  /** One answer per key (a final refusal included), a conflict for the same key with another request, nothing kept for a retryable failure. */
  function call<M extends Method>(method: M) {
    return async (input: In<M>): Promise<Out<M>> => {
      const { idempotencyKey, ...rest } = input;
      calls.push({ method, idempotencyKey, input });
      const request = JSON.stringify([method, rest]);
      const before = answers.get(idempotencyKey);
      if (before && before.request !== request) throw paymentError('idempotency_conflict', `Key ${idempotencyKey} was used for another request`);
      if (before) {
        if ('error' in before.outcome) throw before.outcome.error;
        return { ...(before.outcome.value as Omit<Out<M>, 'replayed'>), replayed: true } as Out<M>;
      }
      try {
        const i = scripted.findIndex((s) => s.method === method);
        if (i >= 0) throw scripted.splice(i, 1)[0]!.error;
        const value = (act[method] as (i: In<M>) => Omit<Out<M>, 'replayed'>)(input);
        answers.set(idempotencyKey, { request, outcome: { value } });
        return { ...value, replayed: false } as Out<M>;
      } catch (err) {
        if (err instanceof PaymentError && !err.retryable) answers.set(idempotencyKey, { request, outcome: { error: err } });
        throw err;
      }
    };
  }

  const provider: PaymentProvider = {
    name: 'simulated',
    onboarding: 'instant',
    authorize: call('authorize'),
    capture: call('capture'),
    void: call('void'),
    refund: call('refund'),
    createConnectedAccount: call('createConnectedAccount'),
    transfer: call('transfer'),
    async accountLink(i) {
      return { url: i.returnUrl, expiresAt: clock.now() + 300_000 };
    },
    async retrieveAccount(accountId) {
      if (!accounts.has(accountId)) throw paymentError('not_found', `No account ${accountId}`);
      return enabled(accountId);
    },
    async paymentRecords(ids) {
      return new Map(ids.map((id) => {
        const p = payments.get(id);
        return [id, p ? { paymentId: id, currency: p.currency, captured: p.captured, refunded: p.refunded } : null];
      }));
    },
    async parseWebhook() {
      throw paymentError('invalid_signature', 'The fake provider sends no webhooks');
    },
  };

  return Object.assign(provider, {
    calls,
    payments,
    /** The next call of `method` fails this way before acting, kept for its key like any answer unless retryable; e.g. `failNext('authorize', 'provider_unavailable')`. */
    failNext(method: Method, failure: PaymentFailure, extra: { declineCode?: string; retryAfterSec?: number } = {}) {
      scripted.push({ method, error: paymentError(failure, `scripted ${failure}`, extra) });
    },
  });
}
export type FakePaymentProvider = ReturnType<typeof fakePaymentProvider>;
