import { DateTime } from 'luxon';
import type { Readiness, ReadinessItem } from '@shared/schemas/verification';
import type { WorkshopDetailView } from '@shared/schemas/views';

/** Port: the IANA zones a place can be in (from its coordinates, else its city); null when unknown. */
export type PlaceZones = (place: { city: string; lat: number | null; lng: number | null }) => string[] | null;

/** Same clock in winter and in summer: two zone names that agree all year (Europe/London, Europe/Jersey). */
function sameTime(a: string, b: string, year: number): boolean {
  if (a === b) return true;
  return [1, 7].every((month) => {
    const at = DateTime.fromObject({ year, month, day: 15, hour: 12 }, { zone: 'UTC' }).toMillis();
    return DateTime.fromMillis(at, { zone: a }).offset === DateTime.fromMillis(at, { zone: b }).offset;
  });
}

/** Insurance expiring within this many days is still valid but flagged (checklist warning, admin queue). */
export const INSURANCE_WARNING_DAYS = 30;

/** The calendar day it is at the workshop, 'YYYY-MM-DD'. */
export const workshopToday = (timezone: string, now: number) => DateTime.fromMillis(now, { zone: timezone }).toISODate()!;

/**
 * Where a workshop's insurance stands on `today` (its own calendar date): missing, lapsed (the
 * expiry day has passed), expiring (covered for at most INSURANCE_WARNING_DAYS more days) or valid.
 */
export function insuranceState(expiresOn: string | null, today: string): { state: 'missing' | 'lapsed' | 'expiring' | 'valid'; daysLeft: number | null } {
  if (!expiresOn) return { state: 'missing', daysLeft: null };
  const daysLeft = Math.round(DateTime.fromISO(expiresOn, { zone: 'UTC' }).diff(DateTime.fromISO(today, { zone: 'UTC' }), 'days').days);
  if (daysLeft < 0) return { state: 'lapsed', daysLeft };
  return { state: daysLeft <= INSURANCE_WARNING_DAYS ? 'expiring' : 'valid', daysLeft };
}

function insuranceItem(w: WorkshopDetailView, now: number): ReadinessItem {
  const { state, daysLeft } = insuranceState(w.insuranceExpiresOn, workshopToday(w.timezone, now));
  const base = { key: 'insurance' as const, label: 'Insurance' };
  switch (state) {
    case 'missing': return { ...base, ok: false, detail: 'Add the date your liability insurance cover ends' };
    case 'lapsed': return { ...base, ok: false, detail: `Expired on ${w.insuranceExpiresOn}: update the expiry date` };
    case 'expiring': return { ...base, ok: true, warning: true, detail: `Expires on ${w.insuranceExpiresOn} (${daysLeft === 0 ? 'today' : `in ${daysLeft} day(s)`}): renew it and update the date` };
    case 'valid': return { ...base, ok: true, detail: `Valid until ${w.insuranceExpiresOn}` };
  }
}

/**
 * The verification checklist: hours, at least one active service, a time zone that matches where
 * the workshop is, a phone and an email customers can use, a business registration number and
 * insurance not expired on the workshop's own date (expiring within 30 days: a warning). Pure: the caller supplies the
 * workshop (with services and hours), the place→zones lookup and the current time.
 */
export function readinessOf(w: WorkshopDetailView, zonesOf: PlaceZones, now: number): Readiness {
  const active = w.services.filter((s) => s.active);
  const zones = zonesOf({ city: w.city, lat: w.lat, lng: w.lng });
  const year = DateTime.fromMillis(now, { zone: 'UTC' }).year;
  const where = w.lat != null && w.lng != null ? 'its map location' : w.city;
  const zoneOk = zones !== null && zones.some((z) => sameTime(z, w.timezone, year));
  const missingContact = [w.phone ? null : 'a phone number', w.email ? null : 'an email address'].filter(Boolean);
  const items: ReadinessItem[] = [
    {
      key: 'hours',
      ok: w.hours.length > 0,
      label: 'Opening hours',
      detail: w.hours.length > 0 ? `Open ${new Set(w.hours.map((h) => h.weekday)).size} day(s) a week` : 'Set the weekly opening hours',
    },
    {
      key: 'service',
      ok: active.length > 0,
      label: 'Services',
      detail: active.length > 0 ? `${active.length} active service(s)` : 'Add at least one service customers can book',
    },
    {
      key: 'timezone',
      ok: zoneOk,
      label: 'Time zone',
      detail: zones === null
        ? `We could not place ${w.city}: add the workshop's map location (latitude and longitude)`
        : zoneOk
          ? `${w.timezone} matches ${where}`
          : `${w.timezone} does not match ${where} (expected ${zones.join(' or ')})`,
    },
    {
      key: 'contact',
      ok: missingContact.length === 0,
      label: 'Contact details',
      detail: missingContact.length === 0 ? `${w.phone} · ${w.email}` : `Add ${missingContact.join(' and ')}`,
    },
    {
      key: 'registration',
      ok: !!w.registrationNumber,
      label: 'Business registration',
      detail: w.registrationNumber ? `Number ${w.registrationNumber}` : 'Add the business registration number',
    },
    insuranceItem(w, now),
  ];
  return { ready: items.every((i) => i.ok), items };
}
