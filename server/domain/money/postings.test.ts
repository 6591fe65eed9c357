import { describe, expect, it } from 'vitest';
import { positionOf } from './booking-position';
import type { BookingEntry, Posting } from './ledger-ports';
import { capturePosting, feeCapturePosting, payoutPosting, payoutReversalPosting, refundPosting, releasePosting } from './postings';

const B = '11111111-1111-4111-8111-111111111111';
const C = '22222222-2222-4222-8222-222222222222';
const W = '33333333-3333-4333-8333-333333333333';
const total = (p: Posting) => p.entries.reduce((s, e) => s + e.amount, 0);
const amounts = (p: Posting) => Object.fromEntries(p.entries.map((e) => [e.account.kind, e.amount]));

describe('postings', () => {
  it('capture: the customer pays into escrow whole; the processor fee is paid from revenue', () => {
    const p = capturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 4999, processorFee: 95 });
    expect(p).toMatchObject({ kind: 'capture', cause: `booking:${B}:capture`, bookingId: B, currency: 'GBP' });
    expect(amounts(p)).toEqual({ customer_funds: -4999, platform_escrow: 4999, platform_revenue: -95, processor_fees: 95 });
    expect(total(p)).toBe(0);
    // No fee: the zero entries are left out.
    expect(capturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 100, processorFee: 0 }).entries).toHaveLength(2);
    expect(() => capturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 100, processorFee: 101 })).toThrow();
    expect(() => capturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 0, processorFee: 0 })).toThrow();
    expect(() => capturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 10.5, processorFee: 0 })).toThrow(RangeError);
  });

  it('fee capture has its own cause, so it is never mistaken for the booking capture', () => {
    expect(feeCapturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 500, processorFee: 10 }).cause).toBe(`booking:${B}:fee-capture`);
  });

  it('release: escrow to the vendor payable less commission (half-even), commission to revenue', () => {
    const p = releasePosting({ bookingId: B, workshopId: W, currency: 'GBP', escrowed: 4999, commissionBps: 1500 });
    expect(amounts(p)).toEqual({ platform_escrow: -4999, vendor_payable: 4249, platform_revenue: 750 });
    expect(total(p)).toBe(0);
    // 100 % commission: the vendor entry is zero and left out.
    expect(amounts(releasePosting({ bookingId: B, workshopId: W, currency: 'GBP', escrowed: 10, commissionBps: 10_000 }))).toEqual({ platform_escrow: -10, platform_revenue: 10 });
  });

  it('refund before release comes out of escrow, and never more than it holds', () => {
    const p = refundPosting({ bookingId: B, key: 'd1', currency: 'GBP', amount: 1000, source: { from: 'escrow', escrowed: 4999 } });
    expect(p.cause).toBe(`booking:${B}:refund:d1`);
    expect(amounts(p)).toEqual({ platform_escrow: -1000, refunds: 1000 });
    expect(() => refundPosting({ bookingId: B, key: 'd2', currency: 'GBP', amount: 5000, source: { from: 'escrow', escrowed: 4999 } })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('refund after release is taken back from the vendor payable and the commission in proportion', () => {
    const p = refundPosting({ bookingId: B, key: 'd1', currency: 'GBP', amount: 2000, source: { from: 'released', workshopId: W, vendorShare: 4249, commission: 750 } });
    // 2000 × 750 / 4999 = 300.06 → 300 from revenue, 1700 from the payable.
    expect(amounts(p)).toEqual({ vendor_payable: -1700, platform_revenue: -300, refunds: 2000 });
    expect(total(p)).toBe(0);
    expect(() => refundPosting({ bookingId: B, key: 'd2', currency: 'GBP', amount: 5000, source: { from: 'released', workshopId: W, vendorShare: 4249, commission: 750 } })).toThrow();
  });

  it('payout and its reversal move the payable out and back', () => {
    expect(amounts(payoutPosting({ payoutId: 'p1', workshopId: W, currency: 'GBP', amount: 4249 }))).toEqual({ vendor_payable: -4249, vendor_payouts: 4249 });
    const r = payoutReversalPosting({ payoutId: 'p1', workshopId: W, currency: 'GBP', amount: 4249 });
    expect(r.cause).toBe('payout:p1:reversal');
    expect(amounts(r)).toEqual({ vendor_payouts: -4249, vendor_payable: 4249 });
  });

  it('a booking position adds its entries up (commission excludes the processor fee paid at capture)', () => {
    const posted = [
      capturePosting({ bookingId: B, customerId: C, currency: 'GBP', amount: 4999, processorFee: 95 }),
      releasePosting({ bookingId: B, workshopId: W, currency: 'GBP', escrowed: 4999, commissionBps: 1500 }),
      refundPosting({ bookingId: B, key: 'd1', currency: 'GBP', amount: 2000, source: { from: 'released', workshopId: W, vendorShare: 4249, commission: 750 } }),
    ];
    const entries: BookingEntry[] = posted.flatMap((p, i) => p.entries.map((e) => ({ txnId: `t${i}`, txnKind: p.kind, cause: p.cause, currency: p.currency, ...e })));
    expect(positionOf(entries)).toMatchObject({ captured: 4999, escrowed: 0, releaseTxnId: 't1', vendorShare: 2549, commission: 450, refunded: 2000 });
  });
});
