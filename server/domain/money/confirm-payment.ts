import { createHash } from 'node:crypto';
import type { MoneyPolicy } from '@shared/schemas/money-policy';
import type { Clock } from '../clock';
import { DomainError } from '../errors';
import { PaymentError } from '../payment-errors';
import { providerIdempotencyKey } from '../payment-keys';
import type { PaymentProvider } from '../payment-ports';
import { bookingMoney, type CommissionRates } from './booking-money';
import type { BookingPaymentStore, NewBookingPayment, PaymentAttempt } from './booking-payment-ports';

/*
 * Money at confirm: the amount comes from the service price the hold quoted and the workshop's
 * policy (bookingMoney), never from the client. A card payment is authorized BEFORE the booking's
 * transaction (a provider call never runs inside one) under a key named after the hold and the
 * card, so replays of one confirm (same Idempotency-Key, a twin request, a STALE retry) reuse one
 * authorization. It is first written down in `payment_attempt`; the booking's transaction deletes
 * that row as it inserts the booking's payment row, so:
 *   - the booking commits  → the payment row exists, the attempt row is gone (atomically);
 *   - the booking is refused and the hold is gone → `abandon` voids at once;
 *   - anything else (hold kept, crash, timeout) → the attempt row stays: a retry of the confirm
 *     replays the same authorization, and the payment sweep voids attempts older than any hold
 *     can live (ORPHAN_AFTER_MS).
 */

/** Older than the longest a hold can live (TTL ≤ 30 min, × 3 with extensions) with a margin. */
export const ORPHAN_AFTER_MS = 2 * 3600_000;

export interface PreparedPayment {
  row: NewBookingPayment;
  attempt: PaymentAttempt | null;
}

const cardHash = (paymentMethod: string) => createHash('sha256').update(paymentMethod.replace(/[\s-]/g, '')).digest('hex').slice(0, 16);
export const authorizeKey = (holdId: string, paymentMethod: string) => providerIdempotencyKey('hold', holdId, `authorize-${cardHash(paymentMethod)}`);
const orphanVoidKey = (attemptKey: string) => `${attemptKey}:void`;

export function createConfirmPayments(deps: {
  provider: PaymentProvider;
  store: BookingPaymentStore;
  /** The workshop's policy and commission rates now (money-settings termsFor). */
  terms: (workshopId: string) => Promise<{ policy: MoneyPolicy; rates: CommissionRates }>;
  clock: Clock;
}) {
  const { provider, store, clock } = deps;

  async function voidAttempt(a: PaymentAttempt): Promise<void> {
    let paymentId = a.paymentId;
    if (!paymentId) {
      // The process stopped between authorizing and writing down the answer: the same key makes the
      // provider answer again (its stored result) or, if it never acted, authorize now — voided below.
      try {
        paymentId = (await provider.authorize({ idempotencyKey: a.idempotencyKey, amount: a.amount, currency: a.currency.toLowerCase(), customerId: a.customerId, paymentMethod: a.paymentMethod })).paymentId;
      } catch (err) {
        if ((err as { retryable?: boolean }).retryable) throw err;
        // Still waiting for the customer's 3-D Secure check: that payment is the one to void.
        const waiting = err instanceof PaymentError && err.failure === 'requires_action' ? err.paymentId : undefined;
        if (!waiting) return; // a final refusal: nothing was reserved
        paymentId = waiting;
      }
    }
    try {
      await provider.void({ idempotencyKey: orphanVoidKey(a.idempotencyKey), paymentId });
    } catch (err) {
      const failure = (err as { failure?: string }).failure;
      // Already lapsed or no longer voidable: nothing is held any more.
      if (failure !== 'authorization_expired' && failure !== 'invalid_state') throw err;
    }
  }

  return {
    /**
     * The booking's payment row, authorizing the card first when the policy takes money at booking.
     * Throws PaymentError (declined: 402, outage: 503 retryable, requires_action: 402 with the
     * client secret for 3-D Secure) or PAYMENT_METHOD_REQUIRED; the hold is untouched either way.
     */
    async prepare(q: {
      customerId: string; holdId: string; workshopId: string; category: string;
      priceCents: number; currency: string; startsAt: Date; paymentMethod?: string;
    }): Promise<PreparedPayment> {
      const { policy, rates } = await deps.terms(q.workshopId);
      const money = bookingMoney({ price: q.priceCents, startsAt: q.startsAt, category: q.category, policy, rates });
      const base = {
        mode: policy.paymentMode, currency: q.currency, price: money.price, commissionBps: money.commissionBps,
        lateCancelFee: money.cancellationFeeAt(new Date(money.freeCancelUntil.getTime() + 1)), noShowFee: money.noShowFee,
        freeCancelUntil: money.freeCancelUntil, freeCancelHours: policy.freeCancelHours,
      };
      if (money.authorize === 0) {
        return { row: { ...base, provider: null, paymentId: null, authorized: 0, authorizationExpiresAt: null, attemptKey: null }, attempt: null };
      }
      const paymentMethod = q.paymentMethod?.trim();
      if (!paymentMethod) throw new DomainError('PAYMENT_METHOD_REQUIRED', 'This workshop takes payment when you book: add a card to confirm');
      const stored = await store.recordAttempt({
        idempotencyKey: authorizeKey(q.holdId, paymentMethod), holdId: q.holdId, customerId: q.customerId, provider: provider.name,
        paymentMethod, amount: money.authorize, currency: q.currency, createdAt: new Date(clock.now()),
      });
      let auth;
      try {
        auth = await provider.authorize({
          idempotencyKey: stored.idempotencyKey, amount: stored.amount, currency: stored.currency.toLowerCase(), customerId: q.customerId, paymentMethod,
          description: 'Holdfast booking', metadata: { holdId: q.holdId, workshopId: q.workshopId },
        });
      } catch (err) {
        // 3-D Secure: nothing is booked, the hold is kept, and the payment waiting for the customer is
        // written down (the confirm sent again after the check replays this key; else the sweep voids it).
        if (err instanceof PaymentError && err.failure === 'requires_action' && err.paymentId && stored.paymentId !== err.paymentId) {
          await store.attemptAuthorized(stored.idempotencyKey, err.paymentId);
        }
        throw err;
      }
      if (stored.paymentId !== auth.paymentId) await store.attemptAuthorized(stored.idempotencyKey, auth.paymentId);
      return {
        row: { ...base, provider: provider.name, paymentId: auth.paymentId, authorized: auth.amount, authorizationExpiresAt: new Date(auth.expiresAt), attemptKey: stored.idempotencyKey },
        attempt: { ...stored, paymentId: auth.paymentId },
      };
    },

    /**
     * The booking was refused and its hold is gone, so this authorization can never be used: void it
     * now, unless a booking took it meanwhile (a twin request committing: its transaction deleted the
     * attempt row, and `takeAttempt` then finds nothing). Failures are left to the sweep.
     */
    async abandon(p: PreparedPayment): Promise<void> {
      if (!p.attempt) return;
      if (!(await store.takeAttempt(p.attempt.idempotencyKey))) return;
      try {
        await voidAttempt(p.attempt);
      } catch {
        await store.restoreAttempt(p.attempt);
      }
    },

    /** Voids authorizations that no booking took (attempts older than ORPHAN_AFTER_MS); several processes may run it. */
    async sweepOrphans(limit = 50): Promise<number> {
      const stale = await store.staleAttempts(new Date(clock.now() - ORPHAN_AFTER_MS), limit);
      let voided = 0;
      for (const a of stale) {
        try {
          await voidAttempt(a);
          await store.dropAttempt(a.idempotencyKey);
          voided++;
        } catch {
          // Provider down: the row stays for the next pass.
        }
      }
      return voided;
    },
  };
}

export type ConfirmPayments = ReturnType<typeof createConfirmPayments>;
