import { createHash, randomBytes } from 'node:crypto';
import type { BookingStatus } from '@shared/booking-status';
import type { BookingView } from '@shared/schemas/booking';
import type { Principal } from './actor';
import type { Bookings } from './bookings';
import type { Clock } from './clock';
import { notFound } from './errors';

/*
 * Calendars: a booking as a calendar event (an `.ics` file to add once), and a private feed per
 * user that calendar apps subscribe to (their bookings, kept up to date by the app's polling).
 * A feed is addressed by a secret token: whoever holds the address reads the feed, so it is
 * shown once, stored only as its SHA-256, can be rotated (the old address stops at once) and
 * revoked. Rendering the iCalendar text is the HTTP side's job (http/ics.ts).
 */

/** One booking as a calendar event, in the format's own terms. */
export interface CalendarEntry {
  /** Stable across changes, so a calendar app updates the event instead of adding another. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
  /** The booking's page, relative to the app's origin. */
  path: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  /** Grows with every change of the booking (its optimistic-locking version). */
  sequence: number;
}

export interface CalendarFeedStore {
  /** Sets (or replaces) the user's token hash. */
  put(userId: string, tokenHash: string, at: Date): Promise<void>;
  /** Removes the user's feed; false when there was none. */
  remove(userId: string): Promise<boolean>;
  find(userId: string): Promise<{ createdAt: Date } | null>;
  /** The feed's owner, when the hash is current and the owner's account is active. */
  ownerOf(tokenHash: string): Promise<Principal | null>;
}

/** How far back a feed reaches: recent history stays visible, old bookings drop out. */
export const FEED_PAST_DAYS = 30;
/** The most bookings one feed carries (the list's own ceiling): the soonest first. */
export const FEED_MAX_EVENTS = 500;

const STATUS: Record<BookingStatus, CalendarEntry['status']> = {
  pending: 'tentative',
  accepted: 'confirmed',
  in_progress: 'confirmed',
  completed: 'confirmed',
  no_show: 'confirmed',
  declined: 'cancelled',
  cancelled: 'cancelled',
  expired: 'cancelled',
};

const STATUS_WORDS: Record<BookingStatus, string> = {
  pending: 'requested, waiting for the workshop',
  accepted: 'accepted',
  in_progress: 'in progress',
  completed: 'completed',
  no_show: 'marked as a no-show',
  declined: 'declined by the workshop',
  cancelled: 'cancelled',
  expired: 'expired (the workshop did not answer)',
};

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** Feed tokens: 32 random bytes, URL-safe. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A booking as its calendar event; the customer reads the workshop's name, the workshop its customer's. */
export function calendarEntry(b: BookingView, viewer: Principal, location: string): CalendarEntry {
  const forWorkshop = viewer.role !== 'customer';
  const vehicle = b.vehicle ? [b.vehicle.registration, b.vehicle.make, b.vehicle.model].filter(Boolean).join(' ') : null;
  return {
    uid: `booking-${b.id}@holdfast`,
    start: new Date(b.startsAt),
    end: new Date(b.endsAt),
    summary: forWorkshop ? `${b.serviceName}: ${b.customerName}` : `${b.serviceName} at ${b.workshopName}`,
    location,
    description: [`Booking ${STATUS_WORDS[b.status]}.`, vehicle && `Vehicle: ${vehicle}`, b.notes && `Notes: ${b.notes}`].filter(Boolean).join('\n'),
    path: `/bookings/${b.id}`,
    status: STATUS[b.status],
    sequence: b.version,
  };
}

export interface CalendarsDeps {
  bookings: Pick<Bookings, 'get' | 'list'>;
  feeds: CalendarFeedStore;
  /** A workshop's address as one line (its calendar event's location). */
  addressOf(workshopId: string): Promise<string>;
  clock: Clock;
}

export function createCalendars(deps: CalendarsDeps) {
  const { bookings, feeds, clock } = deps;

  async function entries(viewer: Principal, list: BookingView[]): Promise<CalendarEntry[]> {
    const addresses = new Map<string, Promise<string>>();
    const addressOf = (id: string) => addresses.get(id) ?? addresses.set(id, deps.addressOf(id)).get(id)!;
    return Promise.all(list.map(async (b) => calendarEntry(b, viewer, await addressOf(b.workshopId))));
  }

  return {
    /** One booking as an event, for whoever may read the booking (others: NOT_FOUND). */
    async forBooking(viewer: Principal, bookingId: string): Promise<CalendarEntry> {
      const b = await bookings.get(viewer, bookingId);
      return calendarEntry(b, viewer, [b.contact.workshop.address, b.contact.workshop.city].filter(Boolean).join(', '));
    },

    /** Whether the viewer has a feed, and since when (its address is shown only when made). */
    async feedStatus(viewer: Principal): Promise<{ active: boolean; createdAt: string | null }> {
      const feed = await feeds.find(viewer.id);
      return { active: !!feed, createdAt: feed ? feed.createdAt.toISOString() : null };
    },

    /** Makes a new feed token, replacing any earlier one (whose address stops working at once). */
    async rotateFeed(viewer: Principal): Promise<{ token: string; createdAt: string }> {
      const token = randomBytes(32).toString('base64url');
      const at = new Date(clock.now());
      await feeds.put(viewer.id, hashToken(token), at);
      return { token, createdAt: at.toISOString() };
    },

    /** Revokes the viewer's feed; NOT_FOUND when there is none. */
    async revokeFeed(viewer: Principal): Promise<void> {
      if (!(await feeds.remove(viewer.id))) throw notFound('Calendar feed');
    },

    /**
     * The feed behind a token: the owner's bookings from FEED_PAST_DAYS ago on, as the owner would
     * list them. An unknown, rotated or revoked token, or a suspended owner: NOT_FOUND.
     */
    async feed(token: string): Promise<{ owner: Principal; entries: CalendarEntry[] }> {
      const owner = TOKEN_PATTERN.test(token) ? await feeds.ownerOf(hashToken(token)) : null;
      if (!owner) throw notFound('Calendar feed');
      const from = new Date(clock.now() - FEED_PAST_DAYS * 86_400_000).toISOString();
      const list = await bookings.list(owner, { from, limit: FEED_MAX_EVENTS });
      return { owner, entries: await entries(owner, list) };
    },
  };
}

export type Calendars = ReturnType<typeof createCalendars>;
