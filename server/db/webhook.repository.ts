import { randomUUID } from 'node:crypto';
import type { WebhookDeliveryView, WebhookEventType } from '@shared/schemas/webhook';
import type { DueDelivery, EndpointRecord, WebhookStore } from '../domain/webhooks';
import { notFound } from '../domain/errors';
import { stmt, type SqlPool } from './pg-pool';

/*
 * Webhook endpoints and deliveries in plain SQL (tables, and the trigger that makes deliveries in
 * the event's own transaction: Migration20261201094500). The deliveries table is the queue: a
 * claim takes due rows with FOR UPDATE SKIP LOCKED, so several processes share the work and never
 * send the same attempt twice, and pushes their next attempt past a lease, so a process that dies
 * mid-send leaves them to be taken again.
 */

interface EndpointRow {
  id: string;
  owner_id: string;
  workshop_id: string | null;
  url: string;
  secret: string;
  event_types: WebhookEventType[];
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: Date;
}

const toEndpoint = (r: EndpointRow): EndpointRecord & { secret: string } => ({
  id: r.id,
  ownerId: r.owner_id,
  workshopId: r.workshop_id,
  url: r.url,
  secret: r.secret,
  eventTypes: r.event_types,
  status: r.status,
  disabledReason: r.disabled_reason,
  consecutiveFailures: r.consecutive_failures,
  createdAt: r.created_at.toISOString(),
});
const withoutSecret = ({ secret: _s, ...e }: EndpointRecord & { secret: string }): EndpointRecord => e;

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: WebhookEventType;
  booking_id: string;
  redelivery_of: string | null;
  status: WebhookDeliveryView['status'];
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  response_excerpt: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const toDelivery = (r: DeliveryRow): WebhookDeliveryView => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  bookingId: r.booking_id,
  redeliveryOf: r.redelivery_of,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
  lastStatusCode: r.last_status_code,
  lastLatencyMs: r.last_latency_ms,
  lastError: r.last_error,
  responseExcerpt: r.response_excerpt,
  deliveredAt: r.delivered_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

const insertEndpoint = stmt('webhook_insert_endpoint', `
  insert into webhook_endpoint (id, owner_id, workshop_id, url, secret, event_types, created_at)
  values ($1, $2, $3, $4, $5, $6::text[], $7) returning *`);
const endpointById = stmt('webhook_endpoint_by_id', 'select * from webhook_endpoint where id = $1');
const endpointsOf = stmt('webhook_endpoints_of', 'select * from webhook_endpoint where owner_id = $1 order by created_at, id');
const updateEndpoint = stmt('webhook_update_endpoint', `
  update webhook_endpoint set
    url = coalesce($2, url),
    event_types = coalesce($3::text[], event_types),
    status = coalesce($4, status),
    disabled_reason = case when $4::text is null then disabled_reason else $5 end,
    consecutive_failures = case when $6 then 0 else consecutive_failures end
  where id = $1 returning *`);
const deleteEndpoint = stmt('webhook_delete_endpoint', 'delete from webhook_endpoint where id = $1');
const deliveriesOf = stmt('webhook_deliveries_of', 'select * from webhook_delivery where endpoint_id = $1 order by seq desc limit $2');
const redeliver = stmt('webhook_redeliver', `
  insert into webhook_delivery (id, endpoint_id, booking_id, event_id, event_type, redelivery_of, next_attempt_at, created_at)
  select $3, endpoint_id, booking_id, event_id, event_type, id, $4, $4 from webhook_delivery where id = $2 and endpoint_id = $1
  returning *`);

// The oldest pending delivery of each (endpoint, booking) whose time has come, of active endpoints.
const claimDue = stmt('webhook_claim_due', `
  with due as (
    select d.id from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id
     where d.status = 'pending' and d.next_attempt_at <= $1 and e.status = 'active'
       and not exists (select 1 from webhook_delivery p
                        where p.endpoint_id = d.endpoint_id and p.booking_id = d.booking_id and p.status = 'pending' and p.seq < d.seq)
     order by d.next_attempt_at, d.seq
     limit $3
     for update of d skip locked)
  update webhook_delivery d set next_attempt_at = $2, first_attempt_at = coalesce(d.first_attempt_at, $1) from due, webhook_endpoint e, booking_event ev
   where d.id = due.id and e.id = d.endpoint_id and ev.id = d.event_id
  returning d.id, d.event_id, d.event_type, d.booking_id, d.attempts, d.first_attempt_at,
            e.id as endpoint_id, e.url, e.secret, ev.type as ev_type, ev.at as ev_at, ev.actor_role, ev.data as ev_data`);

const recordAttempt = stmt('webhook_record_attempt', `
  update webhook_delivery set
    attempts = attempts + 1,
    status = case when $2 then 'delivered' when $7::timestamptz is null then 'failed' else 'pending' end,
    next_attempt_at = coalesce($7, next_attempt_at),
    last_status_code = $3, last_latency_ms = $4, last_error = $5, response_excerpt = $6,
    delivered_at = case when $2 then $8::timestamptz else null end
  where id = $1`);

// A success resets the count; the failure that reaches the limit disables the endpoint (once).
const countOutcome = stmt('webhook_count_outcome', `
  with old as (select id, status from webhook_endpoint where id = $1 for update)
  update webhook_endpoint w set
    consecutive_failures = case when $2 then 0 else w.consecutive_failures + 1 end,
    status = case when not $2 and w.status = 'active' and w.consecutive_failures + 1 >= $3 then 'disabled' else w.status end,
    disabled_reason = case when not $2 and w.status = 'active' and w.consecutive_failures + 1 >= $3 then $4 else w.disabled_reason end
  from old where w.id = old.id
  returning (old.status = 'active' and w.status = 'disabled') as disabled_now`);

export function createWebhookRepository(sql: SqlPool): WebhookStore {
  return {
    async create(e) {
      const [row] = await sql.rows<EndpointRow>(insertEndpoint, [randomUUID(), e.ownerId, e.workshopId, e.url, e.secret, e.eventTypes, e.at]);
      return withoutSecret(toEndpoint(row!));
    },
    async find(id) {
      const [row] = await sql.rows<EndpointRow>(endpointById, [id]);
      return row ? toEndpoint(row) : null;
    },
    async listOwned(ownerId) {
      return (await sql.rows<EndpointRow>(endpointsOf, [ownerId])).map((r) => withoutSecret(toEndpoint(r)));
    },
    async update(id, p) {
      const [row] = await sql.rows<EndpointRow>(updateEndpoint, [id, p.url ?? null, p.eventTypes ?? null, p.status ?? null, p.disabledReason ?? null, p.resetFailures ?? false]);
      if (!row) throw notFound('Webhook endpoint');
      return withoutSecret(toEndpoint(row));
    },
    async remove(id) {
      await sql.rows(deleteEndpoint, [id]);
    },
    async deliveries(endpointId, limit) {
      return (await sql.rows<DeliveryRow>(deliveriesOf, [endpointId, limit])).map(toDelivery);
    },
    async redeliver(endpointId, deliveryId, at) {
      const [row] = await sql.rows<DeliveryRow>(redeliver, [endpointId, deliveryId, randomUUID(), at]);
      return row ? toDelivery(row) : null;
    },
    async claimDue(now, leaseUntil, limit) {
      const rows = await sql.rows<{
        id: string; event_id: string; event_type: WebhookEventType; booking_id: string; attempts: number; first_attempt_at: Date;
        endpoint_id: string; url: string; secret: string; ev_type: string; ev_at: Date; actor_role: string; ev_data: Record<string, unknown> | null;
      }>(claimDue, [now, leaseUntil, limit]);
      return rows.map((r): DueDelivery => ({
        id: r.id,
        eventId: r.event_id,
        eventType: r.event_type,
        bookingId: r.booking_id,
        attempts: r.attempts,
        firstAttemptAt: r.first_attempt_at,
        endpoint: { id: r.endpoint_id, url: r.url, secret: r.secret },
        event: { type: r.ev_type, at: r.ev_at, actorRole: r.actor_role, data: r.ev_data },
      }));
    },
    async recordAttempt(id, o, at, retryAt) {
      await sql.rows(recordAttempt, [id, o.ok, o.statusCode, o.latencyMs, o.error, o.excerpt, retryAt, at]);
    },
    async countOutcome(endpointId, ok, disableAfter, reason) {
      const [row] = await sql.rows<{ disabled_now: boolean }>(countOutcome, [endpointId, ok, disableAfter, reason]);
      return row?.disabled_now ?? false;
    },
  };
}
