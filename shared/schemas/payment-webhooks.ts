import { z } from 'zod';

/** What a verified payment-provider event means for us; `other` for the kinds we do not act on. */
export const PROVIDER_EVENT_TYPES = [
  'payment.authorized',
  'payment.captured',
  'payment.voided',
  'payment.failed',
  'refund.updated',
  'dispute.opened',
  'account.updated',
  'transfer.created',
  'transfer.reversed',
  'other',
] as const;
export type ProviderEventType = (typeof PROVIDER_EVENT_TYPES)[number];

/** The answer to a provider webhook delivery (`POST /api/payments/webhooks/stripe`). */
export const webhookReceiptSchema = z.strictObject({
  received: z.literal(true),
  eventId: z.string(),
  type: z.enum(PROVIDER_EVENT_TYPES),
  /** Already recorded by an earlier delivery: nothing was done again. */
  duplicate: z.boolean(),
});
export type WebhookReceiptView = z.infer<typeof webhookReceiptSchema>;

/**
 * `GET /api/payments/config` (public): who takes cards, and in stripe mode the publishable key
 * the browser loads Stripe.js with (null otherwise; the client never loads Stripe.js then).
 */
export const paymentsConfigSchema = z.strictObject({
  provider: z.enum(['simulated', 'stripe']),
  publishableKey: z.string().regex(/^pk_(test|live)_/).nullable(),
});
export type PaymentsConfigView = z.infer<typeof paymentsConfigSchema>;

/** POST /api/payments/simulated/authenticate: the simulated bank check of a payment that requires action. */
export const testAuthenticationInputSchema = z.strictObject({
  /** The `details.clientSecret` of the PAYMENT_REQUIRES_ACTION answer. */
  clientSecret: z.string().min(1).max(200),
  approve: z.boolean(),
});
export type TestAuthenticationInput = z.infer<typeof testAuthenticationInputSchema>;
