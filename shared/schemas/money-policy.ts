import { z } from 'zod';
import { SERVICE_CATEGORIES } from './service';
import { instantOut } from './views';

/*
 * A workshop's money policy, as its vendor sets it and as the API shows it. Rates are basis points
 * (integers: 1 bp = 0.01 %, 10 000 = 100 %), so no percentage is ever a float.
 */

export const PAYMENT_MODES = ['full', 'deposit', 'at_workshop'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

/** 0–10 000 basis points (0–100 %). */
export const bpsSchema = z.number().int().min(0).max(10_000);

const common = {
  /** Cancelling at least this many hours before the start is free; later costs `lateCancelFeeBps` of the price. */
  freeCancelHours: z.number().int().min(0).max(720),
  lateCancelFeeBps: bpsSchema,
  noShowFeeBps: bpsSchema,
};

/** What a vendor sends (PUT: the whole policy). */
export const moneyPolicyInputSchema = z.discriminatedUnion('paymentMode', [
  z.strictObject({ paymentMode: z.literal('full'), ...common }),
  z.strictObject({ paymentMode: z.literal('deposit'), depositBps: bpsSchema.min(1), ...common }),
  // No card on file: nothing can be captured, so no fee can be promised.
  z.strictObject({
    paymentMode: z.literal('at_workshop'),
    freeCancelHours: common.freeCancelHours,
    lateCancelFeeBps: z.literal(0, 'Pay-at-the-workshop takes no card, so it cannot charge a late-cancellation fee').default(0),
    noShowFeeBps: z.literal(0, 'Pay-at-the-workshop takes no card, so it cannot charge a no-show fee').default(0),
  }),
]);
export type MoneyPolicyInput = z.input<typeof moneyPolicyInputSchema>;
/** A policy as stored and computed with (deposit rate present only in deposit mode). */
export interface MoneyPolicy {
  paymentMode: PaymentMode;
  depositBps: number | null;
  freeCancelHours: number;
  lateCancelFeeBps: number;
  noShowFeeBps: number;
}

/** Commission overrides an admin sets for one workshop (PUT: replaces them all). */
export const commissionOverridesInputSchema = z.strictObject({
  /** The workshop's own rate; null: the platform default. */
  workshopBps: bpsSchema.nullable(),
  /** Per service category; beats the workshop's rate for services of that category. */
  categoryBps: z.partialRecord(z.enum(SERVICE_CATEGORIES), bpsSchema).default({}),
});
export type CommissionOverridesInput = z.input<typeof commissionOverridesInputSchema>;

const commissionViewSchema = z.strictObject({
  platformDefaultBps: z.int(),
  workshopBps: z.int().nullable(),
  categoryBps: z.record(z.string(), z.int()),
});

/** A workshop's money policy with the commission that applies to it (read-only for the vendor). */
export const moneyPolicyViewSchema = z.strictObject({
  workshopId: z.uuid(),
  paymentMode: z.enum(PAYMENT_MODES),
  depositBps: z.int().nullable(),
  freeCancelHours: z.int(),
  lateCancelFeeBps: z.int(),
  noShowFeeBps: z.int(),
  commission: commissionViewSchema,
  /** Captured money stays in escrow this long after completion (disputes may be opened until then). */
  disputeWindowHours: z.int(),
  /** Null: never set, the defaults apply. */
  updatedAt: instantOut.nullable(),
});
export type MoneyPolicyView = z.infer<typeof moneyPolicyViewSchema>;

/**
 * `GET /api/workshops/{id}/payment-terms` (public): what a customer agrees to when booking, and
 * which processor takes the card (`provider`; `none` when the workshop is paid at the workshop).
 */
export const paymentTermsViewSchema = z.strictObject({
  paymentMode: z.enum(PAYMENT_MODES),
  depositBps: z.int().nullable(),
  freeCancelHours: z.int(),
  lateCancelFeeBps: z.int(),
  noShowFeeBps: z.int(),
  provider: z.enum(['simulated', 'stripe', 'none']),
});
export type PaymentTermsView = z.infer<typeof paymentTermsViewSchema>;
