import type { Logger } from 'pino';
import type { ChangeCause, SlotsChangedEvent } from '@shared/availability';
import type { BookingChangedEvent, BookingSummary } from '@shared/realtime/events';
import { rooms } from '@shared/realtime/rooms';
import type { BookingView } from '@shared/schemas/booking';
import type { Change } from '../domain/hold-ports';
import type { Publisher } from '../domain/booking-ports';
import type { Clock } from '../domain/clock';
import type { Metrics } from '../metrics/metrics';
import type { CounterRecorder } from './board-counters';
import type { RealtimeIo } from './types';

/** Exactly the contract's fields: a view may grow fields that must not reach sockets unnoticed. */
function summary(b: BookingView): BookingSummary {
  const { id, workshopId, workshopName, serviceId, serviceName, customerId, customerName, status, startsAt, endsAt, slotIds, priceCents, currency, vehicle, notes, version, createdAt, acceptDeadline } = b;
  return { id, workshopId, workshopName, serviceId, serviceName, customerId, customerName, status, startsAt, endsAt, slotIds, priceCents, currency, vehicle, notes, version, createdAt, acceptDeadline };
}

export interface RealtimePublisher extends Publisher {
  /** Drops everything from now on (the server is shutting down). */
  close(): void;
}

/**
 * The domain's Publisher, backed by Socket.IO through the Redis adapter: each call is one
 * emit here, which the adapter delivers to the room's sockets on every process. Each
 * change is published by the one process that made it, so it is counted (board, metrics)
 * exactly once.
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

  function emitSlots(change: Change, cause: ChangeCause) {
    if (closed) return;
    // From the Redis change itself (when known) to the emit: the delay watchers actually wait.
    const started = change.madeAt ?? performance.now();
    // Emitted even with no slots (an extend): clients need every seq to stay gap-free.
    const e: SlotsChangedEvent = {
      workshopId: change.workshopId,
      seq: change.seq,
      epoch: change.epoch,
      cause,
      slots: change.slots,
    };
    io.to(rooms.workshop(change.workshopId)).emit('slots:changed', e);
    const ms = performance.now() - started;
    metrics.emitted('slots:changed');
    metrics.slotChange(cause, ms);
    // The board's hold→broadcast p95 samples the booking engine's changes, not the vendor's schedule edits.
    const sampled = cause !== 'schedule' && cause !== 'capacity';
    deps.counters.change(deps.clock.now(), sampled ? ms : null, cause === 'held');
    deps.boardChanged();
  }

  return {
    slotsChanged(change: Change, cause: ChangeCause) {
      if (closed) return;
      // The emit (one frame per watcher) runs after the current request has answered, so a hold's
      // own reply never waits on fan-out; setImmediate keeps the emits in call order.
      setImmediate(() => emitSlots(change, cause));
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

    close() {
      closed = true;
    },
  };
}
