import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';

/*
 * Four weeks of past demo bookings per workshop — mostly completed, some cancelled or no-shows,
 * many reviewed — so a fresh demo has ratings to sort by, insights with a history and reviews
 * to read. Written straight to Postgres (the past cannot be booked through the API), with the
 * same invariants the engine keeps: every slot's `booked` counts its active bookings and stays
 * within capacity, and every booking has its audit events. Deterministic (seeded PRNG) and
 * idempotent: a workshop that already has past bookings is left alone.
 */

export interface HistoryWorkshop {
  id: string;
  ownerId: string;
  timezone: string;
  slotMinutes: number;
  services: Array<{ id: string; durationMinutes: number; basePriceCents: number; currency: string }>;
}

const DAYS = 28;
const START_HOURS = [9, 11, 13, 15]; // two hours apart: one job never overlaps the next
const REVIEW_TEXTS = [
  'Friendly, quick and the price was exactly as quoted.',
  'Car was ready before lunch. Will come back.',
  'Explained everything clearly, no upselling.',
  'Good job overall, a little wait at the desk.',
  'Booked in a minute and they kept to the slot.',
  null,
  'Found the squeak nobody else could. Brilliant.',
  'Fair price, clean work.',
  null,
  'Took longer than promised but they called to say so.',
];
const RATINGS = [5, 5, 5, 4, 4, 5, 4, 3, 5, 4, 2, 5];
const PLATES = ['LS19 KXP', 'EH68 TRV', 'BS21 WQA', 'YK70 HDN', 'MA15 ZPL', 'SW66 JBE', 'CV17 RTO', 'GL20 NMU'];

/** mulberry32: a small, well-known seeded PRNG (demo data must not change between runs). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Adds the history to each workshop that has none; returns how many bookings were written. */
export async function ensureHistory(orm: MikroORM, workshops: HistoryWorkshop[], customerIds: string[], now: Date): Promise<number> {
  let written = 0;
  for (const [i, w] of workshops.entries()) {
    if (!w.services.length || !customerIds.length) continue;
    written += await orm.em.fork().transactional(async (t) => {
      const [past] = await t.execute<Array<{ n: number }>>('select count(*)::int as n from booking where workshop_id = ? and starts_at < ?', [w.id, now]);
      if (past!.n > 0) return 0;
      const n = await writeHistory(t, w, customerIds, now, prng(1000 + i));
      await t.execute(
        `update workshop set rating_count = r.c, rating_avg = coalesce(r.a, 0)
           from (select count(*)::int as c, avg(rating)::float8 as a from review where workshop_id = ?) r where workshop.id = ?`,
        [w.id, w.id],
      );
      return n;
    });
  }
  return written;
}

async function writeHistory(t: EntityManager, w: HistoryWorkshop, customerIds: string[], now: Date, rand: () => number): Promise<number> {
  const today = DateTime.fromJSDate(now, { zone: w.timezone }).startOf('day');
  let written = 0;
  for (let d = DAYS; d >= 1; d--) {
    const day = today.minus({ days: d });
    if (day.weekday === 7) continue; // closed on Sundays
    const hours = START_HOURS.filter((h) => (day.weekday === 6 ? h < 12 : true) && rand() < 0.55);
    for (const hour of hours) {
      const service = pick(rand, w.services);
      const start = day.set({ hour, minute: 0 });
      const slotCount = Math.max(1, Math.ceil(service.durationMinutes / w.slotMinutes));
      const roll = rand();
      const status = roll < 0.08 ? 'cancelled' : roll < 0.14 ? 'no_show' : 'completed';
      await writeBooking(t, w, {
        customerId: pick(rand, customerIds),
        serviceId: service.id,
        priceCents: service.basePriceCents,
        currency: service.currency,
        start: start.toJSDate(),
        slotCount,
        status,
        createdAt: start.minus({ days: 1 + Math.floor(rand() * 5), hours: Math.floor(rand() * 8) }).toJSDate(),
        plate: pick(rand, PLATES),
        review: status === 'completed' && rand() < 0.7 ? { rating: pick(rand, RATINGS), text: pick(rand, REVIEW_TEXTS) } : null,
      });
      written++;
    }
  }
  return written;
}

interface PastBooking {
  customerId: string;
  serviceId: string;
  priceCents: number;
  currency: string;
  start: Date;
  slotCount: number;
  status: 'completed' | 'cancelled' | 'no_show';
  createdAt: Date;
  plate: string;
  review: { rating: number; text: string | null } | null;
}

async function writeBooking(t: EntityManager, w: HistoryWorkshop, b: PastBooking) {
  const step = w.slotMinutes * 60_000;
  const holdsUnit = b.status !== 'cancelled'; // a cancelled booking gave its unit back
  const slotIds: string[] = [];
  for (let k = 0; k < b.slotCount; k++) {
    const startsAt = new Date(b.start.getTime() + k * step);
    const [row] = await t.execute<Array<{ id: string }>>(
      `insert into slot (id, workshop_id, starts_at, ends_at, capacity, booked)
         select ?, ?, ?, ?, w.bays, ? from workshop w where w.id = ?
       on conflict (workshop_id, starts_at) do update set booked = slot.booked + excluded.booked
       returning id`,
      [randomUUID(), w.id, startsAt, new Date(startsAt.getTime() + step), holdsUnit ? 1 : 0, w.id],
    );
    slotIds.push(row!.id);
  }
  const id = randomUUID();
  const endsAt = new Date(b.start.getTime() + b.slotCount * step);
  await t.execute(
    `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status,
       price_cents, currency, options, vehicle, notes, version, accept_deadline, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}'::jsonb, ?::jsonb, null, 4, null, ?, ?)`,
    [id, b.customerId, w.id, b.serviceId, slotIds[0], b.slotCount, b.start, endsAt, b.status, b.priceCents, b.currency,
      JSON.stringify({ registration: b.plate }), b.createdAt, endsAt],
  );
  for (const slotId of slotIds) await t.execute('insert into booking_slot (booking_id, slot_id) values (?, ?)', [id, slotId]);

  const accepted = new Date(b.createdAt.getTime() + 40 * 60_000);
  const events: Array<[type: string, actorId: string, role: string, at: Date]> = [
    ['requested', b.customerId, 'customer', b.createdAt],
    ['accepted', w.ownerId, 'vendor', accepted],
  ];
  if (b.status === 'cancelled') events.push(['cancelled', b.customerId, 'customer', new Date(accepted.getTime() + 3600_000)]);
  if (b.status === 'no_show') events.push(['no_show', w.ownerId, 'vendor', new Date(b.start.getTime() + 30 * 60_000)]);
  if (b.status === 'completed') events.push(['started', w.ownerId, 'vendor', b.start], ['completed', w.ownerId, 'vendor', endsAt]);
  for (const [type, actorId, role, at] of events) {
    await t.execute('insert into booking_event (id, booking_id, type, actor_id, actor_role, at, data) values (?, ?, ?, ?, ?, ?, null)', [randomUUID(), id, type, actorId, role, at]);
  }
  if (b.review) {
    await t.execute('insert into review (id, booking_id, workshop_id, rating, text, created_at) values (?, ?, ?, ?, ?, ?)', [
      randomUUID(), id, w.id, b.review.rating, b.review.text, new Date(endsAt.getTime() + 5 * 3600_000),
    ]);
  }
}
