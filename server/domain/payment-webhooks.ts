import type { Clock } from './clock';
import type { AccountStatus, PaymentProvider, PaymentProviderName, ProviderEvent } from './payment-ports';

/** Where verified provider events are kept, once each. */
export interface WebhookInbox {
  /** Records the event unless its id is already recorded; true when this call recorded it. */
  recordOnce(provider: PaymentProviderName, event: ProviderEvent, receivedAt: number): Promise<boolean>;
}

export interface WebhookReceipt {
  eventId: string;
  type: ProviderEvent['type'];
  /** The event was recorded before (a replay or a retried delivery): nothing was done again. */
  duplicate: boolean;
}

/**
 * Incoming provider webhooks: verify the signature on the raw body (the provider's adapter), then
 * record the event once by its id. Replays and out-of-order deliveries are harmless: a known id
 * changes nothing, and nothing here depends on the order events arrive in. An `account.updated`
 * event updates the workshop's payout account status first (by the event's time, so an older
 * event never undoes a newer status, and doing it again is harmless): if that fails nothing is
 * recorded and the provider's redelivery tries again. (Acting on payment events, for bookings and
 * the ledger, comes later and will read the recorded events.)
 */
export function createPaymentWebhooks(deps: {
  provider: PaymentProvider;
  inbox: WebhookInbox;
  clock: Clock;
  /** A workshop's payout account changed at the provider (payout-accounts.ts). */
  accountUpdated?: (status: AccountStatus, at: number) => Promise<unknown>;
}) {
  return {
    async receive(rawBody: string, signature: string | undefined): Promise<WebhookReceipt> {
      const event = await deps.provider.parseWebhook(rawBody, signature);
      if (event.account && deps.accountUpdated) await deps.accountUpdated(event.account, event.createdAt);
      const recorded = await deps.inbox.recordOnce(deps.provider.name, event, deps.clock.now());
      return { eventId: event.id, type: event.type, duplicate: !recorded };
    },
  };
}

export type PaymentWebhooks = ReturnType<typeof createPaymentWebhooks>;
