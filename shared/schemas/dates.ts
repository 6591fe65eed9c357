import { z } from 'zod';

/*
 * Dates every endpoint and socket event accepts. ISO formats alone let year 0000 or 9999
 * through, which Postgres then refuses (a 500 with the SQL in the log); a bounded range
 * keeps such input a 400 at the edge.
 */

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** The widest availability window one snapshot covers (HTTP and `workshop:watch`). */
export const MAX_WINDOW_DAYS = 35;

const DAY_MS = 86_400_000;
const yearMessage = `Use a date between ${MIN_YEAR} and ${MAX_YEAR}`;

// Checked on the instant in UTC (whatever offset it was written with).
const inYears = (ms: number) => Number.isFinite(ms) && new Date(ms).getUTCFullYear() >= MIN_YEAR && new Date(ms).getUTCFullYear() <= MAX_YEAR;

/** An ISO 8601 instant (offset allowed) between MIN_YEAR and MAX_YEAR. */
export const instantSchema = z.iso.datetime({ offset: true }).refine((v) => inYears(Date.parse(v)), yearMessage);

/** A calendar date 'YYYY-MM-DD' between MIN_YEAR and MAX_YEAR. */
export const calendarDateSchema = z.iso.date().refine((v) => {
  const year = Number(v.slice(0, 4));
  return year >= MIN_YEAR && year <= MAX_YEAR;
}, yearMessage);

/** `from`/`to` of an availability window: `from` ≤ `to`, at most MAX_WINDOW_DAYS apart. */
export const windowFields = { from: instantSchema.optional(), to: instantSchema.optional() };

type Window = { from?: string; to?: string };

/** Refinements shared by every availability window (HTTP query and socket payload). */
export function checkWindow(r: Window, ctx: z.RefinementCtx): void {
  if (r.from === undefined || r.to === undefined) return;
  const span = Date.parse(r.to) - Date.parse(r.from);
  // An inverted window would silently watch nothing; say so at the edge instead.
  if (span < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: '`from` must not be after `to`' });
  else if (span > MAX_WINDOW_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `A window spans at most ${MAX_WINDOW_DAYS} days` });
}
