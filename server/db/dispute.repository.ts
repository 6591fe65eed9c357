import type { DisputeOutcome, DisputeReason, DisputeStatus } from '@shared/schemas/dispute';
import type { DisputeRecord, DisputeStore } from '../domain/money/dispute-ports';
import { stmt, type SqlPool } from './pg-pool';

/*
 * Disputes on Postgres (table and rules: Migration20261201091000), plain SQL on the pg pool.
 * Opening and resolving write the booking's event in the same transaction as the dispute.
 */

const COLUMNS = `id, booking_id, customer_id, reason, text, status, currency, outcome, amount_minor::text as amount_minor,
  refunded_minor::text as refunded_minor, note, opened_at, resolved_at`;

const insertDispute = stmt('dispute_insert', `
  insert into booking_dispute (booking_id, customer_id, reason, text, currency, opened_at)
  values ($1, $2, $3, $4, $5, $6)
  on conflict (booking_id) do nothing
  returning ${COLUMNS}`);

const insertEvent = stmt('dispute_booking_event', `
  insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data)
  values (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`);

const byId = stmt('dispute_by_id', `select ${COLUMNS} from booking_dispute where id = $1`);
const byBooking = stmt('dispute_by_booking', `select ${COLUMNS} from booking_dispute where booking_id = $1`);

const decide = stmt('dispute_decide', `
  update booking_dispute set outcome = $2, amount_minor = $3, decided_by = $4, decided_at = $5
   where id = $1 and status = 'open' and outcome is null`);

const resolve = stmt('dispute_resolve', `
  update booking_dispute set status = 'resolved', refunded_minor = $2, note = $3, resolved_at = $4
   where id = $1 and status = 'open' and outcome is not null
  returning ${COLUMNS}`);

const queueAll = stmt('dispute_queue_all', `select ${COLUMNS} from booking_dispute order by opened_at, id limit $1`);
const queueBy = stmt('dispute_queue_status', `select ${COLUMNS} from booking_dispute where status = $1 order by opened_at, id limit $2`);
const openOf = stmt('dispute_open_of', `select 1 from booking_dispute where booking_id = $1 and status = 'open'`);

interface Row {
  id: string;
  booking_id: string;
  customer_id: string;
  reason: DisputeReason;
  text: string;
  status: DisputeStatus;
  currency: string;
  outcome: DisputeOutcome | null;
  amount_minor: string | null;
  refunded_minor: string | null;
  note: string | null;
  opened_at: Date;
  resolved_at: Date | null;
}

const num = (s: string | null) => (s === null ? null : Number(s));

function record(r: Row): DisputeRecord {
  return {
    id: r.id,
    bookingId: r.booking_id,
    customerId: r.customer_id,
    reason: r.reason,
    text: r.text,
    status: r.status,
    // What both sides see: the outcome once it is carried out, not while it is under way.
    outcome: r.status === 'resolved' ? r.outcome : null,
    refundedMinor: num(r.refunded_minor),
    currency: r.currency,
    note: r.note,
    openedAt: r.opened_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    decided: r.outcome ? { outcome: r.outcome, amount: num(r.amount_minor) } : null,
  };
}

export function createDisputeRepository(sql: SqlPool): DisputeStore {
  const one = async (s: typeof byId, values: unknown[]) => {
    const [r] = await sql.rows<Row>(s, values);
    return r ? record(r) : null;
  };
  return {
    open: (d) =>
      sql.transaction(async (tx) => {
        const [r] = await tx.rows<Row>(insertDispute, [d.bookingId, d.customerId, d.reason, d.text, d.currency, d.at]);
        if (!r) return null;
        await tx.rows(insertEvent, [d.bookingId, 'dispute_opened', d.customerId, 'customer', d.at, { disputeId: r.id, reason: d.reason }]);
        return record(r);
      }),
    byId: (id) => one(byId, [id]),
    forBooking: (bookingId) => one(byBooking, [bookingId]),
    async decide(id, d) {
      await sql.rows(decide, [id, d.outcome, d.amount, d.by, d.at]);
      return (await one(byId, [id]))!;
    },
    resolve: (id, r) =>
      sql.transaction(async (tx) => {
        const [row] = await tx.rows<Row>(resolve, [id, r.refunded, r.note, r.at]);
        if (!row) return null;
        await tx.rows(insertEvent, [row.booking_id, 'dispute_resolved', r.actorId, 'admin', r.at, { disputeId: id, outcome: row.outcome, refundedMinor: r.refunded }]);
        return record(row);
      }),
    async queue(status, limit) {
      const rows = status ? await sql.rows<Row>(queueBy, [status, limit]) : await sql.rows<Row>(queueAll, [limit]);
      return rows.map(record);
    },
    hasOpen: async (bookingId) => (await sql.rows(openOf, [bookingId])).length > 0,
  };
}
