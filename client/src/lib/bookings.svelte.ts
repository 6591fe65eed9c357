import type { BookingChangedEvent, BookingSummary } from '@shared/realtime/events';
import type { BookingView } from '@shared/schemas/booking';
import type { BookingAction } from '@shared/booking-status';
import { api, type BookingQuery } from './api';
import { live } from './socket.svelte';

/*
 * Every booking this person can see, keyed by id, merged from HTTP lists and
 * `booking:changed` pushes. A booking's `version` only grows, so an older copy never
 * overwrites a newer one, whichever arrives last. Pushes missed while offline are not
 * replayed (PROTOCOL.md), so every list that was loaded is re-read on each connect.
 */

/** A booking as far as we know it: pushes carry the summary, lists the full view. */
export type Booking = BookingSummary & Partial<Pick<BookingView, 'options' | 'slotCount'>>;

type Listener = (e: BookingChangedEvent, firstSeen: boolean) => void;

class Bookings {
  byId = $state<Record<string, Booking>>({});
  loading = $state(false);
  error = $state<string | null>(null);
  #queries = new Map<string, BookingQuery>();
  #listeners = new Set<Listener>();

  /** Newest first by start time. */
  all = $derived(Object.values(this.byId).sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt)));

  constructor() {
    live.on('booking:changed', (e) => {
      const firstSeen = !this.byId[e.booking.id];
      this.upsert(e.booking);
      for (const fn of [...this.#listeners]) fn(e, firstSeen);
    });
    live.onConnect(() => void this.reload());
  }

  /** Keeps the highest version of each booking. */
  upsert(b: Booking) {
    const cur = this.byId[b.id];
    if (cur && cur.version > b.version) return;
    this.byId[b.id] = cur ? { ...cur, ...b } : b;
  }

  /** Loads a list and remembers it, so reconnects re-read it. */
  async load(q: BookingQuery = {}) {
    this.#queries.set(JSON.stringify(q), q);
    this.loading = true;
    try {
      const { bookings } = await api.bookings.list(q);
      for (const b of bookings) this.upsert(b);
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : 'Could not load bookings';
    } finally {
      this.loading = false;
    }
  }

  async reload() {
    await Promise.all([...this.#queries.values()].map((q) => this.load(q)));
  }

  /** Forget everything (sign-out, or a vendor switching workshops). */
  reset() {
    this.byId = {};
    this.#queries.clear();
  }

  async act(id: string, action: BookingAction, reason?: string): Promise<Booking> {
    try {
      const { booking } = await api.bookings.act(id, action, reason);
      this.upsert(booking);
      return booking;
    } catch (err) {
      // Someone else moved it first: show the truth before the error.
      void api.bookings.get(id).then(({ booking }) => this.upsert(booking), () => {});
      throw err;
    }
  }

  /** Called for every push; returns an unsubscribe. */
  onChange(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

export const bookings = new Bookings();
