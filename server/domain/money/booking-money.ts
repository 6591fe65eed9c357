import type { MoneyPolicy } from '@shared/schemas/money-policy';
import { priceFor, type OptionChoice, type ServiceOptions } from '@shared/service-options';
import { DomainError } from '../errors';
import { assertMinor, percentFloor, percentHalfEven } from './minor-units';

/** A workshop that never set its policy: full prepayment, free cancellation until 24 h before, no fees. */
export const DEFAULT_MONEY_POLICY: MoneyPolicy = { paymentMode: 'full', depositBps: null, freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 };

/** The commission rates that may apply to one workshop's bookings. */
export interface CommissionRates {
  /** COMMISSION_DEFAULT_BPS. */
  platformDefaultBps: number;
  /** The workshop's negotiated rate, if an admin set one. */
  workshopBps: number | null;
  /** Rates for the workshop's services of a category, if an admin set them. */
  categoryBps: Partial<Record<string, number>>;
}

/** The most specific rate wins: the service's category, then the workshop, then the platform default. */
export function commissionBpsFor(rates: CommissionRates, category: string): number {
  return rates.categoryBps[category] ?? rates.workshopBps ?? rates.platformDefaultBps;
}

const HOUR = 3_600_000;

/** What a booking costs in money terms, computed by the server (the client never sends amounts). */
export interface BookingMoney {
  price: number;
  /** Authorized on the card at confirm: the price, the deposit, or 0 when paying at the workshop. */
  authorize: number;
  /** Commission on the authorized amount if all of it is captured (commission applies to money captured through the platform). */
  commissionBps: number;
  commission: number;
  /** Cancelling at or before this instant is free. */
  freeCancelUntil: Date;
  /** Captured if the customer does not turn up. */
  noShowFee: number;
  /** The fee for cancelling at `at` (0 up to `freeCancelUntil` inclusive). */
  cancellationFeeAt(at: Date): number;
}

/**
 * Money terms of a booking of `price` under `policy`. Fees are percentages of the price, rounded
 * down, and never more than was authorized (only an authorized amount can be captured); in
 * pay-at-the-workshop mode nothing is authorized, so no fee can be taken.
 */
export function bookingMoney(b: { price: number; startsAt: Date; category: string; policy: MoneyPolicy; rates: CommissionRates }): BookingMoney {
  const price = assertMinor(b.price, 'price');
  const { policy } = b;
  const authorize = policy.paymentMode === 'full' ? price
    : policy.paymentMode === 'deposit' ? percentFloor(price, policy.depositBps ?? 0)
    : 0;
  const fee = (bps: number) => Math.min(percentFloor(price, bps), authorize);
  const commissionBps = commissionBpsFor(b.rates, b.category);
  const freeCancelUntil = new Date(b.startsAt.getTime() - policy.freeCancelHours * HOUR);
  const lateFee = fee(policy.lateCancelFeeBps);
  return {
    price,
    authorize,
    commissionBps,
    commission: percentHalfEven(authorize, commissionBps),
    freeCancelUntil,
    noShowFee: fee(policy.noShowFeeBps),
    cancellationFeeAt: (at) => (at.getTime() <= freeCancelUntil.getTime() ? 0 : lateFee),
  };
}

/** `bookingMoney` from the service and the customer's option choice (the price as a hold quotes it). */
export function quoteBookingMoney(q: {
  service: { basePriceCents: number; options: ServiceOptions; category: string };
  choice: OptionChoice;
  startsAt: Date;
  policy: MoneyPolicy;
  rates: CommissionRates;
}): BookingMoney {
  const priced = priceFor(q.service.basePriceCents, q.service.options, q.choice);
  if (!priced.ok) throw new DomainError('VALIDATION_FAILED', priced.reason);
  return bookingMoney({ price: priced.priceCents, startsAt: q.startsAt, category: q.service.category, policy: q.policy, rates: q.rates });
}

/**
 * When an ended booking's escrow may be released (and until when it may be disputed): the moment it
 * ended (completion, or the late cancellation / no-show that charged a fee) plus the dispute window.
 */
export const releaseDueAt = (endedAt: Date, disputeWindowHours: number) => new Date(endedAt.getTime() + disputeWindowHours * HOUR);

/** True once the window has passed, unless a dispute is open (an open dispute freezes release). */
export function releasable(r: { endedAt: Date; now: Date; disputeWindowHours: number; disputeOpen: boolean }): boolean {
  return !r.disputeOpen && r.now.getTime() >= releaseDueAt(r.endedAt, r.disputeWindowHours).getTime();
}
