import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { QuoteView, StageUpdateView } from '@shared/schemas/repair-tracking';
import type { OutboxIntent } from '../domain/notifications';
import { TRACKABLE_STATUSES, type JobStore } from '../domain/repair-tracking-ports';
import { BOOKING_SELECT, toBookingRecord, type BookingRow } from './booking-sql';
import { OUTBOX_INSERT, OUTBOX_ROWS, OUTBOX_VALUES, outboxParam } from './outbox-sql';

interface UpdateRow {
  id: string;
  booking_id: string;
  stage: StageUpdateView['stage'];
  note: string | null;
  eta: Date | null;
  by_role: string;
  at: Date;
}

interface QuoteRow {
  id: string;
  booking_id: string;
  status: QuoteView['status'];
  total_minor: string;
  currency: string;
  note: string | null;
  created_at: Date;
  decided_at: Date | null;
  decided_role: string | null;
  items: Array<{ description: string; price_minor: number | string }>;
}

const iso = (d: Date | string) => new Date(d).toISOString();

const toUpdate = (r: UpdateRow): StageUpdateView => ({
  id: r.id, bookingId: r.booking_id, stage: r.stage, note: r.note, eta: r.eta ? iso(r.eta) : null, byRole: r.by_role, at: iso(r.at),
});

const toQuote = (r: QuoteRow): QuoteView => ({
  id: r.id, bookingId: r.booking_id, status: r.status, totalMinor: Number(r.total_minor), currency: r.currency, note: r.note,
  items: (r.items ?? []).map((i) => ({ description: i.description, priceMinor: Number(i.price_minor) })),
  createdAt: iso(r.created_at), decidedAt: r.decided_at ? iso(r.decided_at) : null, decidedByRole: r.decided_role,
});

const QUOTE_SELECT = `select q.*, coalesce((select json_agg(json_build_object('description', i.description, 'price_minor', i.price_minor) order by i.position)
    from job_quote_item i where i.quote_id = q.id), '[]'::json) as items from job_quote q`;

/** Locks the booking row (every tracking write of one booking queues here); false unless it is still trackable. */
async function lockTrackable(t: EntityManager, bookingId: string): Promise<boolean> {
  const [row] = await t.execute<Array<{ status: string }>>('select status from booking where id = ? for update', [bookingId]);
  return !!row && (TRACKABLE_STATUSES as readonly string[]).includes(row.status);
}

async function insertEvent(t: EntityManager, bookingId: string, type: string, actorId: string, actorRole: string, data: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  await t.execute('insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data) values (?, ?, ?, ?, ?, clock_timestamp(), ?)', [
    id, bookingId, type, actorId, actorRole, JSON.stringify(data),
  ]);
  return id;
}

/** The messages a write owes, one row per recipient, in its transaction (`eventId`: what the message is about). */
async function insertOutbox(t: EntityManager, bookingId: string, intents: OutboxIntent[] | undefined, eventId: string) {
  if (!intents?.length) return;
  await t.execute(
    `${OUTBOX_INSERT} ${OUTBOX_VALUES} from booking b ${OUTBOX_ROWS('?')}
      where b.id = ? on conflict (dedupe_key) do nothing`,
    [outboxParam(intents, [eventId]), bookingId],
  );
}

const isUniqueViolation = (err: unknown) =>
  (err as { code?: string })?.code === '23505' || (err as { name?: string })?.name === 'UniqueConstraintViolationException';

/** JobStore in plain SQL: stage updates, quotes and their items (docs/architecture.md, "Repair tracking"). */
export function createJobRepository(orm: MikroORM): JobStore {
  const em = () => orm.em.fork();
  const quoteById = async (t: EntityManager, id: string) => {
    const [row] = await t.execute<QuoteRow[]>(`${QUOTE_SELECT} where q.id = ?`, [id]);
    return row ? toQuote(row) : null;
  };

  return {
    async updates(bookingId) {
      const rows = await em().execute<UpdateRow[]>('select * from job_stage_update where booking_id = ? order by seq', [bookingId]);
      return rows.map(toUpdate);
    },

    async quotes(bookingId) {
      const rows = await em().execute<QuoteRow[]>(`${QUOTE_SELECT} where q.booking_id = ? order by q.created_at desc, q.seq desc`, [bookingId]);
      return rows.map(toQuote);
    },

    findQuote: (id) => quoteById(em(), id),

    async addUpdate(u) {
      return em().transactional(async (t) => {
        if (!(await lockTrackable(t, u.bookingId))) return 'CLOSED' as const;
        const [last] = await t.execute<Array<{ stage: string }>>('select stage from job_stage_update where booking_id = ? order by seq desc limit 1', [u.bookingId]);
        if ((last?.stage ?? null) !== u.expectedFrom) return 'STALE' as const;
        const id = randomUUID();
        const [row] = await t.execute<UpdateRow[]>(
          `insert into job_stage_update (id, booking_id, stage, note, eta, by_id, by_role, at) values (?, ?, ?, ?, ?, ?, ?, ?) returning *`,
          [id, u.bookingId, u.stage, u.note, u.eta, u.byId, u.byRole, u.at],
        );
        await insertOutbox(t, u.bookingId, u.outbox, id);
        return toUpdate(row!);
      });
    },

    async createQuote(q) {
      try {
        return await em().transactional(async (t) => {
          if (!(await lockTrackable(t, q.bookingId))) return 'CLOSED' as const;
          const id = randomUUID();
          await t.execute(
            `insert into job_quote (id, booking_id, status, total_minor, currency, note, created_by, created_at) values (?, ?, 'pending', ?, ?, ?, ?, ?)`,
            [id, q.bookingId, q.totalMinor, q.currency, q.note, q.byId, q.at],
          );
          await t.execute(
            `insert into job_quote_item (quote_id, position, description, price_minor)
               select ?, (x.ord - 1)::int, x.d ->> 'description', (x.d ->> 'priceMinor')::bigint from jsonb_array_elements(?::jsonb) with ordinality x(d, ord)`,
            [id, JSON.stringify(q.items)],
          );
          const eventId = await insertEvent(t, q.bookingId, 'quote_sent', q.byId, q.byRole, { quoteId: id, totalMinor: q.totalMinor, currency: q.currency });
          await insertOutbox(t, q.bookingId, q.outbox, eventId);
          return (await quoteById(t, id))!;
        });
      } catch (err) {
        // The partial unique index: this booking already has a pending quote.
        if (isUniqueViolation(err)) return 'PENDING' as const;
        throw err;
      }
    },

    async decideQuote(d) {
      return em().transactional(async (t) => {
        // Withdrawing needs no open booking (nothing changes but the quote); answering one does.
        const open = await lockTrackable(t, d.bookingId);
        if (!open && d.to !== 'withdrawn') return 'CLOSED' as const;
        const decided = await t.execute<Array<{ total_minor: string; currency: string }>>(
          `update job_quote set status = ?, decided_by = ?, decided_role = ?, decided_at = ?
            where id = ? and booking_id = ? and status = 'pending' returning total_minor, currency`,
          [d.to, d.byId, d.byRole, d.at, d.quoteId, d.bookingId],
        );
        if (!decided.length) return 'NOT_PENDING' as const;
        const total = Number(decided[0]!.total_minor);
        let data: Record<string, unknown> = { quoteId: d.quoteId, totalMinor: total };
        if (d.to === 'approved') {
          // The booking's price follows: base + every approved quote (its version moves, like any change to it).
          const [b] = await t.execute<Array<{ price_cents: number }>>(
            'update booking set price_cents = price_cents + ?, version = version + 1, updated_at = now() where id = ? returning price_cents',
            [total, d.bookingId],
          );
          data = { ...data, priceCents: Number(b!.price_cents), previousPriceCents: Number(b!.price_cents) - total };
        }
        await insertEvent(t, d.bookingId, `quote_${d.to}`, d.byId, d.byRole, data);
        const [row] = await t.execute<BookingRow[]>(`${BOOKING_SELECT} where b.id = ?`, [d.bookingId]);
        return { quote: (await quoteById(t, d.quoteId))!, booking: toBookingRecord(row!) };
      });
    },
  };
}
