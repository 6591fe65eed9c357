import { randomUUID } from 'node:crypto';
import { ACTIVE_STATUSES } from '@shared/booking-status';
import type { BeforeCommit, BookingRecord, ConfirmContext, ConfirmContextQuery, CreateRefusal, NewBooking } from '../domain/booking-ports';
import { deadlineError, stmt, type SqlPool, type Stmt } from './pg-pool';
import { deadlinePassed } from '../request-deadline';
import { toBookingRecord, type BookingRow } from './booking-sql';
import { OUTBOX_INSERT, OUTBOX_ROWS, OUTBOX_VALUES, outboxParam } from './outbox-sql';
import { visitName } from '@shared/visit';
import type { ServiceView } from '@shared/schemas/views';
import { SERVICE_COLUMNS, serviceFromRow, WORKSHOP_COLUMNS, workshopFromRow } from './workshop-views';

/*
 * The confirm's SQL on the hot pool, as named prepared statements (planned once per connection):
 *   1. CONTEXT, before the transaction: workshop, service, the hold's slots, the customer's open
 *      bookings and an earlier use of the Idempotency-Key, in one round trip.
 *   2. BEGIN; KEY (reserve the key; a twin waits here on the key's row until we end) and the
 *      per-customer advisory lock, in that order, in one statement;
 *   3. BOOK: count open bookings (a new statement, so its snapshot sees every booking committed
 *      before we got the lock), take one unit of every slot (all or none), insert the booking, its
 *      slots, its events and the messages they owe (the mail outbox), and return the booking with the names a view needs;
 *      2 and 3 are pipelined: one write, one round trip, run one after the other;
 *   4. the hold's consume in Redis (beforeCommit), then COMMIT.
 * A confirm built from the hold catalog's rows (NewBooking.guard) skips 1: BOOK checks that the
 * workshop, service and slots it was built from are unchanged and writes nothing otherwise (STALE).
 * A refusal (key in use, too many open bookings, a full slot) rolls everything back.
 */

const OPEN = [...ACTIVE_STATUSES];

const CONTEXT = stmt('hf_confirm_context', `
  select
    (select row_to_json(w) from (select ${WORKSHOP_COLUMNS} from workshop where id = $1) w) as workshop,
    (select coalesce(json_agg(s), '[]'::json) from (select ${SERVICE_COLUMNS} from service where id = any($2::uuid[])) s) as services,
    (select coalesce(json_agg(x order by x.starts_at), '[]'::json)
       from (select id, starts_at, ends_at, capacity, booked, withdrawn from slot where id = any($3::uuid[])) x) as slots,
    case when $4::boolean then (select count(*)::int from booking where customer_id = $5 and status = any($6::text[])) else 0 end as open,
    (select json_build_object('hold_id', hold_id, 'booking_id', booking_id)
       from idempotency_key where customer_id = $5 and key = $7::text and created_at >= $8) as earlier`);

const KEY = `insert into idempotency_key (customer_id, key, hold_id, booking_id, created_at) values ($1, $2, $3, $4, $5)
    on conflict (customer_id, key) do update
      set hold_id = excluded.hold_id, booking_id = excluded.booking_id, created_at = excluded.created_at
      where idempotency_key.created_at < $6
    returning 1`;
// The lock is taken per row of x, so only once the key's INSERT has finished (twins queue on the key first, as before).
const KEY_AND_LOCK = stmt('hf_confirm_key_lock', `with k as (${KEY})
  select x.n, pg_advisory_xact_lock(hashtext($7))::text from (select count(*)::int as n from k) x`);
const KEY_ONLY = stmt('hf_confirm_key', `with k as (${KEY}) select count(*)::int as n from k`);
const LOCK_ONLY = stmt('hf_confirm_lock', 'select pg_advisory_xact_lock(hashtext($1))::text');

const BOOK = stmt('hf_confirm_book', `
  with fresh as (
    -- NewBooking.guard ($24): the cached rows the booking was built from are still Postgres's.
    select $24::boolean is not true or coalesce(
      exists (select 1 from workshop w where w.id = $3 and w.status = 'verified' and w.auto_accept = $25::boolean and w.accept_sla_minutes = $26::int)
      and (select count(*) from service s where s.id = any($28::uuid[]) and s.active) = cardinality($28::uuid[])
      and (select count(*) = cardinality($5::uuid[]) and min(starts_at) = $6 and max(ends_at) = $7 from slot where id = any($5::uuid[])),
      false) as ok),
  t as (
    -- Rows locked in id order first, so two confirms over overlapping slots queue instead of
    -- deadlocking; the guarded UPDATE and the CHECK decide capacity.
    update slot set booked = booked + 1
     where id in (select id from slot where id = any($5::uuid[]) order by id for update) and booked < capacity and (select ok from fresh)
    returning id),
  ok as (
    select (select ok from fresh) as fresh,
           (select count(*) from t) = cardinality($5::uuid[]) as units,
           -- At most $17 rows read: whether the limit is reached, not how far past it.
           ($17::int is null or (select count(*) from (select 1 from booking where customer_id = $2 and status = any($18::text[]) limit $17::int) o) < $17::int) as room),
  b as (
    insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status,
      price_cents, currency, options, vehicle, notes, idempotency_key, version, accept_deadline, created_at, updated_at)
    select $1, $2, $3, $4, ($5::uuid[])[1], cardinality($5::uuid[]), $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, 1, $15, $16, $16
      from ok where ok.fresh and ok.units and ok.room
    returning *),
  bs as (insert into booking_slot (booking_id, slot_id) select b.id, x from b, unnest($5::uuid[]) x),
  bsv as (
    -- The visit's services in order (one row for one service).
    insert into booking_service (booking_id, position, service_id, duration_minutes, price_cents, options)
    select b.id, x.ord - 1, x.service_id, x.duration_minutes, x.price_cents, x.options::jsonb
      from b, unnest($28::uuid[], $29::int[], $30::int[], $31::text[]) with ordinality x(service_id, duration_minutes, price_cents, options, ord)),
  ev as (
    insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data)
    select e.id, b.id, e.type, e.actor_id, e.actor_role, clock_timestamp() + (e.ord - 1) * interval '1 microsecond', e.data::jsonb
      from b, unnest($19::uuid[], $20::text[], $21::uuid[], $22::text[], $23::text[]) with ordinality e(id, type, actor_id, actor_role, data, ord)),
  ob as (
    -- The messages the events owe (the mail outbox), in the same transaction; '[]' inserts nothing.
    ${OUTBOX_INSERT} ${OUTBOX_VALUES} from b ${OUTBOX_ROWS('$27')}
    on conflict (dedupe_key) do nothing)
  select ok.fresh, ok.units, ok.room, b.*, w.name as workshop_name, w.owner_id, s.name as service_name, u.name as customer_name,
         (select coalesce(jsonb_object_agg(m.user_id, m.role), '{}'::jsonb) from workshop_member m where m.workshop_id = b.workshop_id) as staff
    from ok left join b on true
    left join workshop w on w.id = b.workshop_id
    left join service s on s.id = b.service_id
    left join "user" u on u.id = b.customer_id`);

// The booking's payment row, pipelined after BOOK in the same transaction: written only if BOOK
// inserted the booking, and (for a card) only if this transaction deleted the authorization's
// attempt row (else the authorization was abandoned meanwhile: PAYMENT_LOST, all rolled back).
const PAYMENT = stmt('hf_confirm_payment', `
  with d as (delete from payment_attempt where $14::text is not null and idempotency_key = $14::text returning 1),
  p as (
    insert into booking_payment (booking_id, mode, provider, payment_id, currency, price_minor, authorized_minor, commission_bps,
      late_cancel_fee_minor, no_show_fee_minor, free_cancel_until, status, authorization_expires_at, created_at, updated_at, free_cancel_hours)
    select $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bigint, $8::int, $9::bigint, $10::bigint, $11::timestamptz,
           case when $3::text is null then 'at_workshop' else 'authorized' end, $12::timestamptz, $13::timestamptz, $13::timestamptz, $15::int
     where exists (select 1 from booking where id = $1::uuid) and ($14::text is null or exists (select 1 from d))
    returning 1)
  select count(*)::int as written from p`);

type RawSlot = { id: string; starts_at: string; ends_at: string; capacity: number; booked: number; withdrawn: boolean };

export async function confirmContext(
  pool: SqlPool,
  q: ConfirmContextQuery,
  bookingById: (id: string) => Promise<BookingRecord | null>,
): Promise<ConfirmContext> {
  const [row] = await pool.rows<{ workshop: any; services: any[]; slots: RawSlot[]; open: number; earlier: { hold_id: string; booking_id: string } | null }>(CONTEXT, [
    q.workshopId, q.serviceIds, q.slotIds, q.countOpen, q.customerId, OPEN, q.key, q.keyNotBefore,
  ]);
  const earlier = row?.earlier ? await bookingById(row.earlier.booking_id) : null;
  return {
    workshop: row?.workshop ? workshopFromRow(row.workshop) : null,
    services: inOrder(q.serviceIds, (row?.services ?? []).map(serviceFromRow)),
    slots: (row?.slots ?? []).map((s) => ({
      id: s.id,
      startsAt: new Date(s.starts_at),
      endsAt: new Date(s.ends_at),
      capacity: Number(s.capacity),
      booked: Number(s.booked),
      withdrawn: s.withdrawn === true,
    })),
    open: Number(row?.open ?? 0),
    earlier: earlier ? { booking: earlier, holdId: row!.earlier!.hold_id || null } : null,
  };
}

/** The services in the hold's order; empty when any of them no longer exists. */
function inOrder(ids: string[], found: ServiceView[]): ServiceView[] {
  const byId = new Map(found.map((s) => [s.id, s]));
  const list = ids.map((id) => byId.get(id));
  return list.every((s) => s !== undefined) ? (list as ServiceView[]) : [];
}

class Refused extends Error {
  constructor(readonly reason: CreateRefusal) {
    super(reason);
  }
}

/** BookingStore.create on the hot pool: see the statements above. */
export async function createBooking(
  pool: SqlPool,
  b: NewBooking,
  beforeCommit?: BeforeCommit,
): Promise<{ ok: true; booking: BookingRecord } | { ok: false; reason: CreateRefusal }> {
  const id = randomUUID();
  const eventIds = b.events.map(() => randomUUID());
  const lockKey = b.maxOpenPerCustomer !== undefined ? `open-bookings:${b.customerId}` : null;
  try {
    const booking = await pool.transaction(async (tx) => {
      // BEGIN, the key and lock, and the booking leave in one write and run in that order.
      const first: Array<[Stmt, unknown[]]> = [];
      if (b.idempotencyKey) {
        const keyArgs = [b.customerId, b.idempotencyKey, b.holdId, id, b.keyAt, b.keyReusableBefore];
        first.push(lockKey ? [KEY_AND_LOCK, [...keyArgs, lockKey]] : [KEY_ONLY, keyArgs]);
      } else if (lockKey) {
        first.push([LOCK_ONLY, [lockKey]]);
      }
      const pay = b.payment;
      const paymentStmt: Array<[Stmt, unknown[]]> = pay ? [[PAYMENT, [
        id, pay.mode, pay.provider, pay.paymentId, pay.currency, pay.price, pay.authorized, pay.commissionBps,
        pay.lateCancelFee, pay.noShowFee, pay.freeCancelUntil, pay.authorizationExpiresAt, b.createdAt, pay.attemptKey, pay.freeCancelHours,
      ]]] : [];
      const results = await tx.batch([...first, [BOOK, [
        id, b.customerId, b.workshopId, b.serviceId, b.slotIds, b.startsAt, b.endsAt, b.status,
        b.priceCents, b.currency, JSON.stringify(b.options), b.vehicle ? JSON.stringify(b.vehicle) : null, b.notes, b.idempotencyKey,
        b.acceptDeadline, b.createdAt,
        b.maxOpenPerCustomer ?? null, OPEN,
        eventIds, b.events.map((e) => e.type), b.events.map((e) => e.actorId), b.events.map((e) => e.actorRole),
        b.events.map((e) => (e.data ? JSON.stringify(e.data) : null)),
        b.guard !== undefined, b.guard?.autoAccept ?? null, b.guard?.acceptSlaMinutes ?? null,
        outboxParam(b.outbox, eventIds),
        b.services.map((x) => x.serviceId), b.services.map((x) => x.durationMinutes), b.services.map((x) => x.priceCents),
        b.services.map((x) => JSON.stringify(x.options)),
      ]], ...paymentStmt]);
      // The key first (as before): a twin's key wins over whatever BOOK saw, all of it rolled back.
      if (b.idempotencyKey && !(results[0] as Array<{ n: number }>)[0]?.n) throw new Refused('DUPLICATE_KEY');
      const [r] = results[first.length] as Array<BookingRow & { fresh: boolean; units: boolean; room: boolean }>;
      if (!r?.fresh) throw new Refused('STALE');
      if (!r.room) throw new Refused('LIMIT');
      if (!r.units) throw new Refused('CAPACITY');
      if (pay && !(results[first.length + 1] as Array<{ written: number }>)[0]?.written) throw new Refused('PAYMENT_LOST');
      // Nothing is consumed for a request whose client was already answered 503.
      if (deadlinePassed()) throw deadlineError();
      await beforeCommit?.();
      // The booking_service rows were written by the same statement, so the view's visit comes from the input.
      return toBookingRecord({
        ...r,
        slot_ids: b.slotIds,
        service_name: visitName(b.services.map((x) => x.name)),
        services: b.services.map(({ serviceId, name, durationMinutes, priceCents }) => ({ serviceId, name, durationMinutes, priceCents })),
      });
    });
    return { ok: true, booking };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.reason };
    // A unique violation (a racing booking with the same key in the old column) reads as the key in use.
    if ((err as { code?: unknown }).code === '23505') return { ok: false, reason: 'DUPLICATE_KEY' };
    throw err;
  }
}
