import { DomainError } from '../errors';
import type { AccountRef, Posting, PostingEntry, TxnKind } from './ledger-ports';
import { assertMinor, mulDivHalfEven, percentHalfEven } from './minor-units';

/*
 * The posting for each money movement (docs/money.md has the picture). Pure: each builder takes
 * amounts the caller read or was told (the provider's capture and fee) and returns one balanced
 * posting with a cause that names the booking (or payout) and the step, so a retry posts nothing
 * new. Authorizing a card is not a movement: nothing is posted until money is captured.
 */

const ESCROW: AccountRef = { kind: 'platform_escrow' };
const REVENUE: AccountRef = { kind: 'platform_revenue' };
const FEES: AccountRef = { kind: 'processor_fees' };
const REFUNDS: AccountRef = { kind: 'refunds' };
const customer = (id: string): AccountRef => ({ kind: 'customer_funds', ownerId: id });
const payable = (workshopId: string): AccountRef => ({ kind: 'vendor_payable', ownerId: workshopId });
const payouts = (workshopId: string): AccountRef => ({ kind: 'vendor_payouts', ownerId: workshopId });

/** Drops zero entries and checks the posting balances (the database checks it again at COMMIT). */
function balanced(kind: TxnKind, base: Omit<Posting, 'kind' | 'entries'>, entries: PostingEntry[]): Posting {
  const nonZero = entries.filter((e) => e.amount !== 0);
  for (const e of nonZero) assertMinor(e.amount, 'entry amount', false);
  const sum = nonZero.reduce((s, e) => s + e.amount, 0);
  if (sum !== 0) throw new Error(`${kind} posting does not balance (sum ${sum})`);
  if (nonZero.length < 2) throw new Error(`${kind} posting moves nothing`);
  return { kind, ...base, entries: nonZero };
}

const positive = (n: number, what: string) => {
  assertMinor(n, what);
  if (n === 0) throw new DomainError('VALIDATION_FAILED', `${what} must be more than zero`);
  return n;
};

export interface CaptureInput {
  bookingId: string;
  bookingEventId?: string | null;
  customerId: string;
  currency: string;
  /** What the provider captured from the customer's card. */
  amount: number;
  /** What the processor kept of it (reported by the provider). */
  processorFee: number;
}

/**
 * Capture: the customer's money goes into escrow whole (escrow always equals what was captured and
 * not yet released or refunded); the processor's fee is the platform's cost, paid from revenue.
 */
function captureEntries(c: CaptureInput): PostingEntry[] {
  positive(c.amount, 'captured amount');
  assertMinor(c.processorFee, 'processor fee');
  if (c.processorFee > c.amount) throw new RangeError('the processor fee exceeds the captured amount');
  return [
    { account: customer(c.customerId), amount: -c.amount },
    { account: ESCROW, amount: c.amount },
    { account: REVENUE, amount: -c.processorFee },
    { account: FEES, amount: c.processorFee },
  ];
}

/** The booking's price (or deposit) captured at confirm/acceptance. */
export function capturePosting(c: CaptureInput): Posting {
  return balanced('capture', { currency: c.currency, cause: `booking:${c.bookingId}:capture`, bookingId: c.bookingId, bookingEventId: c.bookingEventId }, captureEntries(c));
}

/**
 * A late-cancellation or no-show fee captured from the authorization. It sits in escrow like any
 * capture and is released (with commission) the same way, after the dispute window.
 */
export function feeCapturePosting(c: CaptureInput): Posting {
  return balanced('fee_capture', { currency: c.currency, cause: `booking:${c.bookingId}:fee-capture`, bookingId: c.bookingId, bookingEventId: c.bookingEventId }, captureEntries(c));
}

/**
 * Release after completion plus the dispute window: what the booking still has in escrow goes to
 * the workshop's payable, less the commission, which becomes platform revenue.
 */
export function releasePosting(r: { bookingId: string; bookingEventId?: string | null; workshopId: string; currency: string; escrowed: number; commissionBps: number }): Posting {
  positive(r.escrowed, 'escrowed amount');
  const commission = percentHalfEven(r.escrowed, r.commissionBps);
  return balanced('release', { currency: r.currency, cause: `booking:${r.bookingId}:release`, bookingId: r.bookingId, bookingEventId: r.bookingEventId }, [
    { account: ESCROW, amount: -r.escrowed },
    { account: payable(r.workshopId), amount: r.escrowed - commission },
    { account: REVENUE, amount: commission },
  ]);
}

/** Where a refund is taken from: escrow before release; after it, the shares the release paid out. */
export type RefundSource =
  | { from: 'escrow'; escrowed: number }
  | { from: 'released'; workshopId: string; vendorShare: number; commission: number };

/**
 * A refund (full or partial) to the customer. Before release it comes out of escrow. After release
 * it is taken back from the workshop's payable and the platform's commission in proportion to what
 * each got (the platform returns its commission on the refunded part); a payable already paid out
 * goes negative and the next payout nets it. `key` tells refunds of one booking apart.
 */
export function refundPosting(r: { bookingId: string; bookingEventId?: string | null; key: string; currency: string; amount: number; source: RefundSource }): Posting {
  positive(r.amount, 'refund');
  const base = { currency: r.currency, cause: `booking:${r.bookingId}:refund:${r.key}`, bookingId: r.bookingId, bookingEventId: r.bookingEventId };
  const s = r.source;
  if (s.from === 'escrow') {
    if (r.amount > s.escrowed) throw new DomainError('VALIDATION_FAILED', `The refund (${r.amount}) exceeds what is held for this booking (${s.escrowed})`);
    return balanced('refund', base, [{ account: ESCROW, amount: -r.amount }, { account: REFUNDS, amount: r.amount }]);
  }
  const total = s.vendorShare + s.commission;
  if (r.amount > total) throw new DomainError('VALIDATION_FAILED', `The refund (${r.amount}) exceeds what was released for this booking (${total})`);
  const fromRevenue = mulDivHalfEven(r.amount, s.commission, total);
  return balanced('refund', base, [
    { account: payable(s.workshopId), amount: -(r.amount - fromRevenue) },
    { account: REVENUE, amount: -fromRevenue },
    { account: REFUNDS, amount: r.amount },
  ]);
}

/** A payout: the workshop's payable leaves the platform (a bank transfer or a Stripe transfer). */
export function payoutPosting(p: { payoutId: string; workshopId: string; currency: string; amount: number }): Posting {
  positive(p.amount, 'payout');
  return balanced('payout', { currency: p.currency, cause: `payout:${p.payoutId}` }, [
    { account: payable(p.workshopId), amount: -p.amount },
    { account: payouts(p.workshopId), amount: p.amount },
  ]);
}

/** A payout that failed after it was posted: the money is the workshop's payable again. */
export function payoutReversalPosting(p: { payoutId: string; workshopId: string; currency: string; amount: number }): Posting {
  positive(p.amount, 'payout');
  return balanced('payout_reversal', { currency: p.currency, cause: `payout:${p.payoutId}:reversal` }, [
    { account: payouts(p.workshopId), amount: -p.amount },
    { account: payable(p.workshopId), amount: p.amount },
  ]);
}
