import type { MessageView } from '@shared/schemas/message';
import { api } from './api';
import { live } from './socket.svelte';

/*
 * Unread booking messages for the signed-in person: counts per booking (for My bookings, the
 * desk and the header), kept live by `booking:message` pushes and re-read on every connect
 * (pushes missed while offline are not replayed). An open thread marks itself read.
 */

type Listener = (m: MessageView) => void;

class Messages {
  byBooking = $state<Record<string, number>>({});
  total = $derived(Object.values(this.byBooking).reduce((n, c) => n + c, 0));
  #me: string | null = null;
  /** Threads on screen now: their new messages are read as they arrive. */
  #open = new Set<string>();
  #listeners = new Set<Listener>();

  constructor() {
    live.on('booking:message', ({ message }) => {
      for (const fn of [...this.#listeners]) fn(message);
      if (message.authorId === this.#me) return;
      if (this.#open.has(message.bookingId)) void this.markRead(message.bookingId);
      else this.byBooking[message.bookingId] = (this.byBooking[message.bookingId] ?? 0) + 1;
    });
    live.onConnect(() => void this.refresh());
  }

  /** Follows the session: null (signed out, or an admin) forgets every count. */
  async follow(userId: string | null) {
    this.#me = userId;
    this.byBooking = {};
    await this.refresh();
  }

  async refresh() {
    if (!this.#me) return;
    try {
      this.byBooking = (await api.messages.unread()).byBooking;
    } catch {
      // Counts are a convenience: the next connect or push brings them back.
    }
  }

  async markRead(bookingId: string) {
    delete this.byBooking[bookingId];
    await api.messages.markRead(bookingId).catch(() => undefined);
  }

  /** A thread is on screen: keep it read; returns the "closed" callback. */
  open(bookingId: string): () => void {
    this.#open.add(bookingId);
    return () => this.#open.delete(bookingId);
  }

  onMessage(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}

export const messages = new Messages();
