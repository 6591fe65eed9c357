import { createRoute } from '@hono/zod-openapi';
import { webhookReceiptSchema } from '@shared/schemas/payment-webhooks';
import { DomainError } from '../domain/errors';
import type { PaymentWebhooks } from '../domain/payment-webhooks';
import { createRouter } from './router';
import { errors, ok } from './responses';

export interface PaymentRoutesDeps {
  /** Which provider is configured: Stripe's webhook endpoint exists only in stripe mode. */
  provider: 'simulated' | 'stripe';
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
