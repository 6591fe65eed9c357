import type { MikroORM } from '@mikro-orm/postgresql';
import type { WebhookInbox } from '../domain/payment-webhooks';

/** The webhook inbox on Postgres: the (provider, event id) primary key makes a second delivery a no-op. */
export function createWebhookInbox(orm: MikroORM): WebhookInbox {
  return {
    async recordOnce(provider, event, receivedAt) {
      const rows = await orm.em.fork().getConnection().execute<Array<{ event_id: string }>>(
        `insert into payment_webhook_event (provider, event_id, type, provider_type, object_id, created_at, received_at, payload)
         values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (provider, event_id) do nothing returning event_id`,
        [provider, event.id, event.type, event.providerType, event.objectId, new Date(event.createdAt), new Date(receivedAt), JSON.stringify(event.payload)],
      );
      return rows.length === 1;
    },
  };
}
