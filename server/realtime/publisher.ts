import type { Logger } from 'pino';
import type { ChangeCause } from '@shared/availability';
import type { BookingChangedEvent, BookingSummary, ServerToClientEvents } from '@shared/realtime/events';
import { rooms } from '@shared/realtime/rooms';
import type { BookingView } from '@shared/schemas/booking';
import type { BookingMessageEvent } from '@shared/schemas/message';
import type { BookingDisputeEvent } from '@shared/schemas/dispute';
import type { JobUpdatedEvent, QuoteChangedEvent } from '@shared/schemas/repair-tracking';
import type { Change } from '../domain/hold-ports';
import type { Publisher } from '../domain/booking-ports';
import type { Clock } from '../domain/clock';
import type { Metrics } from '../metrics/metrics';
import type { CounterRecorder } from './board-counters';
import { createSlotFrames, type ReadyFrame } from './slot-frames';
import type { RealtimeIo } from './types';

/** Exactly the contract's fields: a view may grow fields that must not reach sockets unnoticed. */
function summary(b: BookingView): BookingSummary {
  const { id, workshopId, workshopName, serviceId, serviceName, services, customerId, customerName, status, startsAt, endsAt, slotIds, priceCents, currency, vehicle, notes, version, createdAt, acceptDeadline, movesBookingId, assignee, bay } = b;
  return { id, workshopId, workshopName, serviceId, serviceName, services, customerId, customerName, status, startsAt, endsAt, slotIds, priceCents, currency, vehicle, notes, version, createdAt, acceptDeadline, movesBookingId, assignee, bay };
}

export interface RealtimePublisher extends Publisher {
  /** Drops everything from now on (the server is shutting down). */
  close(): void;
}

/**
 * The domain's Publisher, backed by Socket.IO through the Redis adapter. Availability changes
 * are coalesced (slot-frames.ts): one `slots:changed` frame per workshop per flush, i.e. one
 * emit, one adapter publish and one write per socket for however many changes it carries.
 * Each change is published by the one process that made it, so it is counted (board,
 * metrics) exactly once.
 */
export function createRealtimePublisher(deps: {
  io: RealtimeIo;
  clock: Clock;
  counters: CounterRecorder;
  metrics: Metrics;
  boardChanged: () => void;
  /** Who owns a workshop; lets a vendor get bookings of a workshop created after it connected. */
  ownerOf: (workshopId: string) => Promise<string | null>;
  logger: Logger;
  /** Floor of the slots:changed coalescing window (default 0: the next turn of the loop, longer only after costly flushes). */
  slotFlushMs?: number;
}): RealtimePublisher {
  const { io, metrics } = deps;
  let closed = false;
  // Owners never change, so a lookup is cached; one chain keeps booking events in call order.
  const owners = new Map<string, Promise<string | null>>();
  let chain: Promise<void> = Promise.resolve();

  const owner = (workshopId: string): Promise<string | null> => {
    let p = owners.get(workshopId);
    if (!p) {
      if (owners.size > 10_000) owners.clear();
      p = deps.ownerOf(workshopId).catch((err) => {
        owners.delete(workshopId);
        deps.logger.warn({ err, workshopId }, 'workshop owner lookup failed');
        return null;
      });
      owners.set(workshopId, p);
    }
    return p;
  };

  function emitFrame({ frame, madeAt }: ReadyFrame) {
    try {
      io.to(rooms.workshop(frame.workshopId)).emit('slots:changed', frame);
    } catch (err) {
      // One workshop's failed emit must not take the other workshops of this flush with it;
      // its watchers see a gap and re-snapshot.
      deps.logger.error({ err, workshopId: frame.workshopId }, 'slots:changed emit failed');
      return;
    }
    // From the Redis change itself (when known) to the emit: the delay watchers actually wait.
    const emittedAt = performance.now();
    const now = deps.clock.now();
    metrics.emitted('slots:changed');
    frame.changes.forEach(({ cause }, i) => {
      const ms = emittedAt - madeAt[i]!;
      metrics.slotChange(cause, ms);
      // The board's hold→broadcast p95 samples the booking engine's changes, not the vendor's schedule edits.
      const sampled = cause !== 'schedule' && cause !== 'capacity';
      deps.counters.change(now, sampled ? ms : null, cause === 'held');
    });
  }

  // The frames go out after the current requests have answered, so a hold's own reply never
  // waits on fan-out.
  const frames = createSlotFrames({ emit: emitFrame, flushed: deps.boardChanged, flushMs: deps.slotFlushMs });

  /** A booking's two sides only (its customer, its workshop's desk and owner): never a public room. */
  function toBookingSides<K extends 'booking:message' | 'booking:dispute' | 'job:updated' | 'quote:changed'>(customerId: string, workshopId: string, event: K, payload: Parameters<ServerToClientEvents[K]>[0]) {
    if (closed) return;
    chain = chain
      .then(() => owner(workshopId))
      .then((ownerId) => {
        if (closed) return;
        const to = [rooms.user(customerId), rooms.vendor(workshopId)];
        if (ownerId) to.push(rooms.user(ownerId));
        (io.to(to).emit as (ev: K, p: typeof payload) => boolean)(event, payload);
        metrics.emitted(event);
      })
      .catch((err) => deps.logger.error({ err }, `${event} emit failed`));
  }

  return {
    slotsChanged(change: Change, cause: ChangeCause) {
      if (!closed) frames.add(change, cause);
    },

    holdExpired({ holdId, workshopId, customerId }) {
      if (closed) return;
      io.to(rooms.user(customerId)).emit('hold:expired', { holdId, workshopId });
      metrics.emitted('hold:expired');
    },

    bookingChanged(booking: BookingView, event: BookingChangedEvent['event']) {
      if (closed) return;
      const e: BookingChangedEvent = { booking: summary(booking), event };
      metrics.bookingEvent(event.type);
      if (event.type === 'requested') deps.counters.booking(deps.clock.now());
      deps.boardChanged();
      chain = chain
        .then(() => owner(booking.workshopId))
        .then((ownerId) => {
          if (closed) return;
          // One emit to the union of rooms: a socket in several of them still gets it once.
          const to = [rooms.user(booking.customerId), rooms.vendor(booking.workshopId)];
          if (ownerId) to.push(rooms.user(ownerId));
          io.to(to).emit('booking:changed', e);
          metrics.emitted('booking:changed');
        })
        .catch((err) => deps.logger.error({ err }, 'booking:changed emit failed'));
    },

    // Mail only: nothing goes to sockets.
    accountMailOwed() {},

    workshopStatus(e) {
      if (closed) return;
      io.to(rooms.workshop(e.workshopId)).emit('workshop:status', e);
      metrics.emitted('workshop:status');
    },

    /**
     * Membership changed: the member's sockets (all tabs, on every process: the Redis adapter
     * broadcasts the room change) join or leave the workshop's `vendor:` room now, then hear it.
     */
    staffAccess({ workshopId, userId, role }) {
      if (closed) return;
      const sockets = io.in(rooms.user(userId));
      if (role) sockets.socketsJoin(rooms.vendor(workshopId));
      else sockets.socketsLeave(rooms.vendor(workshopId));
      io.to(rooms.user(userId)).emit('workshop:access', { workshopId, role });
      metrics.emitted('workshop:access');
    },

    bookingMessage({ message, customerId, workshopId }) {
      const e: BookingMessageEvent = { message };
      toBookingSides(customerId, workshopId, 'booking:message', e);
    },

    bookingDispute({ dispute, customerId, workshopId }) {
      // The customer's words are in it: private rooms only, like messages.
      const e: BookingDisputeEvent = { bookingId: dispute.bookingId, workshopId, dispute };
      toBookingSides(customerId, workshopId, 'booking:dispute', e);
    },

    jobUpdated({ update, customerId, workshopId }) {
      // Notes may say anything about the customer's car: private rooms only.
      const e: JobUpdatedEvent = { bookingId: update.bookingId, workshopId, update };
      toBookingSides(customerId, workshopId, 'job:updated', e);
    },

    quoteChanged({ quote, priceCents, customerId, workshopId }) {
      const e: QuoteChangedEvent = { bookingId: quote.bookingId, workshopId, quote, priceCents };
      toBookingSides(customerId, workshopId, 'quote:changed', e);
    },

    close() {
      closed = true;
      frames.close();
    },
  };
}
