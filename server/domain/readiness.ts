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

/**
 * The verification checklist: hours, at least one active service, a time zone that matches where
 * the workshop is, and a phone and an email customers can use. Pure: the caller supplies the
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
  ];
  return { ready: items.every((i) => i.ok), items };
}
