import { describe, expect, it } from 'vitest';
import type { MoneyPolicy } from '@shared/schemas/money-policy';
import { bookingMoney, commissionBpsFor, DEFAULT_MONEY_POLICY, quoteBookingMoney, releasable, releaseDueAt, type CommissionRates } from './booking-money';

// A fixed instant: nothing here depends on today's date.
const START = new Date('2027-03-28T09:00:00Z');
const HOUR = 3_600_000;
const rates: CommissionRates = { platformDefaultBps: 1000, workshopBps: null, categoryBps: {} };
const policy = (p: Partial<MoneyPolicy>): MoneyPolicy => ({ ...DEFAULT_MONEY_POLICY, ...p });

describe('commission precedence', () => {
  it('category override beats workshop override beats platform default', () => {
    expect(commissionBpsFor(rates, 'brakes')).toBe(1000);
    const withWorkshop = { ...rates, workshopBps: 800 };
    expect(commissionBpsFor(withWorkshop, 'brakes')).toBe(800);
    const withCategory = { ...withWorkshop, categoryBps: { brakes: 500 } };
    expect(commissionBpsFor(withCategory, 'brakes')).toBe(500);
    expect(commissionBpsFor(withCategory, 'tyres')).toBe(800);
    // A category rate of 0 is a rate (commission-free), not "unset".
    expect(commissionBpsFor({ ...withCategory, categoryBps: { brakes: 0 } }, 'brakes')).toBe(0);
    expect(commissionBpsFor({ ...rates, workshopBps: 0 }, 'brakes')).toBe(0);
  });

  it('the booking terms carry the rate that applies and the commission on what is authorized', () => {
    const m = bookingMoney({ price: 4999, startsAt: START, category: 'brakes', policy: DEFAULT_MONEY_POLICY, rates: { ...rates, workshopBps: 800, categoryBps: { brakes: 1250 } } });
    expect(m.commissionBps).toBe(1250);
    expect(m.commission).toBe(625); // 624.875 → 625
  });
});

describe('what a booking authorizes', () => {
  it('full prepayment authorizes the price', () => {
    expect(bookingMoney({ price: 4999, startsAt: START, category: 'tyres', policy: policy({ paymentMode: 'full' }), rates }).authorize).toBe(4999);
  });

  it('a deposit authorizes its percentage of the price, rounded down', () => {
    const m = bookingMoney({ price: 4999, startsAt: START, category: 'tyres', policy: policy({ paymentMode: 'deposit', depositBps: 2000 }), rates });
    expect(m.authorize).toBe(999); // 999.8
    expect(m.commission).toBe(100); // 10 % of 999 = 99.9 → 100
  });

  it('paying at the workshop authorizes nothing, so no fee can be taken', () => {
    const m = bookingMoney({ price: 4999, startsAt: START, category: 'tyres', policy: policy({ paymentMode: 'at_workshop', lateCancelFeeBps: 5000, noShowFeeBps: 5000 }), rates });
    expect([m.authorize, m.commission, m.noShowFee, m.cancellationFeeAt(START)]).toEqual([0, 0, 0, 0]);
  });

  it('prices the customer choice the way a hold does (options) before applying the policy', () => {
    const m = quoteBookingMoney({
      service: { basePriceCents: 10_000, category: 'brakes', options: { skillTiers: [{ id: 'master', label: 'Master', multiplier: 1.5 }], urgency: [{ id: 'today', label: 'Today', multiplier: 1.2 }] } },
      choice: { skillTier: 'master', urgency: 'today' },
      startsAt: START,
      policy: policy({ paymentMode: 'deposit', depositBps: 2500 }),
      rates,
    });
    expect([m.price, m.authorize]).toEqual([18_000, 4_500]);
    expect(() => quoteBookingMoney({ service: { basePriceCents: 100, category: 'x', options: { skillTiers: [], urgency: [] } }, choice: { skillTier: 'nope' }, startsAt: START, policy: DEFAULT_MONEY_POLICY, rates }))
      .toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('cancellation and no-show fees', () => {
  const late = policy({ freeCancelHours: 24, lateCancelFeeBps: 5000, noShowFeeBps: 10_000 });

  it('cancelling up to exactly N hours before the start is free; one millisecond later costs the fee', () => {
    const m = bookingMoney({ price: 4999, startsAt: START, category: 'tyres', policy: late, rates });
    const boundary = new Date(START.getTime() - 24 * HOUR);
    expect(m.freeCancelUntil).toEqual(boundary);
    expect(m.cancellationFeeAt(new Date(boundary.getTime() - 1))).toBe(0);
    expect(m.cancellationFeeAt(boundary)).toBe(0);
    expect(m.cancellationFeeAt(new Date(boundary.getTime() + 1))).toBe(2499); // 2499.5 rounded down
    expect(m.cancellationFeeAt(START)).toBe(2499);
    expect(m.noShowFee).toBe(4999);
  });

  it('freeCancelHours 0 makes every cancellation before the start free', () => {
    const m = bookingMoney({ price: 4999, startsAt: START, category: 'tyres', policy: policy({ freeCancelHours: 0, lateCancelFeeBps: 5000 }), rates });
    expect(m.cancellationFeeAt(new Date(START.getTime() - 1))).toBe(0);
    expect(m.cancellationFeeAt(new Date(START.getTime() + 1))).toBe(2499);
  });

  it('a fee never exceeds what was authorized (a deposit caps it)', () => {
    const m = bookingMoney({ price: 10_000, startsAt: START, category: 'tyres', policy: { ...late, paymentMode: 'deposit', depositBps: 1000 }, rates });
    expect(m.authorize).toBe(1000);
    expect(m.cancellationFeeAt(START)).toBe(1000);
    expect(m.noShowFee).toBe(1000);
  });
});

describe('escrow release window', () => {
  const endedAt = new Date('2027-03-27T23:30:00Z');
  it('releases once the end (completion, a late cancellation or no-show) plus the dispute window has passed, never while a dispute is open', () => {
    expect(releaseDueAt(endedAt, 72)).toEqual(new Date('2027-03-30T23:30:00Z'));
    const just = new Date('2027-03-30T23:30:00Z');
    expect(releasable({ endedAt, now: new Date(just.getTime() - 1), disputeWindowHours: 72, disputeOpen: false })).toBe(false);
    expect(releasable({ endedAt, now: just, disputeWindowHours: 72, disputeOpen: false })).toBe(true);
    expect(releasable({ endedAt, now: just, disputeWindowHours: 72, disputeOpen: true })).toBe(false);
  });
});
