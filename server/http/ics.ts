import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { CalendarEntry } from '../domain/calendars';

const STATUS: Record<CalendarEntry['status'], ICalEventStatus> = {
  confirmed: ICalEventStatus.CONFIRMED,
  tentative: ICalEventStatus.TENTATIVE,
  cancelled: ICalEventStatus.CANCELLED,
};

/**
 * Calendar entries as iCalendar text (RFC 5545). Times are written in UTC, which every calendar
 * app shows in its user's own zone. `origin` makes each event's link absolute; `now` is DTSTAMP.
 */
export function toIcs(entries: CalendarEntry[], opts: { name: string; origin: string; now: Date; ttlMinutes?: number }): string {
  const cal = ical({
    name: opts.name,
    prodId: { company: 'Holdfast', product: 'bookings', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: opts.ttlMinutes ? opts.ttlMinutes * 60 : null,
  });
  for (const e of entries) {
    cal.createEvent({
      id: e.uid,
      start: e.start,
      end: e.end,
      summary: e.summary,
      location: e.location,
      description: e.description,
      url: `${opts.origin}${e.path}`,
      status: STATUS[e.status],
      sequence: e.sequence,
      stamp: opts.now,
    });
  }
  return cal.toString();
}

/** A file name safe in a Content-Disposition header. */
export const icsFileName = (base: string) => `${base.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'booking'}.ics`;
