import { createRoute } from '@hono/zod-openapi';
import { paymentsConfigSchema, webhookReceiptSchema } from '@shared/schemas/payment-webhooks';
import { DomainError } from '../domain/errors';
import type { PaymentWebhooks } from '../domain/payment-webhooks';
import { createRouter } from './router';
import { errors, ok } from './responses';

export interface PaymentRoutesDeps {
  /** Which provider is configured: Stripe's webhook endpoint exists only in stripe mode. */
  provider: 'simulated' | 'stripe';
  /** Stripe mode: the publishable key the browser's Stripe.js uses (STRIPE_PUBLISHABLE_KEY); null otherwise. */
  publishableKey: string | null;
  webhooks: PaymentWebhooks;
}

/**
 * Provider webhooks. Stripe calls this itself: no session (so no CSRF question), authenticated
 * by the `Stripe-Signature` header over the raw body instead, checked before anything is read.
 */
export function paymentRoutes(deps: PaymentRoutesDeps) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/payments/config',
      tags: ['payments'],
      description: 'Public: which processor takes cards at confirm, and in stripe mode the publishable key the card form loads Stripe.js with (null in simulated mode).',
      responses: { 200: ok(paymentsConfigSchema, '`{provider, publishableKey}`') },
    }),
    (c) => c.json({ provider: deps.provider, publishableKey: deps.provider === 'stripe' ? deps.publishableKey : null }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/payments/webhooks/stripe',
      tags: ['payments'],
      description: 'Stripe webhook endpoint (PAYMENT_PROVIDER=stripe only; 404 otherwise). The body is Stripe\'s event JSON, verified against `Stripe-Signature`; each event id is recorded once, so a replayed or re-ordered delivery is acknowledged without effect.',
      responses: {
        200: ok(webhookReceiptSchema, '`{received, eventId, type, duplicate}`: recorded (or already recorded)'),
        ...errors({ 400: 'WEBHOOK_SIGNATURE_INVALID (bad or missing signature, stale timestamp), VALIDATION_FAILED or MALFORMED_JSON', 404: 'NOT_FOUND (not in stripe mode)' }),
      },
    }),
    async (c) => {
      if (deps.provider !== 'stripe') throw new DomainError('NOT_FOUND', 'Stripe webhooks are served only when PAYMENT_PROVIDER=stripe');
      // The raw text exactly as sent: the signature covers these bytes, not a re-serialised object.
      const receipt = await deps.webhooks.receive(await c.req.text(), c.req.header('stripe-signature'));
      return c.json({ received: true as const, ...receipt }, 200);
    },
  );
  return r;
}
