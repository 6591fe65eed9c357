import type Stripe from 'stripe';
import type { ProviderEvent, ProviderEventType } from '../domain/payment-ports';

/** Stripe's event types we give a meaning to; every other one is `other` (recorded, not acted on). */
const TYPE_OF: Record<string, ProviderEventType> = {
  'payment_intent.amount_capturable_updated': 'payment.authorized',
  'payment_intent.succeeded': 'payment.captured',
  'payment_intent.canceled': 'payment.voided',
  'payment_intent.payment_failed': 'payment.failed',
  'charge.refunded': 'refund.updated',
  'refund.created': 'refund.updated',
  'refund.updated': 'refund.updated',
  'charge.dispute.created': 'dispute.opened',
  'account.updated': 'account.updated',
  'transfer.created': 'transfer.created',
  'transfer.reversed': 'transfer.reversed',
};

/** A verified Stripe event in our words. */
export function toProviderEvent(event: Stripe.Event): ProviderEvent {
  const object = (event.data as { object?: { id?: unknown } } | undefined)?.object;
  const account = event.type === 'account.updated' ? (event.data.object as Stripe.Account) : null;
  return {
    ...(account?.id ? {
      account: { accountId: account.id, detailsSubmitted: account.details_submitted ?? false, chargesEnabled: account.charges_enabled ?? false, payoutsEnabled: account.payouts_enabled ?? false },
    } : {}),
    id: event.id,
    type: TYPE_OF[event.type] ?? 'other',
    providerType: event.type,
    createdAt: event.created * 1000,
    objectId: typeof object?.id === 'string' ? object.id : null,
    payload: event,
  };
}
