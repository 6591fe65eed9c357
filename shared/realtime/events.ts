import type { AvailabilitySnapshot, SlotsChangedEvent, WatchRequest, UnwatchRequest } from '@shared/availability';
import type { BookingStatus } from '@shared/booking-status';
import type { ErrorCode } from '@shared/errors';

/*
 * The Socket.IO event maps, typed once and used by both sides with the
 * parameters swapped: `Server<ClientToServerEvents, ServerToClientEvents>` on the server,
 * `Socket<ServerToClientEvents, ClientToServerEvents>` in the client. Never copy these
 * into the client by hand; import them. Wire format: PROTOCOL.md beside this file.
 */

/** Every acknowledgement: the data, or an error with the same codes as the HTTP API. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

/** Builds a successful ack (keeps the literal `ok: true` without a cast at call sites). */
export const ackOk = <T>(data: T): Ack<T> => ({ ok: true, data });

/** Builds a failed ack. */
export const ackError = (code: ErrorCode, message: string): Ack<never> => ({ ok: false, error: { code, message } });

/** A booking as its customer and its workshop's staff see it. */
export interface BookingSummary {
  id: string;
  workshopId: string;
  workshopName: string;
  serviceId: string;
  serviceName: string;
  customerId: string;
  /** Personal data: only ever sent to `user:` and `vendor:` rooms, never to `workshop:`. */
  customerName: string;
  status: BookingStatus;
  startsAt: string;
  endsAt: string;
  slotIds: string[];
  priceCents: number;
  currency: string;
  vehicle: { registration: string; make?: string; model?: string; year?: number } | null;
  notes: string | null;
  /** Optimistic-locking version; a client keeps the highest it has seen per booking. */
  version: number;
  createdAt: string;
  /** When a pending booking expires if the vendor does not answer; null once answered. */
  acceptDeadline: string | null;
}

/** A booking changed (created or transitioned); pushed to the customer and the vendor. */
export interface BookingChangedEvent {
  booking: BookingSummary;
  /** The `booking_event` row that caused it; `type` is its type, e.g. `accepted`. */
  event: { type: string; at: string; actorRole: string };
}

/** One workshop's row on the admin live board. */
export interface BoardWorkshopRow {
  workshopId: string;
  name: string;
  city: string;
  activeHolds: number;
  pendingRequests: number;
  /** Null when nothing is pending. */
  oldestPendingAgeSec: number | null;
  bookingsToday: number;
  watchers: number;
}

/** The admin live board at one instant. */
export interface BoardSnapshot {
  at: string;
  workshops: BoardWorkshopRow[];
  totals: {
    holdsPerMin: number;
    bookingsPerMin: number;
    /** Null until there were holds in the last 15 minutes (no division by zero on screen). */
    conversion15m: number | null;
    connectedSockets: number;
    holdToBroadcastP95Ms: number | null;
  };
}

/** A hold ran out (sweeper); sent to the hold owner's `user:` room. */
export interface HoldExpiredEvent {
  holdId: string;
  workshopId: string;
}

/** Events the server emits. */
export interface ServerToClientEvents {
  /** To `workshop:<id>`: one availability change with the workshop's next seq. */
  'slots:changed': (e: SlotsChangedEvent) => void;
  /** To `user:<id>`: one of your holds expired. */
  'hold:expired': (e: HoldExpiredEvent) => void;
  /** To `user:<customerId>` and `vendor:<workshopId>`. */
  'booking:changed': (e: BookingChangedEvent) => void;
  /** To `admin`: the periodic full board. */
  'board:snapshot': (b: BoardSnapshot) => void;
  /** To `admin`: the board right after something on it changed. */
  'board:changed': (b: BoardSnapshot) => void;
}

/** Events a client emits; every ack is an `Ack<…>`. */
export interface ClientToServerEvents {
  /** Join `workshop:<id>` and get the current snapshot (re-emit after every reconnect). */
  'workshop:watch': (req: WatchRequest, ack: (r: Ack<AvailabilitySnapshot>) => void) => void;
  /** Leave `workshop:<id>`. */
  'workshop:unwatch': (req: UnwatchRequest, ack?: (r: Ack<null>) => void) => void;
  /** Admins only: join `admin` and get the board now. */
  'board:watch': (ack: (r: Ack<BoardSnapshot>) => void) => void;
}
