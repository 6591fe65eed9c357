import { DateTime } from 'luxon';
import { BOOKING_STATUSES } from '@shared/booking-status';
import {
  DEFAULT_REPORT_RANGE_DAYS,
  MAX_REPORT_RANGE_DAYS,
  type BookingFigures,
  type MarketplaceReport,
  type MarketplaceReportQuery,
  type ReportDay,
  type StatusCounts,
  type Utilisation,
  type WorkshopReport,
  type WorkshopReportQuery,
} from '@shared/schemas/reports';
import type { Principal } from './actor';
import type { Clock } from './clock';
import { DomainError } from './errors';
import { ownerOrAdmin, type WorkshopAccess } from './money/workshop-access';
import type { RawFigures, RawUtilisation, ReportRange, ReportStore } from './report-ports';

/*
 * Booking reports: the rules behind every figure (the store only counts and sums).
 *
 * - Population: the bookings whose appointment (`starts_at`) falls on a day of the range, days
 *   being local days of the report's zone (the workshop's own for a workshop; UTC or `tz` for the
 *   marketplace). Every status counts as a booking request; `byStatus` splits them.
 * - Cancellation rate = cancelled ÷ bookings. No-show rate = no_show ÷ (completed + no_show).
 * - Lead time = starts_at − created_at in hours over bookings that were not declined or expired
 *   (a refused or lapsed request never held a bay); median and 90th percentile, interpolated
 *   between ranks (Postgres `percentile_cont`), one decimal.
 * - Utilisation = booked bay-minutes ÷ open bay-minutes of the slots starting in the group, where a
 *   slot's open bay-minutes are capacity (bays) × its length and its booked ones `booked` × its
 *   length (`booked` holds the units of pending, accepted, in-progress, completed and no-show
 *   bookings: a no-show kept the bay); given per day, per local hour of the day (the hour the slot
 *   starts in) and, for a workshop, per bay: bay i is open for a slot's length when the slot offers
 *   at least i units, and booked for each booking assigned to bay i that holds a unit; bookings with
 *   no bay are reported as unassigned minutes.
 * - Completed value = price_cents of completed bookings, per currency.
 * - Rates are rounded to 4 decimal places and are null when their denominator is 0.
 */

export { DEFAULT_REPORT_RANGE_DAYS, MAX_REPORT_RANGE_DAYS };

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;
export const rateOf = (num: number, den: number): number | null => (den > 0 ? round(num / den, 4) : null);

const noStatuses = (): StatusCounts => Object.fromEntries(BOOKING_STATUSES.map((s) => [s, 0])) as StatusCounts;
export const EMPTY_FIGURES: RawFigures = { bookings: 0, byStatus: noStatuses(), leadMedianHours: null, leadP90Hours: null };
export const EMPTY_UTILISATION: RawUtilisation = { bookedBayMinutes: 0, openBayMinutes: 0 };

export function figuresOf(raw: RawFigures): BookingFigures {
  const s = raw.byStatus;
  return {
    bookings: raw.bookings,
    byStatus: { ...s },
    cancellationRate: rateOf(s.cancelled, raw.bookings),
    noShowRate: rateOf(s.no_show, s.completed + s.no_show),
    leadTimeHours: {
      median: raw.leadMedianHours === null ? null : round(raw.leadMedianHours, 1),
      p90: raw.leadP90Hours === null ? null : round(raw.leadP90Hours, 1),
    },
  };
}

export function utilisationOf(raw: RawUtilisation): Utilisation {
  return { bookedBayMinutes: raw.bookedBayMinutes, openBayMinutes: raw.openBayMinutes, rate: rateOf(raw.bookedBayMinutes, raw.openBayMinutes) };
}

const invalid = (message: string) => new DomainError('VALIDATION_FAILED', message, [{ path: 'to', message }]);

/**
 * The range as days of `zone` and the instants they span: `to` defaults to today (by the clock, in
 * that zone), `from` to DEFAULT_REPORT_RANGE_DAYS days ending with `to`. A range made inverted or too
 * long by a default (a `from` after today) is refused like an explicit one.
 */
export function reportRange(q: { from?: string; to?: string }, zone: string, now: number): ReportRange {
  const to = q.to ?? DateTime.fromMillis(now, { zone }).toISODate()!;
  const toDay = DateTime.fromISO(to, { zone });
  const from = q.from ?? toDay.minus({ days: DEFAULT_REPORT_RANGE_DAYS - 1 }).toISODate()!;
  const fromDay = DateTime.fromISO(from, { zone });
  const span = Math.round(toDay.diff(fromDay, 'days').days);
  if (span < 0) throw invalid('`from` must not be after `to`');
  if (span >= MAX_REPORT_RANGE_DAYS) throw invalid(`A report spans at most ${MAX_REPORT_RANGE_DAYS} days`);
  const days = Array.from({ length: span + 1 }, (_, i) => fromDay.plus({ days: i }).toISODate()!);
  return { from, to, zone, start: fromDay.startOf('day').toJSDate(), end: toDay.plus({ days: 1 }).startOf('day').toJSDate(), days };
}

/** Every day of the range, zeros where nothing happened. */
function daySeries(range: ReportRange, figures: Map<string, RawFigures>, util: Map<string, RawUtilisation>): ReportDay[] {
  return range.days.map((date) => ({ date, ...figuresOf(figures.get(date) ?? EMPTY_FIGURES), utilisation: utilisationOf(util.get(date) ?? EMPTY_UTILISATION) }));
}

const byBookingsThen = <T extends { bookings: number }>(key: (t: T) => string) => (a: T, b: T) => b.bookings - a.bookings || key(a).localeCompare(key(b));

export function createReports(deps: { store: ReportStore; clock: Clock } & WorkshopAccess) {
  const { store } = deps;
  return {
    /** A workshop's report over local days of its zone (its owner and admins). */
    async workshop(actor: Principal, workshopId: string, q: WorkshopReportQuery): Promise<WorkshopReport> {
      await ownerOrAdmin(deps, actor, workshopId, 'its reports');
      const w = (await deps.findWorkshop(workshopId))!;
      const range = reportRange(q, w.timezone, deps.clock.now());
      const [b, s, bays] = await Promise.all([store.workshopBookings(workshopId, range), store.workshopSlots(workshopId, range), store.workshopBays(workshopId, range)]);
      return {
        workshopId,
        timezone: w.timezone,
        from: range.from,
        to: range.to,
        bays: w.bays,
        byBay: bays.byBay.map((r) => ({ bay: r.bay, utilisation: utilisationOf(r) })),
        unassignedBookedBayMinutes: bays.unassignedBookedBayMinutes,
        totals: { ...figuresOf(b.total), utilisation: utilisationOf(s.total), completedValue: b.completedValue },
        days: daySeries(range, new Map(b.byDay.map((d) => [d.date, d])), new Map(s.byDay.map((d) => [d.date, d]))),
        hours: s.byHour.map((h) => ({ hour: h.hour, utilisation: utilisationOf(h) })).sort((x, y) => x.hour - y.hour),
        services: b.byService
          .map((r) => ({ serviceId: r.serviceId, name: r.name, category: r.category, currency: r.currency, ...figuresOf(r), completedCents: r.completedCents }))
          .sort(byBookingsThen((r) => r.name)),
      };
    },

    /** The marketplace over days of `tz` (UTC by default), optionally one city (admins; the route checks the role). */
    async marketplace(q: MarketplaceReportQuery): Promise<MarketplaceReport> {
      const range = reportRange(q, q.tz ?? 'UTC', deps.clock.now());
      const city = q.city ?? null;
      const [b, s] = await Promise.all([store.marketplaceBookings(range, city), store.marketplaceSlots(range, city)]);
      const slotsOf = new Map(s.byWorkshop.map((r) => [r.workshopId, r]));
      const bookingsOf = new Map(b.byWorkshop.map((r) => [r.workshopId, r]));
      const workshopIds = new Set([...slotsOf.keys(), ...bookingsOf.keys()]);
      const workshops = [...workshopIds].map((id) => {
        const fig = bookingsOf.get(id);
        const util = slotsOf.get(id);
        const named = (fig ?? util)!;
        return { workshopId: id, name: named.name, city: named.city, ...figuresOf(fig ?? EMPTY_FIGURES), utilisation: utilisationOf(util ?? EMPTY_UTILISATION) };
      });
      const cityFigures = new Map(b.byCity.map((r) => [r.city, r]));
      const cityUtil = new Map(s.byCity.map((r) => [r.city, r]));
      const cities = [...new Set([...cityFigures.keys(), ...cityUtil.keys()])].map((name) => ({
        city: name,
        workshops: workshops.filter((w) => w.city === name).length,
        ...figuresOf(cityFigures.get(name) ?? EMPTY_FIGURES),
        utilisation: utilisationOf(cityUtil.get(name) ?? EMPTY_UTILISATION),
      }));
      return {
        timezone: range.zone,
        from: range.from,
        to: range.to,
        city,
        totals: { ...figuresOf(b.total), utilisation: utilisationOf(s.total), completedValue: b.completedValue },
        days: daySeries(range, new Map(b.byDay.map((d) => [d.date, d])), new Map(s.byDay.map((d) => [d.date, d]))),
        workshops: workshops.sort(byBookingsThen((w) => w.name)),
        cities: cities.sort(byBookingsThen((c) => c.city)),
      };
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
