import { BOOKING_STATUSES } from '@shared/booking-status';
import type { BookingFigures, MarketplaceReport, Utilisation, WorkshopReport } from '@shared/schemas/reports';
import { csvField } from './statement-csv';

/*
 * A report as one CSV table (RFC 4180, CRLF, the statement's field quoting and formula defusing for
 * names people typed: services, workshops, cities). One row per group, `section` saying which:
 * total, day (key = the date), hour (key = the local hour, utilisation only), bay (key = the bay
 * number, utilisation only; key `unassigned`: booked minutes of bookings with no bay), service (key
 * = its id), workshop (key = its id), city (key = the city). Rates are decimals in [0, 1]; a figure that
 * does not apply (a rate with nothing to divide by, booking figures of an hour) is empty.
 */

export const REPORT_COLUMNS = [
  'section', 'key', 'name', 'bookings', ...BOOKING_STATUSES, 'cancellation_rate', 'no_show_rate',
  'lead_time_median_hours', 'lead_time_p90_hours', 'booked_bay_minutes', 'open_bay_minutes', 'utilisation',
] as const;

const opt = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

function row(section: string, key: string, name: string, f: BookingFigures | null, u: Utilisation | null): string {
  const figures = f
    ? [f.bookings, ...BOOKING_STATUSES.map((s) => f.byStatus[s]), opt(f.cancellationRate), opt(f.noShowRate), opt(f.leadTimeHours.median), opt(f.leadTimeHours.p90)].map(String)
    : Array.from({ length: 5 + BOOKING_STATUSES.length }, () => '');
  const util = u ? [String(u.bookedBayMinutes), String(u.openBayMinutes), opt(u.rate)] : ['', '', ''];
  return [section, csvField(key, { text: true }), csvField(name, { text: true }), ...figures, ...util].join(',');
}

const lines = (rows: string[]) => `${[REPORT_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;

export function workshopReportCsv(r: WorkshopReport): string {
  return lines([
    row('total', `${r.from}..${r.to}`, '', r.totals, r.totals.utilisation),
    ...r.days.map((d) => row('day', d.date, '', d, d.utilisation)),
    ...r.hours.map((h) => row('hour', String(h.hour).padStart(2, '0'), '', null, h.utilisation)),
    ...r.byBay.map((b) => row('bay', String(b.bay), `Bay ${b.bay}`, null, b.utilisation)),
    row('bay', 'unassigned', 'No bay assigned', null, { bookedBayMinutes: r.unassignedBookedBayMinutes, openBayMinutes: 0, rate: null }),
    ...r.services.map((s) => row('service', s.serviceId, s.name, s, null)),
  ]);
}

export function marketplaceReportCsv(r: MarketplaceReport): string {
  return lines([
    row('total', `${r.from}..${r.to}`, r.city ?? '', r.totals, r.totals.utilisation),
    ...r.days.map((d) => row('day', d.date, '', d, d.utilisation)),
    ...r.workshops.map((w) => row('workshop', w.workshopId, w.name, w, w.utilisation)),
    ...r.cities.map((c) => row('city', c.city, c.city, c, c.utilisation)),
  ]);
}
