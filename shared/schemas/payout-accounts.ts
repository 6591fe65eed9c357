import { z } from 'zod';
import { instantOut } from './views';

/*
 * A workshop's payout account at the payment provider (docs/payments.md, Connect onboarding): in
 * stripe mode a Stripe Connect account its owner sets up from the desk's Money tab; in simulated
 * mode one the simulated processor enables the moment it is opened.
 */

/**
 * `none`: no account yet (stripe mode: payouts are skipped until one is set up);
 * `incomplete`: opened, the onboarding form not finished; `pending`: submitted, the provider has not
 * enabled payouts yet; `enabled`: payouts reach it.
 */
export const PAYOUT_ACCOUNT_STATES = ['none', 'incomplete', 'pending', 'enabled'] as const;
export type PayoutAccountState = (typeof PAYOUT_ACCOUNT_STATES)[number];

export const payoutAccountViewSchema = z.strictObject({
  workshopId: z.uuid(),
  provider: z.enum(['simulated', 'stripe']),
  state: z.enum(PAYOUT_ACCOUNT_STATES),
  accountId: z.string().nullable(),
  detailsSubmitted: z.boolean(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  /** When the status was last learnt from the provider (null: never). */
  statusAt: instantOut.nullable(),
});
export type PayoutAccountView = z.infer<typeof payoutAccountViewSchema>;

/** POST …/payout-account/link: where to send the owner (the provider's hosted onboarding, or straight back in simulated mode). */
export const payoutAccountLinkSchema = z.strictObject({
  url: z.url(),
  expiresAt: instantOut,
  account: payoutAccountViewSchema,
});
export type PayoutAccountLink = z.infer<typeof payoutAccountLinkSchema>;
