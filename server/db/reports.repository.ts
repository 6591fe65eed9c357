import type { MikroORM } from '@mikro-orm/postgresql';
import { BOOKING_STATUSES } from '@shared/booking-status';
import type { StatusCounts } from '@shared/schemas/reports';
import type { RawFigures, RawUtilisation, ReportStore } from '../domain/report-ports';

/*
 * The aggregates behind the reports, in SQL: one statement for the bookings and one for the slots
 * of a report, each adding up every group at once (GROUPING SETS: the total, per day, per service
 * or workshop or city, per currency). Days and hours are those of the report's zone
 * (`at time zone`). Runs on the ORM's pool, not the confirm's hot pool. The range filters use
 * booking (workshop_id, status, starts_at) for a workshop and booking (starts_at) / slot
 * (starts_at) for the marketplace (Migration20261201220000).
 */

// Generated from the fixed status list (no input reaches these identifiers).
const statusCounts = BOOKING_STATUSES.map((s) => `count(*) filter (where g.status = '${s}')::int as "${s}"`).join(',\n       ');
const bookingFigures = `
       count(g.status)::int as bookings,
       ${statusCounts},
       percentile_cont(0.5) within group (order by g.lead_h) filter (where g.status not in ('declined', 'expired')) as lead_median,
       percentile_cont(0.9) within group (order by g.lead_h) filter (where g.status not in ('declined', 'expired')) as lead_p90,
       coalesce(sum(g.price_cents) filter (where g.status = 'completed'), 0)::bigint::text as completed_cents`;
const bookingColumns = `b.status, b.price_cents, b.currency, to_char(b.starts_at at time zone ?, 'YYYY-MM-DD') as day,
           (extract(epoch from (b.starts_at - b.created_at)) / 3600.0)::float8 as lead_h`;
const slotFigures = `
       coalesce(sum(g.capacity * g.minutes), 0)::bigint::text as open_minutes,
       coalesce(sum(g.booked * g.minutes), 0)::bigint::text as booked_minutes`;
const slotColumns = `s.capacity, s.booked, extract(epoch from (s.ends_at - s.starts_at))::bigint / 60 as minutes,
           to_char(s.starts_at at time zone ?, 'YYYY-MM-DD') as day, extract(hour from s.starts_at at time zone ?)::int as hour`;
const cityFilter = `(?::text is null or lower(w.city) = lower(?::text))`;

// Per service, a visit of several services counts once for each of its services, with that
// service's own line price (booking_service); the total, per day and per currency count it once.
const WORKSHOP_BOOKINGS = `
  select case when grouping(g.day) = 0 then 'day' when grouping(g.currency) = 0 then 'currency' else 'total' end as dim,
         null::uuid as service_id, g.day, g.currency, null::text as name, null::text as category, null::text as service_currency,${bookingFigures}
    from (select ${bookingColumns}
            from booking b
           where b.workshop_id = ? and b.starts_at >= ? and b.starts_at < ?) g
   group by grouping sets ((), (g.day), (g.currency))
  union all
  select 'service', g.service_id, null, null, min(sv.name), min(sv.category), min(sv.currency),${bookingFigures}
    from (select bs.service_id, b.status, bs.price_cents, b.currency, null as day,
                 (extract(epoch from (b.starts_at - b.created_at)) / 3600.0)::float8 as lead_h
            from booking b join booking_service bs on bs.booking_id = b.id
           where b.workshop_id = ? and b.starts_at >= ? and b.starts_at < ?) g
    left join service sv on sv.id = g.service_id
   group by g.service_id`;

const WORKSHOP_SLOTS = `
  select case when grouping(g.day) = 0 then 'day' when grouping(g.hour) = 0 then 'hour' else 'total' end as dim, g.day, g.hour,${slotFigures}
    from (select ${slotColumns}
            from slot s
           where s.workshop_id = ? and s.starts_at >= ? and s.starts_at < ?) g
   group by grouping sets ((), (g.day), (g.hour))`;

// Per bay: bay i is open for a slot's length when the slot offers at least i units (capacity), and
// booked for the length of each booking assigned to it that holds a unit; bookings with no bay are
// summed apart (bay null).
const WORKSHOP_BAYS = `
  with s as (select capacity, extract(epoch from (ends_at - starts_at))::bigint / 60 as minutes
               from slot where workshop_id = ? and starts_at >= ? and starts_at < ?),
       bays as (select generate_series(1, w.bays) as bay from workshop w where w.id = ?),
       open as (select bays.bay, coalesce(sum(s.minutes) filter (where s.capacity >= bays.bay), 0) as minutes
                  from bays left join s on true group by bays.bay),
       held as (select b.bay, sum(extract(epoch from (b.ends_at - b.starts_at))::bigint / 60) as minutes
                  from booking b
                 where b.workshop_id = ? and b.starts_at >= ? and b.starts_at < ?
                   and b.status in ('pending', 'accepted', 'in_progress', 'completed', 'no_show')
                 group by b.bay)
  select o.bay, o.minutes::bigint::text as open_minutes, coalesce(h.minutes, 0)::bigint::text as booked_minutes
    from open o left join held h on h.bay = o.bay
  union all
  select null, '0', coalesce((select minutes from held where bay is null), 0)::bigint::text
   order by 1 nulls last`;

const MARKET_BOOKINGS = `
  select case when grouping(g.workshop_id) = 0 then 'workshop' when grouping(g.city) = 0 then 'city' when grouping(g.day) = 0 then 'day' when grouping(g.currency) = 0 then 'currency' else 'total' end as dim,
         g.workshop_id, min(g.name) as name, g.city, g.day, g.currency,${bookingFigures}
    from (select b.workshop_id, w.name, w.city, ${bookingColumns}
            from booking b join workshop w on w.id = b.workshop_id
           where b.starts_at >= ? and b.starts_at < ? and ${cityFilter}) g
   group by grouping sets ((), (g.workshop_id, g.city), (g.city), (g.day), (g.currency))`;

const MARKET_SLOTS = `
  select case when grouping(g.workshop_id) = 0 then 'workshop' when grouping(g.city) = 0 then 'city' when grouping(g.day) = 0 then 'day' else 'total' end as dim,
         g.workshop_id, min(g.name) as name, g.city, g.day,${slotFigures}
    from (select s.workshop_id, w.name, w.city, ${slotColumns}
            from slot s join workshop w on w.id = s.workshop_id
           where s.starts_at >= ? and s.starts_at < ? and ${cityFilter}) g
   group by grouping sets ((), (g.workshop_id, g.city), (g.city), (g.day))`;

type BookingRow = Record<(typeof BOOKING_STATUSES)[number], number> & {
  dim: string;
  bookings: number;
  lead_median: number | null;
  lead_p90: number | null;
  completed_cents: string;
  service_id?: string | null;
  workshop_id?: string | null;
  name: string | null;
  category?: string | null;
  service_currency?: string | null;
  city?: string | null;
  day: string | null;
  currency: string | null;
};
type SlotRow = { dim: string; day: string | null; hour?: number | null; workshop_id?: string | null; name?: string | null; city?: string | null; open_minutes: string; booked_minutes: string };

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function figures(r: BookingRow): RawFigures {
  const byStatus = Object.fromEntries(BOOKING_STATUSES.map((s) => [s, Number(r[s])])) as StatusCounts;
  return { bookings: Number(r.bookings), byStatus, leadMedianHours: num(r.lead_median), leadP90Hours: num(r.lead_p90) };
}
const utilisation = (r: SlotRow): RawUtilisation => ({ bookedBayMinutes: Number(r.booked_minutes), openBayMinutes: Number(r.open_minutes) });
const only = <R extends { dim: string }>(rows: R[], dim: string) => rows.filter((r) => r.dim === dim);
const totalOf = <R extends { dim: string }>(rows: R[]) => rows.find((r) => r.dim === 'total')!;
const completedValue = (rows: BookingRow[]) =>
  only(rows, 'currency').map((r) => ({ currency: r.currency!, completedCents: Number(r.completed_cents) })).sort((a, b) => a.currency.localeCompare(b.currency));

export function createReportRepository(orm: MikroORM): ReportStore {
  const run = <T>(sql: string, params: unknown[]) => orm.em.fork().getConnection().execute<T[]>(sql, params as any[]);
  return {
    async workshopBookings(workshopId, range) {
      const rows = await run<BookingRow>(WORKSHOP_BOOKINGS, [range.zone, workshopId, range.start, range.end, workshopId, range.start, range.end]);
      return {
        total: figures(totalOf(rows)),
        byDay: only(rows, 'day').map((r) => ({ date: r.day!, ...figures(r) })),
        byService: only(rows, 'service').map((r) => ({
          serviceId: r.service_id!, name: r.name ?? '', category: r.category ?? '', currency: r.service_currency ?? '', completedCents: Number(r.completed_cents), ...figures(r),
        })),
        completedValue: completedValue(rows),
      };
    },
    async workshopSlots(workshopId, range) {
      const rows = await run<SlotRow>(WORKSHOP_SLOTS, [range.zone, range.zone, workshopId, range.start, range.end]);
      return {
        total: utilisation(totalOf(rows)),
        byDay: only(rows, 'day').map((r) => ({ date: r.day!, ...utilisation(r) })),
        byHour: only(rows, 'hour').map((r) => ({ hour: Number(r.hour), ...utilisation(r) })),
      };
    },
    async workshopBays(workshopId, range) {
      const rows = await run<{ bay: number | null; open_minutes: string; booked_minutes: string }>(WORKSHOP_BAYS, [
        workshopId, range.start, range.end, workshopId, workshopId, range.start, range.end,
      ]);
      return {
        byBay: rows.filter((r) => r.bay !== null).map((r) => ({ bay: Number(r.bay), bookedBayMinutes: Number(r.booked_minutes), openBayMinutes: Number(r.open_minutes) })),
        unassignedBookedBayMinutes: Number(rows.find((r) => r.bay === null)?.booked_minutes ?? 0),
      };
    },
    async marketplaceBookings(range, city) {
      const rows = await run<BookingRow>(MARKET_BOOKINGS, [range.zone, range.start, range.end, city, city]);
      return {
        total: figures(totalOf(rows)),
        byDay: only(rows, 'day').map((r) => ({ date: r.day!, ...figures(r) })),
        byWorkshop: only(rows, 'workshop').map((r) => ({ workshopId: r.workshop_id!, name: r.name ?? '', city: r.city ?? '', ...figures(r) })),
        byCity: only(rows, 'city').map((r) => ({ city: r.city ?? '', ...figures(r) })),
        completedValue: completedValue(rows),
      };
    },
    async marketplaceSlots(range, city) {
      const rows = await run<SlotRow>(MARKET_SLOTS, [range.zone, range.zone, range.start, range.end, city, city]);
      return {
        total: utilisation(totalOf(rows)),
        byDay: only(rows, 'day').map((r) => ({ date: r.day!, ...utilisation(r) })),
        byWorkshop: only(rows, 'workshop').map((r) => ({ workshopId: r.workshop_id!, name: r.name ?? '', city: r.city ?? '', ...utilisation(r) })),
        byCity: only(rows, 'city').map((r) => ({ city: r.city ?? '', ...utilisation(r) })),
      };
    },
  };
}
