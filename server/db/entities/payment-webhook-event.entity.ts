import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Every verified provider webhook event, recorded once by its id: a replayed or re-ordered
 * delivery finds its row and changes nothing.
 */
export const PaymentWebhookEvent = defineEntity({
  name: 'PaymentWebhookEvent',
  tableName: 'payment_webhook_event',
  properties: {
    provider: p.string().length(20).primary(),
    eventId: p.string().length(255).primary(),
    /** Our type (payment-ports.ts ProviderEventType). */
    type: p.string().length(40),
    /** The provider's own type, e.g. `payment_intent.succeeded`. */
    providerType: p.string().length(100),
    objectId: p.string().length(255).nullable(),
    /** When the provider created it. */
    createdAt: p.datetime(),
    receivedAt: p.datetime(),
    payload: p.json<Record<string, unknown>>(),
  },
});
export type IPaymentWebhookEvent = InferEntity<typeof PaymentWebhookEvent>;
