import { describe, expect, it } from 'vitest';
import type { BookingPayment } from './booking-payment-ports';
import { feeOwedFor, paymentFor } from './payment-flow';

/* Which provider call each booking move decides (docs/money.md, "Money through a booking's life"). */

const START = new Date('2027-03-10T10:00:00Z');
const HOUR = 3_600_000;
const authorized: BookingPayment = {
  bookingId: 'b', mode: 'full', provider: 'simulated', paymentId: 'pi_1', currency: 'GBP', price: 5000, authorized: 5000,
  captured: 0, fee: 0, refunded: 0, commissionBps: 1000, lateCancelFee: 1000, noShowFee: 2500, freeCancelHours: 24,
  freeCancelUntil: new Date(START.getTime() - 24 * HOUR), status: 'authorized', authorizationExpiresAt: null, pending: null,
  completedAt: null, endedAt: null, feeOwed: null, releasedAt: null, createdAt: START, updatedAt: START,
};
const at = (hoursBeforeStart: number) => new Date(START.getTime() - hoursBeforeStart * HOUR);

describe('paymentFor', () => {
  it('voids on decline, expiry and a cancellation up to the free-cancel boundary (inclusive)', () => {
    expect(paymentFor(authorized, 'decline', at(48), START)).toEqual({ action: 'void', amount: null });
    expect(paymentFor(authorized, 'expire', at(48), START)).toEqual({ action: 'void', amount: null });
    expect(paymentFor(authorized, 'cancel', at(24), START)).toEqual({ action: 'void', amount: null });
  });

  it('captures the late fee a moment after the boundary, the no-show fee, and everything at completion', () => {
    expect(paymentFor(authorized, 'cancel', new Date(at(24).getTime() + 1), START)).toEqual({ action: 'fee_capture', amount: 1000 });
    expect(paymentFor(authorized, 'no-show', at(-1), START)).toEqual({ action: 'fee_capture', amount: 2500 });
    expect(paymentFor(authorized, 'complete', at(-2), START)).toEqual({ action: 'capture', amount: 5000 });
  });

  it('the workshop cancelling (disruption) voids at any time: no late fee', () => {
    expect(paymentFor(authorized, 'workshop-cancel', at(1), START)).toEqual({ action: 'void', amount: null });
    expect(feeOwedFor(authorized, 'workshop-cancel', at(1), START)).toBe(0);
    expect(paymentFor({ ...authorized, status: 'captured', captured: 5000 }, 'workshop-cancel', at(1), START)).toEqual({ action: 'refund', amount: 5000 });
  });

  it('the free-cancel boundary follows the booking when it moves (computed from its current start)', () => {
    const moved = new Date(START.getTime() + 72 * HOUR);
    expect(paymentFor(authorized, 'cancel', at(2), moved)).toEqual({ action: 'void', amount: null });
  });

  it('a fee of 0 voids; a fee is never more than what was authorized', () => {
    expect(paymentFor({ ...authorized, noShowFee: 0 }, 'no-show', at(-1), START)).toEqual({ action: 'void', amount: null });
    expect(paymentFor({ ...authorized, authorized: 800 }, 'cancel', at(1), START)).toEqual({ action: 'fee_capture', amount: 800 });
  });

  it('nothing for moves that keep the money where it is, paid-at-the-workshop bookings, settled or busy rows', () => {
    expect(paymentFor(authorized, 'accept', at(48), START)).toBeNull();
    expect(paymentFor(authorized, 'start', at(0), START)).toBeNull();
    expect(paymentFor(null, 'cancel', at(1), START)).toBeNull();
    expect(paymentFor({ ...authorized, status: 'at_workshop', provider: null, paymentId: null, authorized: 0 }, 'no-show', at(-1), START)).toBeNull();
    expect(paymentFor({ ...authorized, status: 'voided' }, 'cancel', at(1), START)).toBeNull();
    expect(paymentFor({ ...authorized, pending: { action: 'void', amount: null, eventId: null, attempts: 0, lastError: null, nextAttemptAt: null } }, 'cancel', at(1), START)).toBeNull();
  });

  describe('a booking captured early (its authorization was about to lapse)', () => {
    const early: BookingPayment = { ...authorized, status: 'captured', captured: 5000 };

    it('gives back everything above the fee owed when it ends without completion', () => {
      expect(paymentFor(early, 'cancel', at(24), START)).toEqual({ action: 'refund', amount: 5000 });
      expect(paymentFor(early, 'cancel', new Date(at(24).getTime() + 1), START)).toEqual({ action: 'refund', amount: 4000 });
      expect(paymentFor(early, 'no-show', at(-1), START)).toEqual({ action: 'refund', amount: 2500 });
      expect(paymentFor(early, 'decline', at(48), START)).toEqual({ action: 'refund', amount: 5000 });
      expect(paymentFor(early, 'expire', at(48), START)).toEqual({ action: 'refund', amount: 5000 });
    });

    it('nothing when the fee is all it holds, at completion, once ended, or with a call pending', () => {
      const deposit = { ...early, authorized: 1250, captured: 1250, lateCancelFee: 1250, noShowFee: 1250 };
      expect(paymentFor(deposit, 'no-show', at(-1), START)).toBeNull();
      expect(paymentFor(deposit, 'cancel', at(1), START)).toBeNull();
      expect(paymentFor(early, 'complete', at(-2), START)).toBeNull();
      expect(paymentFor(early, 'start', at(0), START)).toBeNull();
      expect(paymentFor({ ...early, endedAt: at(1) }, 'cancel', at(1), START)).toBeNull();
      expect(paymentFor({ ...early, pending: { action: 'capture', amount: 5000, eventId: null, attempts: 1, lastError: 'down', nextAttemptAt: null } }, 'cancel', at(1), START)).toBeNull();
    });
  });

  it('the fee owed: by the same rule as the calls, for card payments ending without completion only', () => {
    expect(feeOwedFor(authorized, 'cancel', at(24), START)).toBe(0);
    expect(feeOwedFor(authorized, 'cancel', at(1), START)).toBe(1000);
    expect(feeOwedFor(authorized, 'no-show', at(-1), START)).toBe(2500);
    expect(feeOwedFor({ ...authorized, authorized: 800 }, 'no-show', at(-1), START)).toBe(800);
    expect(feeOwedFor(authorized, 'decline', at(48), START)).toBe(0);
    expect(feeOwedFor(authorized, 'expire', at(48), START)).toBe(0);
    expect(feeOwedFor(authorized, 'complete', at(-2), START)).toBeNull();
    expect(feeOwedFor(authorized, 'accept', at(48), START)).toBeNull();
    expect(feeOwedFor(null, 'cancel', at(1), START)).toBeNull();
    expect(feeOwedFor({ ...authorized, status: 'at_workshop', provider: null, paymentId: null, authorized: 0 }, 'no-show', at(-1), START)).toBeNull();
  });
});
