import type { Logger } from 'pino';
import { ZodError, type ZodType } from 'zod';
import { unwatchRequestSchema, watchRequestSchema, type AvailabilitySnapshot } from '@shared/availability';
import { ackError, ackOk, type Ack, type BoardSnapshot } from '@shared/realtime/events';
import { rooms } from '@shared/realtime/rooms';
import type { Availability } from '../domain/availability';
import type { Board } from '../domain/board';
import { DomainError } from '../domain/errors';
import type { RealtimeSocket } from './types';
import { isStoreUnavailable } from '../store-errors';
import { validationFailed } from '../validation-error';

export interface HandlerDeps {
  availability: Pick<Availability, 'window' | 'forViewer'>;
  board: Board;
  /** Room membership changed on this process; resolves once the shared counts include it. */
  membershipChanged: () => Promise<void>;
  /** Takes one snapshot from the client address's budget (the raw socket address) or throws RATE_LIMITED. */
  limitSnapshot: (address: string) => Promise<void>;
  logger: Logger;
}

// A screen watches a handful of workshops; more from one socket is a scraper or a bug.
const MAX_WATCHED = 50;
// Requests answered concurrently per socket: each one costs Postgres and Redis round trips.
const MAX_IN_FLIGHT = 8;

function parse<T>(schema: ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw validationFailed(r.error, 'payload');
}

/**
 * The client → server events. Every input is untrusted: payloads are parsed with the shared
 * zod schemas, a missing ack makes a request that only exists for its answer a silent no-op,
 * and any failure becomes an error ack — a handler never throws into Socket.IO.
 */
export function registerHandlers(socket: RealtimeSocket, deps: HandlerDeps) {
  const principal = socket.data.principal;
  let inFlight = 0;

  function toAck(err: unknown): Ack<never> {
    if (err instanceof DomainError) return ackError(err.code, err.message);
    if (err instanceof ZodError) return toAck(validationFailed(err, 'payload'));
    if (isStoreUnavailable(err)) {
      deps.logger.warn({ err }, 'socket request: store unavailable');
      return ackError('SERVICE_UNAVAILABLE', 'The service is briefly unavailable; try again shortly');
    }
    deps.logger.error({ err }, 'socket request failed');
    return ackError('INTERNAL', 'Something went wrong on our side');
  }

  /** Wraps a request: (payload?, ack?) in any shape a client may send. */
  function request<T>(run: (payload: unknown) => Promise<T>, opts: { ackRequired: boolean }) {
    return (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: Ack<T>) => void) : null;
      if (!ack && opts.ackRequired) return;
      const payload = ack ? (args.length > 1 ? args[0] : undefined) : args[0];
      const answer = (r: Ack<T>) => {
        try {
          ack?.(r);
        } catch (err) {
          deps.logger.warn({ err }, 'socket ack failed');
        }
      };
      if (inFlight >= MAX_IN_FLIGHT) return answer(ackError('RATE_LIMITED', 'Too many requests at once on this connection'));
      inFlight++;
      run(payload)
        .then((data) => answer(ackOk(data)), (err) => answer(toAck(err)))
        .finally(() => inFlight--);
    };
  }

  const watchedCount = () => [...socket.rooms].filter((r) => r.startsWith(rooms.workshop(''))).length;

  socket.on(
    'workshop:watch',
    request<AvailabilitySnapshot>(
      async (payload) => {
        const req = parse(watchRequestSchema, payload);
        // A window the server refuses (too wide) is refused before it costs the address's budget.
        deps.availability.window(req.from, req.to);
        await deps.limitSnapshot(socket.handshake.address);
        const room = rooms.workshop(req.workshopId);
        if (!socket.rooms.has(room) && watchedCount() >= MAX_WATCHED) {
          throw new DomainError('RATE_LIMITED', `A connection can watch at most ${MAX_WATCHED} workshops`);
        }
        // Pending and suspended workshops are NOT_FOUND to everyone but their owner and admins.
        const view = await deps.availability.forViewer(principal, req.workshopId, req);
        // A join after the socket went away would leave a dead member in the room map.
        if (!socket.connected) throw new DomainError('CONFLICT', 'The connection closed');
        // Join before reading: a change between the two is then both in the snapshot and
        // delivered as an event with seq ≤ snapshot.seq, which clients drop. Never lost.
        socket.join(room);
        await deps.membershipChanged();
        return view.read();
      },
      { ackRequired: true },
    ),
  );

  socket.on(
    'workshop:unwatch',
    request<null>(
      async (payload) => {
        const req = parse(unwatchRequestSchema, payload);
        socket.leave(rooms.workshop(req.workshopId));
        await deps.membershipChanged();
        return null;
      },
      { ackRequired: false },
    ),
  );

  socket.on(
    'board:watch',
    request<BoardSnapshot>(
      async () => {
        if (principal?.role !== 'admin') throw new DomainError('FORBIDDEN', 'Only admins can watch the board');
        if (!socket.connected) throw new DomainError('CONFLICT', 'The connection closed');
        socket.join(rooms.admin);
        await deps.membershipChanged();
        const snapshot = await deps.board.snapshot();
        // Also as an event, so a screen that only listens for boards gets this one too.
        socket.emit('board:snapshot', snapshot);
        return snapshot;
      },
      { ackRequired: true },
    ),
  );
}
