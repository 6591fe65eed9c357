import { permits, ROLE_PERMISSIONS, type StaffRole } from '@shared/schemas/staff';
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

/** The staff roles that answer booking requests (shared/schemas/staff.ts): the workshop side of a booking's mail. */
const RESPONDING_ROLES = (Object.keys(ROLE_PERMISSIONS) as StaffRole[]).filter((r) => permits(r, 'bookings.respond'));
if (RESPONDING_ROLES.some((r) => !/^[a-z_]+$/.test(r))) throw new Error('staff roles must be plain identifiers');

/**
 * `m`: the intents; `r(uid)`: each intent's recipients; needs `b` (the booking row) in scope. The
 * workshop side ("vendor") is its owner and every member whose role answers requests (owner and
 * front desk, not mechanics); `union` sends each person one copy.
 */
export const OUTBOX_ROWS = (param: string) => `
    cross join jsonb_to_recordset(${param}::jsonb) m(event_id text, template text, audience text, send_after timestamptz, before_start_ms bigint)
    cross join lateral (
      select b.customer_id where m.audience = 'customer'
      union select w.owner_id from workshop w where m.audience = 'vendor' and w.id = b.workshop_id
      union select wm.user_id from workshop_member wm
             where m.audience = 'vendor' and wm.workshop_id = b.workshop_id and wm.role in (${RESPONDING_ROLES.map((r) => `'${r}'`).join(', ')})
      union select u.id from "user" u where m.audience = 'admins' and u.role = 'admin' and u.status = 'active') r(uid)`;

/** Columns and values of an outbox row from `b`, `m` and `r` (dedupe key: event, template, recipient). */
export const OUTBOX_INSERT = 'insert into outbox_message (id, dedupe_key, booking_id, event_id, template, recipient_id, send_after)';
export const OUTBOX_VALUES = `select gen_random_uuid(), m.event_id || ':' || m.template || ':' || r.uid, b.id, m.event_id::uuid, m.template, r.uid,
      coalesce(m.send_after, b.starts_at - m.before_start_ms * interval '1 millisecond')`;
