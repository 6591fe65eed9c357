import type { BookingView } from '@shared/schemas/booking';
import type { DisputeOutcome, DisputeStatus, DisputeView, OpenDisputeInput, ResolveDisputeInput } from '@shared/schemas/dispute';
import type { Principal } from '../actor';
import type { BookingRecord, BookingStore } from '../booking-ports';
import { bookingView, canSee } from '../bookings';
import type { Clock } from '../clock';
import { DomainError, forbidden, notFound } from '../errors';
import type { PaymentProvider } from '../payment-ports';
import { releaseDueAt } from './booking-money';
import type { BookingPayment, BookingPaymentStore } from './booking-payment-ports';
import type { DisputePublisher, DisputeRecord, DisputeStore } from './dispute-ports';
import type { LedgerMovements } from './ledger-movements';

export interface DisputeQueueEntry {
  dispute: DisputeView;
  booking: BookingView;
  money: { captured: number; refunded: number; escrowed: number; released: boolean };
}

/** The provider's idempotency key of a dispute's refund: one refund per dispute, whatever retries. */
export const disputeRefundKey = (disputeId: string) => `dispute:${disputeId}:refund`;

const view = ({ customerId: _c, decided: _d, ...v }: DisputeRecord): DisputeView => v;

/**
 * Bookings a customer may dispute: a completed job, and bookings that ended charging a fee (a late
 * cancellation, a no-show): the customer may contest the fee ("I was there") within the same window.
 */
const DISPUTABLE: ReadonlySet<string> = new Set(['completed', 'cancelled', 'no_show']);
/** The booking events that end a disputable booking (the window's start when the payment row has none). */
const ENDING_EVENTS: ReadonlySet<string> = new Set(['completed', 'cancelled', 'no_show']);

/**
 * The booking's payment is still moving: a provider call pending, or an early capture whose part
 * above the fee owed has not gone back yet. A refund decided now could overlap it.
 */
function stillSettling(p: BookingPayment): boolean {
  if (p.pending) return true;
  return p.status === 'captured' && p.feeOwed !== null && p.captured - p.refunded > Math.min(p.feeOwed, p.captured);
}

/**
 * Disputes on paid bookings (docs/money.md "Disputes"): a completed job, or a late-cancellation or
 * no-show fee. The booking's customer opens one within DISPUTE_WINDOW_HOURS of the booking's end
 * (completion, cancellation, no-show); while it is open the escrow is not released
 * (`hasOpenDispute`). An admin resolves it: a full or partial refund (the provider refunds under a
 * key named after the dispute, then the ledger records it: from escrow before release, from the
 * released shares after) or a release to the workshop. The decision is recorded before any money
 * moves and is fixed from then on, so a resolution cut short (provider down, crash) is finished by
 * asking again with the same decision, and never refunds twice.
 */
export function createDisputes(deps: {
  bookings: Pick<BookingStore, 'findById' | 'events'>;
  disputes: DisputeStore;
  ledger: Pick<LedgerMovements, 'position' | 'refund' | 'release'>;
  provider: Pick<PaymentProvider, 'refund'>;
  /** The booking's payment at the provider (booking_payment): its id to refund, and its totals to keep. */
  payments: Pick<BookingPaymentStore, 'findBookingPayment' | 'recordRefund' | 'markReleased'>;
  publisher: DisputePublisher;
  clock: Clock;
  disputeWindowHours: number;
}) {
  const { bookings, disputes, ledger, clock } = deps;

  async function visibleBooking(actor: Principal, bookingId: string) {
    const b = await bookings.findById(bookingId);
    if (!b || !canSee(actor, b)) throw notFound('Booking');
    return b;
  }

  /**
   * When the booking ended (completed, cancelled, no-show): the payment row's instant (the domain
   * clock's, the same the escrow release counts from), else the booking's ending event.
   */
  async function endedAt(bookingId: string, payment?: BookingPayment | null): Promise<Date | null> {
    const p = payment === undefined ? await deps.payments.findBookingPayment(bookingId) : payment;
    const paid = p?.endedAt ?? p?.completedAt;
    if (paid) return paid;
    const done = (await bookings.events(bookingId)).findLast((e) => ENDING_EVENTS.has(e.type));
    return done ? new Date(done.at) : null;
  }

  const announce = (d: DisputeRecord, b: BookingRecord) =>
    deps.publisher.bookingDispute({ dispute: view(d), customerId: b.customerId, workshopId: b.workshopId });

  /** The decision to carry out: the recorded one, which a repeated request must match. */
  function sameDecision(d: DisputeRecord, input: ResolveDisputeInput): { outcome: DisputeOutcome; amount: number | null } {
    const decided = d.decided!;
    const asked = input.outcome === 'partial_refund' ? input.amountMinor : undefined;
    if (decided.outcome !== input.outcome || (asked !== undefined && asked !== decided.amount)) {
      throw new DomainError('CONFLICT', `This dispute is already being resolved as ${decided.outcome}${decided.amount !== null ? ` of ${decided.amount}` : ''}; repeat that decision to finish it`, { decided });
    }
    return decided;
  }

  return {
    /** The booking's customer reports a problem (once per booking). */
    async open(actor: Principal, bookingId: string, input: OpenDisputeInput): Promise<DisputeView> {
      const b = await bookings.findById(bookingId);
      if (!b || b.customerId !== actor.id) throw notFound('Booking');
      if (!DISPUTABLE.has(b.status)) throw new DomainError('INVALID_TRANSITION', 'Only a completed job, or a cancellation or no-show that was charged a fee, can be disputed');
      const done = await endedAt(bookingId);
      const closesAt = done ? releaseDueAt(done, deps.disputeWindowHours) : null;
      if (!closesAt || clock.now() > closesAt.getTime()) {
        throw new DomainError('DISPUTE_WINDOW_CLOSED', `Problems can be reported up to ${deps.disputeWindowHours} hours after the booking ended`, { closedAt: closesAt?.toISOString() ?? null });
      }
      const pos = await ledger.position(bookingId);
      if (pos.captured - pos.refunded <= 0) {
        throw new DomainError('NOTHING_CAPTURED', 'Nothing was paid through Holdfast for this booking, so there is nothing to refund; contact the workshop directly');
      }
      const d = await disputes.open({ bookingId, customerId: actor.id, reason: input.reason, text: input.text.trim(), currency: b.currency, at: new Date(clock.now()) });
      if (!d) throw new DomainError('CONFLICT', 'A problem was already reported for this booking');
      announce(d, b);
      return view(d);
    },

    /**
     * The booking's dispute (null when none) and until when a problem can be reported (null unless
     * the booking is completed, or cancelled or a no-show with a fee charged): its customer, its
     * workshop's owner and admins.
     */
    async forBooking(actor: Principal, bookingId: string): Promise<{ dispute: DisputeView | null; openUntil: string | null }> {
      const b = await visibleBooking(actor, bookingId);
      const endedWithFee = async () => {
        const p = await deps.payments.findBookingPayment(bookingId);
        return p && p.fee > 0 ? endedAt(bookingId, p) : null;
      };
      const [d, done] = await Promise.all([
        disputes.forBooking(bookingId),
        b.status === 'completed' ? endedAt(bookingId) : DISPUTABLE.has(b.status) ? endedWithFee() : null,
      ]);
      return { dispute: d ? view(d) : null, openUntil: done ? releaseDueAt(done, deps.disputeWindowHours).toISOString() : null };
    },

    /** Admins only (the route checks the role too): the queue, oldest first, with each booking and its money. */
    async queue(actor: Principal, status: DisputeStatus | undefined, limit: number): Promise<DisputeQueueEntry[]> {
      if (actor.role !== 'admin') throw forbidden('Only admins see the dispute queue');
      const rows = await disputes.queue(status, limit);
      const entries = await Promise.all(rows.map(async (d) => {
        const [record, pos] = await Promise.all([bookings.findById(d.bookingId), ledger.position(d.bookingId)]);
        if (!record) return null;
        const booking = bookingView(record);
        return { dispute: view(d), booking, money: { captured: pos.captured, refunded: pos.refunded, escrowed: pos.escrowed, released: pos.releaseTxnId !== null } };
      }));
      return entries.filter((e): e is DisputeQueueEntry => e !== null);
    },

    /** An admin settles an open dispute; each outcome is a ledger transaction and a booking event. */
    async resolve(actor: Principal, disputeId: string, input: ResolveDisputeInput): Promise<DisputeView> {
      if (actor.role !== 'admin') throw forbidden('Only admins resolve disputes');
      let d = await disputes.byId(disputeId);
      if (!d) throw notFound('Dispute');
      if (d.status === 'resolved') throw new DomainError('CONFLICT', `This dispute was already resolved (${d.outcome})`);
      const b = await bookings.findById(d.bookingId);
      if (!b) throw notFound('Booking');
      const payment = await deps.payments.findBookingPayment(b.id);
      if (!payment?.paymentId) throw new DomainError('PAYMENT_STATE_CONFLICT', 'The booking has no payment at the provider');
      if (!d.decided && stillSettling(payment)) {
        throw new DomainError('PAYMENT_STATE_CONFLICT', 'The booking\'s payment is still being settled with the card processor; try again in a few minutes');
      }

      if (!d.decided) {
        const pos = await ledger.position(b.id);
        const refundable = pos.captured - pos.refunded;
        const amount = input.outcome === 'full_refund' ? refundable : input.outcome === 'partial_refund' ? input.amountMinor : null;
        if (amount !== null && (amount <= 0 || amount > refundable)) {
          throw new DomainError('REFUND_TOO_LARGE', `At most ${refundable} (minor units) is left to refund on this booking`, { refundableMinor: refundable });
        }
        d = await disputes.decide(d.id, { outcome: input.outcome, amount, by: actor.id, at: new Date(clock.now()) });
      }
      const decision = sameDecision(d, input);

      let refunded = 0;
      if (decision.amount !== null) {
        // Provider first: the ledger records money that moved. A retry replays both (same key, same cause).
        const refund = await deps.provider.refund({ paymentId: payment.paymentId, amount: decision.amount, idempotencyKey: disputeRefundKey(d.id) });
        const posted = await ledger.refund({ bookingId: b.id, key: `dispute:${d.id}`, workshopId: b.workshopId, currency: b.currency, amount: refund.amount });
        // The payment's totals follow the ledger once (a retry finds the transaction already posted).
        if (posted.created) await deps.payments.recordRefund(b.id, refund.amount);
        refunded = refund.amount;
      } else {
        await ledger.release({ bookingId: b.id, workshopId: b.workshopId, currency: b.currency, commissionBps: payment.commissionBps });
        await deps.payments.markReleased(b.id, new Date(clock.now()));
      }

      const done = await disputes.resolve(d.id, { refunded, note: input.note?.trim() || null, at: new Date(clock.now()), actorId: actor.id });
      // Someone finishing the same decision at the same moment got there first: theirs is the answer.
      const final = done ?? (await disputes.byId(d.id))!;
      if (done) announce(done, b);
      return view(final);
    },

    /** For the escrow release job: release waits while this is true. */
    hasOpenDispute: (bookingId: string) => disputes.hasOpen(bookingId),
  };
}

export type Disputes = ReturnType<typeof createDisputes>;
