import { FUEL_LABELS, type BookingVehicle } from '@shared/schemas/vehicle';
/*
 * Dates are always shown in the workshop's own time zone (where the car will be), with
 * Intl.DateTimeFormat; formatters are cached because grids format hundreds of cells.
 */

const cache = new Map<string, Intl.DateTimeFormat>();

function fmt(timeZone: string, opts: Intl.DateTimeFormatOptions, locale = 'en-GB'): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...opts, timeZone });
    cache.set(key, f);
  }
  return f;
}

const d = (iso: string | number | Date) => (iso instanceof Date ? iso : new Date(iso));

/** `2025-03-14` in the zone (sortable day key). */
export const dayKey = (iso: string | number | Date, tz: string) => fmt(tz, { year: 'numeric', month: '2-digit', day: '2-digit' }, 'en-CA').format(d(iso));
/** `09:30` */
export const timeOf = (iso: string | number | Date, tz: string) => fmt(tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d(iso));
/** `Fri 14 Mar` */
export const shortDay = (iso: string | number | Date, tz: string) => fmt(tz, { weekday: 'short', day: 'numeric', month: 'short' }).format(d(iso));
/** `Friday 14 March` */
export const longDay = (iso: string | number | Date, tz: string) => fmt(tz, { weekday: 'long', day: 'numeric', month: 'long' }).format(d(iso));
/** `Fri 14 Mar, 09:30` */
export const dateTime = (iso: string | number | Date, tz: string) => `${shortDay(iso, tz)}, ${timeOf(iso, tz)}`;
/** `Fri 14 Mar, 09:30–10:00` */
export const range = (start: string, end: string, tz: string) => `${dateTime(start, tz)}–${timeOf(end, tz)}`;
/** The zone's short name, e.g. `GMT` or `CEST`, shown beside grids. */
export function zoneName(tz: string, at: string | number | Date = Date.now()): string {
  const part = fmt(tz, { timeZoneName: 'short' }).formatToParts(d(at)).find((p) => p.type === 'timeZoneName');
  return part?.value ?? tz;
}
/** Local weekday 0–6 (Sunday = 0) of an instant in the zone. */
export function weekdayOf(iso: string | number | Date, tz: string): number {
  const w = fmt(tz, { weekday: 'short' }, 'en-US').format(d(iso));
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(w);
}
/** Minutes since local midnight in the zone. */
export function minutesOfDay(iso: string | number | Date, tz: string): number {
  const [h = 0, m = 0] = timeOf(iso, tz).split(':').map(Number);
  return h * 60 + m;
}

/** "3 min ago" style for ages in seconds. */
export function age(sec: number | null): string {
  if (sec === null) return '—';
  if (sec < 60) return `${Math.round(sec)} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min`;
  return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min`;
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetMs(at: number, tz: string): number {
  const parts = fmt(tz, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }, 'en-US').formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant of local midnight starting day `key` (YYYY-MM-DD) in the zone (DST-safe). */
export function startOfDay(key: string, tz: string): number {
  const [y = 1970, m = 1, d = 1] = key.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMs(guess, tz);
  const again = offsetMs(t, tz);
  if (guess - again !== t) t = guess - again;
  return t;
}

/** Day key `n` days after `key`. */
export function addDays(key: string, n: number): string {
  const [y = 1970, m = 1, d = 1] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** A booked vehicle's description after its registration: "2003 Honda Accord · Petrol · 50,000 miles". */
export function vehicleDetails(v: BookingVehicle): string {
  const name = [v.year, v.make, v.model].filter(Boolean).join(' ');
  return [name, v.fuel && FUEL_LABELS[v.fuel], v.mileage != null && `${v.mileage.toLocaleString('en-GB')} miles`].filter(Boolean).join(' · ');
}
