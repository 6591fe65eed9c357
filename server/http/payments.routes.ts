import { createRoute } from '@hono/zod-openapi';
import { paymentsConfigSchema, testAuthenticationInputSchema, webhookReceiptSchema } from '@shared/schemas/payment-webhooks';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import type { PaymentProvider } from '../domain/payment-ports';
import type { PaymentWebhooks } from '../domain/payment-webhooks';
import { requireAuth } from './auth.middleware';
import { jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, ok } from './responses';

export interface PaymentRoutesDeps {
  /** Which provider is configured: Stripe's webhook endpoint exists only in stripe mode. */
  provider: 'simulated' | 'stripe';
  /** Stripe mode: the publishable key the browser's Stripe.js uses (STRIPE_PUBLISHABLE_KEY); null otherwise. */
  publishableKey: string | null;
  webhooks: PaymentWebhooks;
  /** Simulated mode only: the card form's stand-in for the bank's 3-D Secure check. */
  testAuthentication?: PaymentProvider['completeTestAuthentication'];
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
  r.openapi(
    createRoute({
      method: 'post',
      path: '/payments/simulated/authenticate',
      tags: ['payments'],
      middleware: requireAuth('customer'),
      description: 'Simulated mode only (404 otherwise): the customer passes (`approve: true`) or fails the simulated bank check of a payment that answered PAYMENT_REQUIRES_ACTION at confirm (test card 4000 0027 6000 3184). Then the same confirm is sent again. In stripe mode Stripe.js does this (handleNextAction).',
      request: { body: jsonBody(testAuthenticationInputSchema) },
      responses: {
        200: ok(z.strictObject({ authenticated: z.boolean() }), '`{authenticated}`: the payment is now authorized (true) or failed (false)'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND (not in simulated mode, or no payment of yours waits with this secret)', 409: 'PAYMENT_STATE_CONFLICT (the payment does not wait for an authentication)' }),
      },
    }),
    async (c) => {
      if (!deps.testAuthentication) throw new DomainError('NOT_FOUND', 'The simulated bank check exists only when PAYMENT_PROVIDER=simulated');
      const { clientSecret, approve } = c.req.valid('json');
      await deps.testAuthentication({ clientSecret, approve, customerId: c.get('principal')!.id });
      return c.json({ authenticated: approve }, 200);
    },
  );
  return r;
}
