import type { BookingStatus } from '@shared/booking-status';
import type { MailCategory, MailTemplate } from '../domain/notifications';
import { VISIT_JOIN, VISIT_NAME } from './booking-sql';

/** Runs one statement (the mail subsystem's small pool, shared with the job queue). */
export type RunSql = <R>(text: string, values?: unknown[]) => Promise<R[]>;

/** What the worker needs to render and address one booking message. */
export interface OutboxMessage {
  kind: 'booking';
  id: string;
  dedupeKey: string;
  template: MailTemplate;
  sendAfter: Date | null;
  attempts: number;
  recipient: { id: string; email: string; name: string; role: string; status: string };
  /** The recipient's opt-outs (mail_preference; no row: everything on). */
  wants: Record<MailCategory, boolean>;
  booking: {
    id: string;
    status: BookingStatus;
    startsAt: Date;
    endsAt: Date;
    acceptDeadline: Date | null;
    priceCents: number;
    currency: string;
    serviceName: string;
    customerName: string;
    notes: string | null;
  };
  workshop: { id: string; name: string; timezone: string; address: string; city: string; phone: string | null; email: string | null };
  /** The event's data (a decline's reason, …). */
  eventData: Record<string, unknown> | null;
}

/** Mail about an account (domain/account-links.ts): a link carrying a single-use token. */
export type AccountTemplate = 'password_reset' | 'email_verify' | 'admin_invite' | 'staff_invite';

/** What the worker needs to render and address one account message. */
export interface AccountMessage {
  kind: 'account';
  id: string;
  dedupeKey: string;
  template: AccountTemplate;
  attempts: number;
  /** The account's user (null: an invitee, addressed by email alone). */
  recipient: { id: string | null; email: string; name: string | null; status: string | null };
  token: { id: string; hash: string; expiresAt: Date; usedAt: Date | null; revokedAt: Date | null };
  /** The raw token sealed by server/auth/link-tokens.ts; null once the message is final. */
  sealedToken: string | null;
  /** Who sent an invitation. */
  inviterName: string | null;
  /** A staff invitation's workshop and role. */
  staff: { workshopName: string; role: string } | null;
}

export type OutboxOutcome = { status: 'sent' | 'skipped'; detail?: string } | { status: 'failed'; detail: string };

/** The outbox in SQL: the relay's claims and the worker's claim, context and outcome. */
export function createOutboxRepository(sql: RunSql) {
  return {
    /**
     * Up to `limit` rows not yet handed to the queue, claimed for `leaseSeconds` (SKIP LOCKED:
     * relays in other processes take other rows; a relay that dies mid-way leaves its claim to expire).
     */
    claimUnqueued: (limit: number, leaseSeconds: number) =>
      sql<{ id: string; send_after: Date | null }>(
        `update outbox_message set relay_until = now() + $2 * interval '1 second'
          where id in (select id from outbox_message
                        where enqueued_at is null and (relay_until is null or relay_until < now())
                        order by created_at limit $1 for update skip locked)
          returning id, send_after`,
        [limit, leaseSeconds],
      ),

    markEnqueued: (ids: string[]) => sql('update outbox_message set enqueued_at = now(), relay_until = null where id = any($1::uuid[])', [ids]),

    /**
     * Takes one pending message for a send of at most `leaseSeconds`; null when it is already sent,
     * skipped or failed (a duplicate job), or another worker holds it right now (`busy`).
     */
    async claim(id: string, leaseSeconds: number): Promise<OutboxMessage | AccountMessage | 'done' | 'busy'> {
      const [row] = await sql<Record<string, any>>(
        `with c as (
           update outbox_message set attempts = attempts + 1, claimed_until = now() + $2 * interval '1 second'
            where id = $1 and status = 'pending' and (claimed_until is null or claimed_until < now())
            returning *)
         select c.id, c.dedupe_key, c.template, c.send_after, c.attempts, c.account_token_id, c.recipient_email, c.sealed_token,
                r.id as r_id, r.email as r_email, r.name as r_name, r.role as r_role, r.status as r_status,
                coalesce(p.reminders, true) as p_reminders, coalesce(p.reviews, true) as p_reviews,
                b.id as b_id, b.status as b_status, b.starts_at, b.ends_at, b.accept_deadline, b.price_cents, b.currency, b.notes,
                ${VISIT_NAME} as service_name, cu.name as customer_name,
                w.id as w_id, w.name as w_name, w.timezone, w.address, w.city, w.phone, w.email as w_email,
                e.data as event_data,
                t.token_hash, t.expires_at as t_expires_at, t.used_at as t_used_at, t.revoked_at as t_revoked_at, inv.name as inviter_name,
                t.staff_role, tw.name as staff_workshop_name
           from c left join "user" r on r.id = c.recipient_id
           left join booking b on b.id = c.booking_id
           left join workshop w on w.id = b.workshop_id
           left join service s on s.id = b.service_id
           ${VISIT_JOIN}
           left join "user" cu on cu.id = b.customer_id
           left join mail_preference p on p.user_id = r.id
           left join booking_event e on e.id = c.event_id
           left join account_token t on t.id = c.account_token_id
           left join "user" inv on inv.id = t.invited_by
           left join workshop tw on tw.id = t.workshop_id`,
        [id, leaseSeconds],
      );
      if (!row) {
        const [state] = await sql<{ status: string }>('select status from outbox_message where id = $1', [id]);
        return state?.status === 'pending' ? 'busy' : 'done';
      }
      if (row.account_token_id) {
        return {
          kind: 'account',
          id: row.id,
          dedupeKey: row.dedupe_key,
          template: row.template,
          attempts: Number(row.attempts),
          recipient: { id: row.r_id ?? null, email: row.r_email ?? row.recipient_email, name: row.r_name ?? null, status: row.r_status ?? null },
          token: {
            id: row.account_token_id,
            hash: row.token_hash,
            expiresAt: new Date(row.t_expires_at),
            usedAt: row.t_used_at ? new Date(row.t_used_at) : null,
            revokedAt: row.t_revoked_at ? new Date(row.t_revoked_at) : null,
          },
          sealedToken: row.sealed_token ?? null,
          inviterName: row.inviter_name ?? null,
          staff: row.staff_role ? { workshopName: row.staff_workshop_name ?? 'a workshop', role: row.staff_role } : null,
        };
      }
      return {
        kind: 'booking',
        id: row.id,
        dedupeKey: row.dedupe_key,
        template: row.template,
        sendAfter: row.send_after ? new Date(row.send_after) : null,
        attempts: Number(row.attempts),
        recipient: { id: row.r_id, email: row.r_email, name: row.r_name, role: row.r_role, status: row.r_status },
        wants: { reminders: row.p_reminders, reviews: row.p_reviews },
        booking: {
          id: row.b_id,
          status: row.b_status,
          startsAt: new Date(row.starts_at),
          endsAt: new Date(row.ends_at),
          acceptDeadline: row.accept_deadline ? new Date(row.accept_deadline) : null,
          priceCents: Number(row.price_cents),
          currency: row.currency,
          serviceName: row.service_name,
          customerName: row.customer_name,
          notes: row.notes,
        },
        workshop: { id: row.w_id, name: row.w_name, timezone: row.timezone, address: row.address, city: row.city, phone: row.phone ?? null, email: row.w_email ?? null },
        eventData: row.event_data ?? null,
      };
    },

    /** The send's outcome; a failed attempt that will be retried only gives its claim back. */
    async finish(id: string, outcome: OutboxOutcome | { status: 'retry'; detail: string }) {
      if (outcome.status === 'retry') {
        await sql(`update outbox_message set claimed_until = null, detail = $2 where id = $1 and status = 'pending'`, [id, outcome.detail.slice(0, 1000)]);
        return;
      }
      await sql(
        // A final message drops its sealed token: nothing can be sent with it any more.
        `update outbox_message set status = $2, detail = $3, claimed_until = null, sealed_token = null, sent_at = case when $2 = 'sent' then now() else sent_at end
          where id = $1 and status = 'pending'`,
        [id, outcome.status, outcome.detail?.slice(0, 1000) ?? null],
      );
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
