import { z } from 'zod';
import { calendarDateSchema } from './dates';
import { instantOut } from './views';

/*
 * Payouts and money reports: a vendor's Money tab (balance, next payout, totals, payout history,
 * statement) and the admins' finance figures. Every amount is integer minor units of its currency.
 */

export const PAYOUT_STATUSES = ['pending', 'paid', 'failed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

const minor = z.int();
const currency = z.string().regex(/^[A-Z]{3}$/);

/** One payout: the workshop's payable balance sent to its account at the payment provider. */
export const payoutViewSchema = z.strictObject({
  id: z.uuid(),
  currency,
  amount: minor,
  status: z.enum(PAYOUT_STATUSES),
  /** The settlement day (UTC) it belongs to: one payout per workshop, currency and day. */
  period: z.iso.date(),
  transferId: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: instantOut,
  settledAt: instantOut.nullable(),
});
export type PayoutView = z.infer<typeof payoutViewSchema>;

/** A workshop's money in one currency. */
export const vendorMoneyCurrencySchema = z.strictObject({
  currency,
  /** What the platform owes the workshop now (vendor_payable). */
  balance: minor,
  /** The next daily settlement and what it would pay if the balance did not change (0 below the minimum). */
  nextPayout: z.strictObject({ at: instantOut, estimate: minor }),
  /** Since the first booking: released gross, commission kept, refunds taken back after release, net to the workshop, paid out. */
  totals: z.strictObject({ gross: minor, commission: minor, refunded: minor, net: minor, paidOut: minor }),
});

export const vendorMoneySchema = z.strictObject({
  workshopId: z.uuid(),
  /** Smallest balance that is paid out (PAYOUT_MINIMUM_MINOR), in minor units of each currency. */
  minimumPayout: minor,
  /** The hour (UTC) of the daily settlement. */
  payoutHourUtc: z.int().min(0).max(23),
  currencies: z.array(vendorMoneyCurrencySchema),
  /** Newest first. */
  payouts: z.array(payoutViewSchema),
});
export type VendorMoney = z.infer<typeof vendorMoneySchema>;

/** The widest range a statement or the finance figures cover. */
export const MAX_REPORT_DAYS = 366;

/** `?from=&to=` calendar days (UTC, both included), optional; `from` ≤ `to`, at most MAX_REPORT_DAYS. */
export const reportRangeQuerySchema = z
  .strictObject({ from: calendarDateSchema.optional(), to: calendarDateSchema.optional() })
  .superRefine((r, ctx) => {
    if (!r.from || !r.to) return;
    const days = (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000;
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: '`from` must not be after `to`' });
    else if (days >= MAX_REPORT_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `A range spans at most ${MAX_REPORT_DAYS} days` });
  });
export type ReportRangeQuery = z.infer<typeof reportRangeQuerySchema>;

const tally = z.strictObject({ count: z.int(), amount: minor });

/** The platform's money in one currency over a range. */
export const financeCurrencySchema = z.strictObject({
  currency,
  /** Gross merchandise value: money captured from customers (captures and fees). */
  gmv: minor,
  /** Commission earned at release, less commission returned with refunds after release. */
  commission: minor,
  /** commission ÷ GMV in basis points (half to even); null without GMV. */
  takeRateBps: z.int().nullable(),
  processorFees: minor,
  refunds: minor,
  /** Captured money not yet released or refunded, at the end of the range. */
  escrowBalance: minor,
  payouts: z.strictObject({
    /** Now: workshops whose balance is at least the minimum (what the next settlement would pay). */
    due: tally,
    /** Now: payouts waiting for the provider's answer. */
    pending: tally,
    /** Settlement days within the range. */
    paid: tally,
    failed: tally,
  }),
});

export const financeSchema = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  currencies: z.array(financeCurrencySchema),
});
export type Finance = z.infer<typeof financeSchema>;
