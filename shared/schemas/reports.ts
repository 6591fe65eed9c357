import { z } from 'zod';
import { BOOKING_STATUSES } from '../booking-status';
import { calendarDateSchema } from './dates';

/*
 * Booking reports (server-side analytics): a workshop's report for its owner and admins, and the
 * marketplace report for admins. Definitions of every figure: docs/architecture.md "Reporting"
 * and server/domain/reports.ts.
 */

/** The widest range a report covers, in days (both ends included). */
export const MAX_REPORT_RANGE_DAYS = 366;
/** A range without `from` covers this many days ending with `to` (today by default). */
export const DEFAULT_REPORT_RANGE_DAYS = 30;

const DAY_MS = 86_400_000;

function checkRange(r: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  if (!r.from || !r.to) return;
  const days = (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS;
  if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: '`from` must not be after `to`' });
  else if (days >= MAX_REPORT_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `A report spans at most ${MAX_REPORT_RANGE_DAYS} days` });
}

const rangeFields = { from: calendarDateSchema.optional(), to: calendarDateSchema.optional() };

/** `?from=&to=`: local days of the workshop's time zone, both included; `from` ≤ `to`, at most MAX_REPORT_RANGE_DAYS. */
export const workshopReportQuerySchema = z.strictObject(rangeFields).superRefine(checkRange);
export type WorkshopReportQuery = z.infer<typeof workshopReportQuerySchema>;

/** An IANA zone name the runtime knows (Europe/London, UTC). */
export const zoneNameSchema = z
  .string()
  .max(64)
  .refine((z) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: z });
      return true;
    } catch {
      return false;
    }
  }, 'Not a known IANA time zone');

/** `?from=&to=&city=&tz=`: days of `tz` (UTC by default), both included; `city` keeps one city's workshops (case-insensitive). */
export const marketplaceReportQuerySchema = z
  .strictObject({ ...rangeFields, city: z.string().trim().min(1).max(80).optional(), tz: zoneNameSchema.optional() })
  .superRefine(checkRange);
export type MarketplaceReportQuery = z.infer<typeof marketplaceReportQuerySchema>;

/** A share in [0, 1] rounded to 4 decimal places; null when its denominator is 0. */
const rate = z.number().min(0).max(1).nullable();
const count = z.int().min(0);

export const statusCountsSchema = z.strictObject(Object.fromEntries(BOOKING_STATUSES.map((s) => [s, count])) as Record<(typeof BOOKING_STATUSES)[number], typeof count>);
export type StatusCounts = z.infer<typeof statusCountsSchema>;

/** Booking figures of a group of bookings (those whose appointment starts within the range). */
export const bookingFiguresSchema = z.strictObject({
  /** Every booking request whose appointment starts in the range, whatever became of it. */
  bookings: count,
  byStatus: statusCountsSchema,
  /** cancelled ÷ bookings. */
  cancellationRate: rate,
  /** no_show ÷ (completed + no_show): of the appointments that came due and were settled, how many the customer missed. */
  noShowRate: rate,
  /** starts_at − created_at of the bookings not declined or expired, in hours (1 decimal; percentiles interpolated). */
  leadTimeHours: z.strictObject({ median: z.number().nullable(), p90: z.number().nullable() }),
});
export type BookingFigures = z.infer<typeof bookingFiguresSchema>;

/** Booked bay-minutes ÷ open bay-minutes of the slots that start in the group. */
export const utilisationSchema = z.strictObject({ bookedBayMinutes: count, openBayMinutes: count, rate });
export type Utilisation = z.infer<typeof utilisationSchema>;

/** One local day of the trend series. */
export const reportDaySchema = z.strictObject({ date: z.iso.date(), ...bookingFiguresSchema.shape, utilisation: utilisationSchema });
export type ReportDay = z.infer<typeof reportDaySchema>;

/** Completed work's value in one currency (price_cents of completed bookings). */
export const currencyValueSchema = z.strictObject({ currency: z.string().regex(/^[A-Z]{3}$/), completedCents: z.int() });

export const reportTotalsSchema = z.strictObject({ ...bookingFiguresSchema.shape, utilisation: utilisationSchema, completedValue: z.array(currencyValueSchema) });

export const serviceRowSchema = z.strictObject({
  serviceId: z.uuid(),
  name: z.string(),
  category: z.string(),
  currency: z.string(),
  ...bookingFiguresSchema.shape,
  completedCents: z.int(),
});
export type ServiceRow = z.infer<typeof serviceRowSchema>;

export const hourRowSchema = z.strictObject({ hour: z.int().min(0).max(23), utilisation: utilisationSchema });

export const bayRowSchema = z.strictObject({ bay: z.int().min(1), utilisation: utilisationSchema });

export const workshopReportSchema = z.strictObject({
  workshopId: z.uuid(),
  /** The workshop's zone: days, hours and the range are its local ones. */
  timezone: z.string(),
  from: z.iso.date(),
  to: z.iso.date(),
  bays: z.int(),
  /**
   * Each bay 1..bays: open for a slot's length when the slot offers at least that many units, booked
   * for the length of each booking assigned to it (the desk's Jobs tab) that holds a unit.
   */
  byBay: z.array(bayRowSchema),
  /** Booked minutes of bookings holding a unit with no bay assigned (not in any bay's figure). */
  unassignedBookedBayMinutes: count,
  totals: reportTotalsSchema,
  /** Every day of the range, oldest first (days without activity are zeros). */
  days: z.array(reportDaySchema),
  /** Hours 0–23 (local) with open slots, by the hour a slot starts in. */
  hours: z.array(hourRowSchema),
  /** Services with bookings in the range, most bookings first. */
  services: z.array(serviceRowSchema),
});
export type WorkshopReport = z.infer<typeof workshopReportSchema>;

export const workshopRowSchema = z.strictObject({ workshopId: z.uuid(), name: z.string(), city: z.string(), ...bookingFiguresSchema.shape, utilisation: utilisationSchema });
export type WorkshopRow = z.infer<typeof workshopRowSchema>;
export const cityRowSchema = z.strictObject({ city: z.string(), workshops: count, ...bookingFiguresSchema.shape, utilisation: utilisationSchema });
export type CityRow = z.infer<typeof cityRowSchema>;

export const marketplaceReportSchema = z.strictObject({
  /** The zone the days are counted in (UTC unless `tz` was given). */
  timezone: z.string(),
  from: z.iso.date(),
  to: z.iso.date(),
  city: z.string().nullable(),
  totals: reportTotalsSchema,
  days: z.array(reportDaySchema),
  /** Workshops with bookings or open slots in the range, most bookings first. */
  workshops: z.array(workshopRowSchema),
  /** Cities (as workshops spell them), most bookings first. */
  cities: z.array(cityRowSchema),
});
export type MarketplaceReport = z.infer<typeof marketplaceReportSchema>;
