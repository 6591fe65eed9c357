import { randomUUID } from 'node:crypto';
import { ForeignKeyConstraintViolationException, type EntityManager, type MikroORM } from '@mikro-orm/postgresql';
import { ACTIVE_STATUSES, isActiveStatus } from '@shared/booking-status';
import type { BookingStore, TransitionWrite } from '../domain/booking-ports';
import type { OutboxIntent } from '../domain/notifications';
import { OUTBOX_INSERT, OUTBOX_ROWS, OUTBOX_VALUES, outboxParam } from './outbox-sql';
import { confirmContext, createBooking } from './booking-confirm';
import type { SqlPool } from './pg-pool';
import { BOOKING_SELECT, toBookingRecord, toEventView, type BookingRow, type EventRow } from './booking-sql';
import { mapUrl } from '@shared/schemas/contact';

class Refused extends Error {
  constructor(readonly reason: 'CAPACITY' | 'VERSION' | 'DUPLICATE_KEY' | 'OPEN') {
    super(reason);
  }
}

/**
 * Takes one unit of each slot or none. Rows are locked in id order first, so two confirms over
 * overlapping slots queue instead of deadlocking; the guarded UPDATE and the CHECK decide capacity.
 */
async function takeUnits(t: EntityManager, slotIds: string[]) {
  if (!slotIds.length) return;
  const taken = await t.execute<Array<{ id: string }>>(
    `update slot set booked = booked + 1
      where id in (select id from slot where id in (?) order by id for update) and booked < capacity returning id`,
    [slotIds],
  );
  if (taken.length !== slotIds.length) throw new Refused('CAPACITY');
}

async function giveUnits(t: EntityManager, slotIds: string[]) {
  if (!slotIds.length) return;
  await t.execute(
    // A withdrawn slot (closed day) loses the unit with the booking: it never becomes sellable again.
    `update slot set booked = booked - 1, capacity = case when withdrawn then capacity - 1 else capacity end
      where id in (select id from slot where id in (?) order by id for update) and booked > 0`,
    [slotIds],
  );
}

async function insertEvent(t: EntityManager, bookingId: string, e: TransitionWrite['event']): Promise<string> {
  const id = randomUUID();
  await t.execute('insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data) values (?, ?, ?, ?, ?, clock_timestamp(), ?)', [
    id, bookingId, e.type, e.actorId, e.actorRole, e.data ? JSON.stringify(e.data) : null,
  ]);
  return id;
}

/** The messages the write owes (domain/notifications.ts), in its transaction: one row per recipient. */
async function insertOutbox(t: EntityManager, bookingId: string, intents: OutboxIntent[] | undefined, eventIds: string[]) {
  if (!intents?.length) return;
  await t.execute(
    `${OUTBOX_INSERT} ${OUTBOX_VALUES} from booking b ${OUTBOX_ROWS('?')}
      where b.id = ? on conflict (dedupe_key) do nothing`,
    [outboxParam(intents, eventIds), bookingId],
  );
}

async function countOpen(t: EntityManager, customerId: string): Promise<number> {
  const [row] = await t.execute<Array<{ n: string | number }>>(
    'select count(*) as n from booking where customer_id = ? and status in (?)',
    [customerId, [...ACTIVE_STATUSES]],
  );
  return Number(row?.n ?? 0);
}

/** BookingStore in SQL: every write is one transaction with its audit event. `pool`: the hot path's plain pg pool. */
export function createBookingRepository(orm: MikroORM, pool: SqlPool): BookingStore {
  const em = () => orm.em.fork();
  const one = async (t: EntityManager, where: string, params: unknown[]) => {
    const rows = await t.execute<BookingRow[]>(`${BOOKING_SELECT} where ${where}`, params);
    return rows[0] ? toBookingRecord(rows[0]) : null;
  };

  return {
    findById: (id) => one(em(), 'b.id = ?', [id]),
    countOpen: (customerId) => countOpen(em(), customerId),
    async findByIdempotencyKey(customerId, key, notBefore, opts) {
      const t = em();
      if (opts?.awaitRacer) {
        // An INSERT of the same key blocks until a transaction reserving it ends; ours is always rolled back.
        await t.transactional(async (p) => {
          await p.execute(
            `insert into idempotency_key (customer_id, key, hold_id, booking_id, created_at) values (?, ?, '', gen_random_uuid(), now())
             on conflict (customer_id, key) do nothing`,
            [customerId, key],
          );
          throw new Refused('DUPLICATE_KEY');
        }).catch((err: unknown) => {
          if (!(err instanceof Refused)) throw err;
        });
      }
      const [reserved] = await t.execute<Array<{ hold_id: string; booking_id: string }>>(
        'select hold_id, booking_id from idempotency_key where customer_id = ? and key = ? and created_at >= ?',
        [customerId, key, notBefore],
      );
      if (!reserved) return null;
      const booking = await one(t, 'b.id = ?', [reserved.booking_id]);
      return booking ? { booking, holdId: reserved.hold_id || null } : null;
    },

    // The confirm's hot path: plain pg, prepared statements (booking-confirm.ts).
    create: (b, beforeCommit) => createBooking(pool, b, beforeCommit),
    confirmContext: (q) => confirmContext(pool, q, (id) => one(em(), 'b.id = ?', [id])),

    async transition(w) {
      return em().transactional(async (t) => {
        const changed = await t.execute<Array<{ id: string }>>(
          `update booking set status = ?, version = version + 1, updated_at = now(),
             accept_deadline = case when ? = 'pending' then accept_deadline else null end
           where id = ? and version = ? and status = ? returning id`,
          [w.to, w.to, w.id, w.version, w.from],
        );
        if (!changed.length) return null;
        const eventId = await insertEvent(t, w.id, w.event);
        await insertOutbox(t, w.id, w.outbox, [eventId]);
        if (w.to === 'completed') {
          await t.execute(`update booking_payment set completed_at = ?, updated_at = now() where booking_id = ?`, [w.at ?? new Date(), w.id]);
        }
        if (!isActiveStatus(w.to)) {
          // The end the dispute window and the release count from, and the fee a booking ending without completion owes.
          await t.execute(
            `update booking_payment set ended_at = ?, fee_owed_minor = ?,
               fee_minor = case when status = 'captured' and pending_action is null and ?::bigint is not null then least(?::bigint, captured_minor) else fee_minor end,
               updated_at = now()
             where booking_id = ?`,
            [w.at ?? new Date(), w.feeOwed ?? null, w.feeOwed ?? null, w.feeOwed ?? null, w.id],
          );
        }
        if (w.payment) {
          // The provider call this move decided, with the move (the payment flow makes it after COMMIT; its sweep retries).
          // A refund gives back part of a capture; the other calls act on an authorization.
          await t.execute(
            `update booking_payment set pending_action = ?, pending_amount = ?, pending_event_id = ?, attempts = 0, last_error = null,
               next_attempt_at = now(), updated_at = now()
             where booking_id = ? and status = ? and pending_action is null`,
            [w.payment.action, w.payment.amount, eventId, w.id, w.payment.action === 'refund' ? 'captured' : 'authorized'],
          );
        }
        if (w.returnSlots) {
          const rows = await t.execute<Array<{ slot_id: string }>>('select slot_id from booking_slot where booking_id = ?', [w.id]);
          await giveUnits(t, rows.map((r) => r.slot_id));
        }
        if (w.replaces) {
          const gone = await t.execute<Array<{ id: string }>>(
            `update booking set status = 'cancelled', version = version + 1, updated_at = now(), accept_deadline = null
              where id = ? and status in ('pending', 'accepted') returning id`,
            [w.replaces.bookingId],
          );
          if (gone.length) {
            await insertEvent(t, w.replaces.bookingId, w.replaces.event);
            // A move keeps the payment: the accepted move request takes over the old booking's row.
            await t.execute(
              `update booking_payment set booking_id = ?, updated_at = now()
                where booking_id = ? and not exists (select 1 from booking_payment where booking_id = ?)`,
              [w.id, w.replaces.bookingId, w.id],
            );
            const rows = await t.execute<Array<{ slot_id: string }>>('select slot_id from booking_slot where booking_id = ?', [w.replaces.bookingId]);
            await giveUnits(t, rows.map((r) => r.slot_id));
          }
        }
        return one(t, 'b.id = ?', [w.id]);
      });
    },

    async requestMove(r, beforeCommit) {
      try {
        const booking = await em().transactional(async (t) => {
          const [from] = await t.execute<Array<Record<string, any>>>(
            `select * from booking where id = ? and version = ? and status = 'accepted' for update`,
            [r.fromId, r.version],
          );
          if (!from) throw new Refused('VERSION');
          const open = await t.execute(`select 1 from booking where moves_booking_id = ? and status = 'pending' limit 1`, [r.fromId]);
          if (open.length) throw new Refused('OPEN');
          // Both bookings hold their units until the workshop answers: every new slot takes one.
          await takeUnits(t, r.newSlotIds);
          const id = randomUUID();
          await t.execute(
            `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status,
               price_cents, currency, options, vehicle, notes, version, accept_deadline, moves_booking_id, created_at, updated_at)
             select ?, customer_id, workshop_id, service_id, ?, ?,
               (select min(starts_at) from slot where id in (?)), (select max(ends_at) from slot where id in (?)), 'pending',
               price_cents, currency, options, vehicle, notes, 1, ?, id, ?, ?
               from booking where id = ?`,
            [id, r.newSlotIds[0], r.newSlotIds.length, r.newSlotIds, r.newSlotIds, r.acceptDeadline, r.createdAt, r.createdAt, r.fromId],
          );
          for (const slotId of r.newSlotIds) await t.execute('insert into booking_slot (booking_id, slot_id) values (?, ?)', [id, slotId]);
          // The request is for the same visit: the same services, durations and quoted prices.
          await t.execute(
            `insert into booking_service (booking_id, position, service_id, duration_minutes, price_cents, options)
             select ?, position, service_id, duration_minutes, price_cents, options from booking_service where booking_id = ?`,
            [id, r.fromId],
          );
          const eventId = await insertEvent(t, id, { type: 'move_requested', actorId: r.actorId, actorRole: 'customer', data: { from: r.fromId } });
          await insertOutbox(t, id, r.outbox, [eventId]);
          await insertEvent(t, r.fromId, { type: 'move_requested', actorId: r.actorId, actorRole: 'customer', data: { to: id } });
          const created = await one(t, 'b.id = ?', [id]);
          await beforeCommit?.();
          return created;
        });
        return { ok: true as const, booking: booking! };
      } catch (err) {
        if (err instanceof Refused) return { ok: false as const, reason: err.reason as 'CAPACITY' | 'VERSION' | 'OPEN' };
        throw err;
      }
    },

    async reschedule(r, beforeCommit) {
      try {
        const booking = await em().transactional(async (t) => {
          const moved = await t.execute<Array<{ id: string }>>(
            `update booking set version = version + 1, updated_at = now() where id = ? and version = ? and status in ('pending', 'accepted') returning id`,
            [r.id, r.version],
          );
          if (!moved.length) throw new Refused('VERSION');
          const keep = new Set(r.oldSlotIds);
          await takeUnits(t, r.newSlotIds.filter((s) => !keep.has(s)));
          await giveUnits(t, r.oldSlotIds.filter((s) => !r.newSlotIds.includes(s)));
          await t.execute('delete from booking_slot where booking_id = ?', [r.id]);
          for (const slotId of r.newSlotIds) await t.execute('insert into booking_slot (booking_id, slot_id) values (?, ?)', [r.id, slotId]);
          await t.execute(
            `update booking b set first_slot_id = ?, slot_count = ?,
               starts_at = (select min(starts_at) from slot where id in (?)), ends_at = (select max(ends_at) from slot where id in (?))
             where b.id = ?`,
            [r.newSlotIds[0], r.newSlotIds.length, r.newSlotIds, r.newSlotIds, r.id],
          );
          await insertOutbox(t, r.id, r.outbox, [await insertEvent(t, r.id, r.event)]);
          const after = await one(t, 'b.id = ?', [r.id]);
          await beforeCommit?.();
          return after;
        });
        return { ok: true as const, booking: booking! };
      } catch (err) {
        if (err instanceof Refused) return { ok: false as const, reason: err.reason === 'VERSION' ? 'VERSION' as const : 'CAPACITY' as const };
        throw err;
      }
    },

    async assign(a) {
      try {
        return await em().transactional(async (t) => {
          const changed = await t.execute<Array<{ id: string }>>(
            'update booking set assignee_id = ?, bay = ?, version = version + 1, updated_at = now() where id = ? and version = ? returning id',
            [a.assigneeId, a.bay, a.id, a.version],
          );
          if (!changed.length) return null;
          await insertEvent(t, a.id, a.event);
          return one(t, 'b.id = ?', [a.id]);
        });
      } catch (err) {
        if (err instanceof ForeignKeyConstraintViolationException) return 'not_member' as const;
        throw err;
      }
    },

    async list(f) {
      const where: string[] = ['true'];
      const params: unknown[] = [];
      const add = (sql: string, v: unknown) => {
        where.push(sql);
        params.push(v);
      };
      if (f.customerId) add('b.customer_id = ?', f.customerId);
      if (f.ownerId) add('w.owner_id = ?', f.ownerId);
      if (f.memberId) add('exists (select 1 from workshop_member wm where wm.workshop_id = b.workshop_id and wm.user_id = ?)', f.memberId);
      if (f.workshopId) add('b.workshop_id = ?', f.workshopId);
      if (f.status) add('b.status = ?', f.status);
      if (f.from) add('b.starts_at >= ?', f.from);
      if (f.to) add('b.starts_at < ?', f.to);
      const rows = await em().execute<BookingRow[]>(`${BOOKING_SELECT} where ${where.join(' and ')} order by b.starts_at asc limit ?`, [...params, f.limit]);
      return rows.map((row) => {
        const { ownerId: _owner, staff: _staff, ...view } = toBookingRecord(row);
        return view;
      });
    },

    async events(bookingId) {
      const rows = await em().execute<EventRow[]>(
        'select e.type, e.at, e.actor_role, u.name as actor_name, e.data from booking_event e left join "user" u on u.id = e.actor_id where e.booking_id = ? order by e.at, e.id',
        [bookingId],
      );
      return rows.map(toEventView);
    },

    async addEventOnce(bookingId, e) {
      const rows = await em().execute<Array<{ id: string }>>(
        `insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data)
           select ?, ?, ?, ?, ?, clock_timestamp(), ?
            where not exists (select 1 from booking_event where booking_id = ? and type = ?) returning id`,
        [randomUUID(), bookingId, e.type, e.actorId, e.actorRole, e.data ? JSON.stringify(e.data) : null, bookingId, e.type],
      );
      return rows.length > 0;
    },

    async withEvent(type, limit) {
      const rows = await em().execute<Array<BookingRow & { e_type: string; e_at: Date; e_actor_role: string; e_data: Record<string, unknown> | null }>>(
        `select * from (${BOOKING_SELECT}) b2 join lateral (
            select e.type as e_type, e.at as e_at, e.actor_role as e_actor_role, e.data as e_data from booking_event e
             where e.booking_id = b2.id and e.type = ? order by e.at desc limit 1) ev on true
          order by ev.e_at desc limit ?`,
        [type, limit],
      );
      return rows.map((r) => {
        const { ownerId: _owner, staff: _staff, ...booking } = toBookingRecord(r);
        return { booking, event: toEventView({ type: r.e_type, at: r.e_at, actor_role: r.e_actor_role, data: r.e_data }) };
      });
    },

    async contact(bookingId) {
      const [r] = await em().execute<Array<Record<string, any>>>(
        `select w.phone, w.email, w.address, w.city, w.lat, w.lng, u.phone as customer_phone
           from booking b join workshop w on w.id = b.workshop_id join "user" u on u.id = b.customer_id where b.id = ?`,
        [bookingId],
      );
      if (!r) throw new Error(`booking ${bookingId} has no row`);
      const place = { address: r.address, city: r.city, lat: r.lat == null ? null : Number(r.lat), lng: r.lng == null ? null : Number(r.lng) };
      return {
        workshop: { phone: r.phone ?? null, email: r.email ?? null, address: r.address, city: r.city, mapUrl: mapUrl(place) },
        customer: { phone: r.customer_phone ?? null },
      };
    },

    async purgeIdempotencyKeys(before) {
      const rows = await em().execute<Array<{ key: string }>>('delete from idempotency_key where created_at < ? returning key', [before]);
      return rows.length;
    },

    async overduePending(now, limit) {
      const rows = await em().execute<Array<{ id: string }>>(
        `select id from booking where status = 'pending' and accept_deadline <= ? order by accept_deadline limit ?`,
        [now, limit],
      );
      return rows.map((r) => r.id);
    },
  };
}
