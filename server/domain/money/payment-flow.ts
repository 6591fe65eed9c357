import type { BookingAction } from '@shared/booking-status';
import type { Clock } from '../clock';
import { PaymentError } from '../payment-errors';
import { bookingPaymentKey } from '../payment-keys';
import type { PaymentProvider } from '../payment-ports';
import { releasable } from './booking-money';
import type { BookingPayment, BookingPaymentStore, PendingPaymentAction } from './booking-payment-ports';
import type { LedgerMovements } from './ledger-movements';

/*
 * Money follows the booking (docs/money.md, "Money through a booking's life"). The card is
 * authorized at confirm and captured at COMPLETION; until then every way out releases it or takes
 * only a fee from it:
 *   decline, an unanswered request expiring, a free cancellation → void;
 *   a late cancellation, a no-show → capture the fee (partial capture; the rest is released);
 *   completion → capture the authorized amount.
 * An authorization that would lapse before then is captured early by the sweep (CAPTURE_BEFORE_LAPSE_MS);
 * a booking captured early that then ends without completion gets back everything above the fee it
 * owes (`refund`), also when the early capture was still being made as it ended (`scheduleOwedRefund`
 * after that capture settles).
 * Whatever a booking keeps (a completion's capture, a fee) is released to the workshop
 * DISPUTE_WINDOW_HOURS after the booking ended, unless a dispute is open.
 * The call a move decides is written on the payment row in the move's own transaction
 * (TransitionWrite.payment); `run` makes it after COMMIT, and the sweep retries whatever failed.
 * Each booking has one capture key and one void key, so a retry (or a second process) never acts
 * twice at the provider, and each ledger cause is posted once.
 */

/** An authorization due to lapse within this is captured now rather than lost (Stripe's: 7 days). */
export const CAPTURE_BEFORE_LAPSE_MS = 24 * 3600_000;
/** The ledger key (cause booking:<id>:refund:early-capture) of the refund of an early capture's unkept part. */
export const EARLY_CAPTURE_REFUND = 'early-capture';
/** Retries of a failed provider call: 1 min, 2, 4 … at most an hour apart. */
const backoffMs = (attempts: number) => Math.min(60_000 * 2 ** attempts, 3600_000);

/**
 * `workshop-cancel`: the workshop cancelled (disruption): like a decline, the customer owes nothing
 * and gets back everything (void, or a full refund of an early capture).
 */
export type MoneyAction = BookingAction | 'expire' | 'workshop-cancel';

/**
 * The fee a card-paid booking owes when this move ends it other than by completion (0: a free
 * cancellation, a decline, an expiry, a no-show without a fee); null for any other move (or no card).
 * Never more than was authorized.
 */
export function feeOwedFor(p: BookingPayment | null, action: MoneyAction, at: Date, startsAt: Date): number | null {
  if (!p || p.provider === null) return null;
  switch (action) {
    case 'decline':
    case 'expire':
    case 'workshop-cancel':
      return 0;
    case 'cancel': {
      const freeUntil = startsAt.getTime() - p.freeCancelHours * 3600_000;
      return at.getTime() <= freeUntil ? 0 : Math.min(p.lateCancelFee, p.authorized);
    }
    case 'no-show':
      return Math.min(p.noShowFee, p.authorized);
    default:
      return null;
  }
}

/** The provider call a move of this booking decides, or null (nothing to do at the provider). */
export function paymentFor(p: BookingPayment | null, action: MoneyAction, at: Date, startsAt: Date): { action: PendingPaymentAction; amount: number | null } | null {
  if (!p || p.pending) return null;
  if (p.status === 'captured') {
    // Captured early (the authorization was about to lapse) and now ending without completion:
    // everything above the fee owed goes back. (A completion keeps it all; a capture still being
    // made when the booking ends is followed up by `scheduleOwedRefund` once it settles.)
    const owed = feeOwedFor(p, action, at, startsAt);
    if (owed === null || p.endedAt) return null;
    const back = p.captured - p.refunded - Math.min(owed, p.captured);
    return back > 0 ? { action: 'refund', amount: back } : null;
  }
  if (p.status !== 'authorized') return null;
  switch (action) {
    case 'decline':
    case 'expire':
    case 'workshop-cancel':
      return { action: 'void', amount: null };
    case 'cancel': {
      const freeUntil = startsAt.getTime() - p.freeCancelHours * 3600_000;
      const fee = at.getTime() <= freeUntil ? 0 : Math.min(p.lateCancelFee, p.authorized);
      return fee > 0 ? { action: 'fee_capture', amount: fee } : { action: 'void', amount: null };
    }
    case 'no-show': {
      const fee = Math.min(p.noShowFee, p.authorized);
      return fee > 0 ? { action: 'fee_capture', amount: fee } : { action: 'void', amount: null };
    }
    case 'complete':
      return { action: 'capture', amount: p.authorized };
    default:
      return null;
  }
}

export function createPaymentFlow(deps: {
  provider: PaymentProvider;
  store: BookingPaymentStore;
  ledger: LedgerMovements;
  clock: Clock;
  disputeWindowHours: number;
  /** Whether the booking has an open dispute (release waits). The disputes work fills it; false until then. */
  hasOpenDispute: (bookingId: string) => Promise<boolean>;
  /** Booking facts the ledger needs (customer, workshop). */
  bookingOf: (bookingId: string) => Promise<{ customerId: string; workshopId: string; status: string } | null>;
  onError?: (err: unknown, bookingId: string) => void;
}) {
  const { provider, store, ledger, clock } = deps;
  const now = () => new Date(clock.now());

  /**
   * Makes the booking's pending provider call (if any), posts what it moved, and settles the row;
   * then, if the booking ended while an early capture was being made, records (and makes) the refund
   * of what it holds above the fee it owes.
   */
  async function run(bookingId: string): Promise<BookingPayment | null> {
    const p = await store.findBookingPayment(bookingId);
    if (!p?.paymentId) return p;
    if (!p.pending) {
      if (!(await store.scheduleOwedRefund(bookingId, now()))) return p;
      return run(bookingId);
    }
    const { action, amount, eventId } = p.pending;
    try {
      if (action === 'void') {
        await provider.void({ idempotencyKey: bookingPaymentKey(bookingId, 'void'), paymentId: p.paymentId });
        await store.settle(bookingId, action, { status: 'voided' });
      } else if (action === 'refund') {
        const b = await deps.bookingOf(bookingId);
        if (!b) throw new Error(`booking ${bookingId} has a payment but no booking`);
        // Provider first (the ledger records money that moved); a retry replays both (one key, one cause).
        const refund = await provider.refund({ idempotencyKey: bookingPaymentKey(bookingId, 'refund'), paymentId: p.paymentId, amount: amount! });
        await ledger.refund({ bookingId, bookingEventId: eventId, key: EARLY_CAPTURE_REFUND, workshopId: b.workshopId, currency: p.currency, amount: refund.amount });
        await store.settleRefund(bookingId, refund.amount);
      } else {
        const b = await deps.bookingOf(bookingId);
        if (!b) throw new Error(`booking ${bookingId} has a payment but no booking`);
        const captured = await provider.capture({ idempotencyKey: bookingPaymentKey(bookingId, 'capture'), paymentId: p.paymentId, amount: amount ?? p.authorized });
        const posting = { bookingId, bookingEventId: eventId, customerId: b.customerId, currency: p.currency, amount: captured.amountCaptured, processorFee: 0 };
        if (action === 'fee_capture') await ledger.captureFee(posting);
        else await ledger.capture(posting);
        await store.settle(bookingId, action, { status: 'captured', captured: captured.amountCaptured, fee: action === 'fee_capture' ? captured.amountCaptured : 0 });
        // The booking may have ended (cancelled, declined, expired, no-show) while this early capture was made.
        if (action === 'capture' && (await store.scheduleOwedRefund(bookingId, now()))) return run(bookingId);
      }
    } catch (err) {
      if (err instanceof PaymentError && err.failure === 'authorization_expired' && action !== 'refund') {
        // Nothing can be taken any more: recorded as lapsed (an early capture should have prevented it).
        await store.settle(bookingId, action, { status: 'expired' });
        deps.onError?.(err, bookingId);
      } else if (err instanceof PaymentError && !err.retryable) {
        await store.failed(bookingId, action, `${err.code}: ${err.message}`, null);
        deps.onError?.(err, bookingId);
      } else {
        await store.failed(bookingId, action, err instanceof Error ? err.message : String(err), new Date(clock.now() + backoffMs(p.pending.attempts)));
        deps.onError?.(err, bookingId);
      }
    }
    return store.findBookingPayment(bookingId);
  }

  return {
    run,

    /**
     * Makes the calls that are due (new ones and retries), and records the refunds owed by bookings
     * that ended while their early capture was made (a process that stopped in between); several
     * processes may run it (keys and causes are idempotent).
     */
    async sweepPending(limit = 50): Promise<number> {
      const ids = [...new Set([...(await store.duePending(now(), limit)), ...(await store.owedRefunds(limit))])];
      for (const id of ids) await run(id);
      return ids.length;
    },

    /** Authorizations of open bookings that would lapse before completion are captured now. */
    async captureBeforeLapse(limit = 50): Promise<number> {
      const ids = await store.lapsingAuthorizations(new Date(clock.now() + CAPTURE_BEFORE_LAPSE_MS), limit);
      let n = 0;
      for (const id of ids) {
        const p = await store.findBookingPayment(id);
        if (!p || p.status !== 'authorized' || p.pending) continue;
        if (await store.schedule(id, 'capture', p.authorized, null, now())) {
          await run(id);
          n++;
        }
      }
      return n;
    },

    /**
     * Bookings that ended past the dispute window with no open dispute, keeping money (a completion's
     * capture, a late-cancellation or no-show fee): their escrow goes to the workshop's payable less
     * commission (ledger `release`, cause booking:<id>:release, posted once).
     */
    async releaseDue(limit = 50): Promise<number> {
      const windowMs = deps.disputeWindowHours * 3600_000;
      const due = await store.unreleased(new Date(clock.now() - windowMs), limit);
      let released = 0;
      for (const u of due) {
        const disputeOpen = await deps.hasOpenDispute(u.payment.bookingId);
        if (!releasable({ endedAt: u.endedAt, now: now(), disputeWindowHours: deps.disputeWindowHours, disputeOpen })) continue;
        await ledger.release({ bookingId: u.payment.bookingId, workshopId: u.workshopId, currency: u.payment.currency, commissionBps: u.payment.commissionBps });
        await store.markReleased(u.payment.bookingId, now());
        released++;
      }
      return released;
    },
  };
}

export type PaymentFlow = ReturnType<typeof createPaymentFlow>;
