import type { LedgerPort, PostedTxn } from './ledger-ports';
import { positionOf } from './booking-position';
import { capturePosting, feeCapturePosting, payoutPosting, payoutReversalPosting, refundPosting, releasePosting, type CaptureInput, type RefundSource } from './postings';

/**
 * The money movements of a booking and a workshop, each one ledger transaction. Movements that
 * depend on where the booking's money is (release, refund) read its position and post under the
 * booking's ledger lock, so two of them can never spend the same escrow twice.
 */
export function createLedgerMovements(ledger: LedgerPort) {
  return {
    /** The booking's price or deposit captured from the card. */
    capture: (c: CaptureInput) => ledger.post(capturePosting(c)),
    /** A late-cancellation or no-show fee (the booking event that caused it says which). */
    captureFee: (c: CaptureInput) => ledger.post(feeCapturePosting(c)),

    /** Escrow → vendor payable less commission. Null when the booking has nothing in escrow and was never released. */
    release(r: { bookingId: string; bookingEventId?: string | null; workshopId: string; currency: string; commissionBps: number }): Promise<PostedTxn | null> {
      return ledger.forBooking(r.bookingId, async (tx) => {
        const pos = positionOf(await tx.bookingEntries(r.bookingId));
        if (pos.releaseTxnId) return { txnId: pos.releaseTxnId, created: false };
        if (pos.escrowed === 0) return null;
        return tx.post(releasePosting({ ...r, escrowed: pos.escrowed }));
      });
    },

    /** Refund `amount` to the customer: from escrow while it holds enough, else from the released shares. */
    refund(r: { bookingId: string; bookingEventId?: string | null; key: string; workshopId: string; currency: string; amount: number }): Promise<PostedTxn> {
      return ledger.forBooking(r.bookingId, async (tx) => {
        const pos = positionOf(await tx.bookingEntries(r.bookingId));
        const earlier = pos.causes.get(`booking:${r.bookingId}:refund:${r.key}`);
        if (earlier) return { txnId: earlier, created: false };
        const source: RefundSource = !pos.releaseTxnId || r.amount <= pos.escrowed
          ? { from: 'escrow', escrowed: pos.escrowed }
          : { from: 'released', workshopId: r.workshopId, vendorShare: pos.vendorShare, commission: pos.commission };
        return tx.post(refundPosting({ ...r, source }));
      });
    },

    payout: (p: { payoutId: string; workshopId: string; currency: string; amount: number }) => ledger.post(payoutPosting(p)),
    payoutFailed: (p: { payoutId: string; workshopId: string; currency: string; amount: number }) => ledger.post(payoutReversalPosting(p)),

    /** Where a booking's money is now. */
    position: (bookingId: string) => ledger.forBooking(bookingId, async (tx) => positionOf(await tx.bookingEntries(bookingId))),
  };
}

export type LedgerMovements = ReturnType<typeof createLedgerMovements>;
