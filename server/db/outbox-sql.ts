import type { OutboxIntent } from '../domain/notifications';

/**
 * The outbox rows of one write, as one JSON parameter: each intent with the id of the event it is
 * about. The statements below turn them into one row per recipient, in the write's transaction.
 */
export function outboxParam(intents: OutboxIntent[] | undefined, eventIds: string[]): string {
  return JSON.stringify((intents ?? []).map((i) => ({
    event_id: eventIds[i.event],
    template: i.template,
    audience: i.to,
    send_after: i.sendAfter?.toISOString() ?? null,
    before_start_ms: i.beforeStartMs ?? null,
  })));
}

/** `m`: the intents; `r(uid)`: each intent's recipients; needs `b` (the booking row) in scope. */
export const OUTBOX_ROWS = (param: string, workshopOwner: string) => `
    cross join jsonb_to_recordset(${param}::jsonb) m(event_id text, template text, audience text, send_after timestamptz, before_start_ms bigint)
    cross join lateral (
      select b.customer_id where m.audience = 'customer'
      union all select (${workshopOwner}) where m.audience = 'vendor'
      union all select u.id from "user" u where m.audience = 'admins' and u.role = 'admin' and u.status = 'active') r(uid)`;

/** Columns and values of an outbox row from `b`, `m` and `r` (dedupe key: event, template, recipient). */
export const OUTBOX_INSERT = 'insert into outbox_message (id, dedupe_key, booking_id, event_id, template, recipient_id, send_after)';
export const OUTBOX_VALUES = `select gen_random_uuid(), m.event_id || ':' || m.template || ':' || r.uid, b.id, m.event_id::uuid, m.template, r.uid,
      coalesce(m.send_after, b.starts_at - m.before_start_ms * interval '1 millisecond')`;
