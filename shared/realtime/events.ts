import { z } from 'zod';
import type { AvailabilitySnapshot, SlotsChangedEvent, WatchRequest, UnwatchRequest } from '@shared/availability';
import { BOOKING_STATUSES } from '@shared/booking-status';
import type { ErrorCode } from '@shared/errors';
import type { BookingMessageEvent } from '@shared/schemas/message';
import type { BookingDisputeEvent } from '@shared/schemas/dispute';
import type { JobUpdatedEvent, QuoteChangedEvent } from '@shared/schemas/repair-tracking';
import { bookingVehicleSchema } from '@shared/schemas/vehicle';
import { visitServiceSchema } from '@shared/visit';
import type { Disruption } from '@shared/schemas/disruption';

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

const instant = z.iso.datetime({ offset: true });

/** A booking as its customer and its workshop's staff see it. */
export const bookingSummarySchema = z.strictObject({
  id: z.uuid(),
  workshopId: z.uuid(),
  workshopName: z.string(),
  /** The visit's first service (its only one, for one service). */
  serviceId: z.uuid(),
  /** The visit's name: its services' names joined with " + " ("Oil change + MOT test"). */
  serviceName: z.string(),
  /** Every service of the visit, in order, with its duration and quoted price (they add up to the booking's). */
  services: z.array(visitServiceSchema).min(1),
  customerId: z.uuid(),
  /** Personal data: only ever sent to `user:` and `vendor:` rooms, never to `workshop:`. */
  customerName: z.string(),
  status: z.enum(BOOKING_STATUSES),
  startsAt: instant,
  endsAt: instant,
  slotIds: z.array(z.uuid()),
  priceCents: z.int(),
  currency: z.string(),
  /** The vehicle as it was at confirm (typed, or copied from the customer's garage). */
  vehicle: bookingVehicleSchema.nullable(),
  notes: z.string().nullable(),
  /** Optimistic-locking version; a client keeps the highest it has seen per booking. */
  version: z.int(),
  createdAt: instant,
  /** When a pending booking expires if the vendor does not answer; null once answered. */
  acceptDeadline: instant.nullable(),
  /** A move request: the accepted booking it replaces once the workshop accepts it; else null. */
  movesBookingId: z.uuid().nullable(),
  /** The mechanic the workshop gave the job to (a member of the workshop); null until assigned. */
  assignee: z.strictObject({ id: z.uuid(), name: z.string() }).nullable(),
  /** The bay the job is in (1..the workshop's bays); null until assigned. */
  bay: z.int().nullable(),
});
export type BookingSummary = z.infer<typeof bookingSummarySchema>;

/** A booking changed (created or transitioned); pushed to the customer and the vendor. */
export interface BookingChangedEvent {
  booking: BookingSummary;
  /** The `booking_event` row that caused it; `type` is its type, e.g. `accepted`. */
  event: {
    type: string;
    at: string;
    actorRole: string;
    /** The workshop cancelled or moved the booking: its reason and the free runs offered instead (private rooms only). */
    disruption?: Disruption;
  };
}

/** One workshop's row on the admin live board. */
export const boardWorkshopRowSchema = z.strictObject({
  workshopId: z.uuid(),
  name: z.string(),
  city: z.string(),
  activeHolds: z.int(),
  pendingRequests: z.int(),
  /** Null when nothing is pending. */
  oldestPendingAgeSec: z.number().nullable(),
  bookingsToday: z.int(),
  watchers: z.int(),
});
export type BoardWorkshopRow = z.infer<typeof boardWorkshopRowSchema>;

/** The admin live board at one instant. */
export const boardSnapshotSchema = z.strictObject({
  at: instant,
  workshops: z.array(boardWorkshopRowSchema),
  totals: z.strictObject({
    holdsPerMin: z.number(),
    bookingsPerMin: z.number(),
    /** Null until there were holds in the last 15 minutes (no division by zero on screen). */
    conversion15m: z.number().nullable(),
    connectedSockets: z.int(),
    holdToBroadcastP95Ms: z.number().nullable(),
  }),
});
export type BoardSnapshot = z.infer<typeof boardSnapshotSchema>;

/** A hold ran out (sweeper); sent to the hold owner's `user:` room. */
export interface HoldExpiredEvent {
  holdId: string;
  workshopId: string;
}

/** A workshop was suspended or reinstated; sent to its public `workshop:<id>` room (no personal data). */
export interface WorkshopStatusEvent {
  workshopId: string;
  status: 'pending' | 'verified' | 'suspended';
}

/** Events the server emits. */
export interface ServerToClientEvents {
  /** To `workshop:<id>`: one availability change with the workshop's next seq. */
  'slots:changed': (e: SlotsChangedEvent) => void;
  /** To `user:<id>`: one of your holds expired. */
  'hold:expired': (e: HoldExpiredEvent) => void;
  /** To `user:<customerId>` and `vendor:<workshopId>`. */
  'booking:changed': (e: BookingChangedEvent) => void;
  /** To `user:<customerId>`, `vendor:<workshopId>` and `user:<workshop owner>`: a new message in a booking's thread. */
  'booking:message': (e: BookingMessageEvent) => void;
  /** To `user:<customerId>`, `vendor:<workshopId>` and `user:<workshop owner>`: a dispute on a booking opened or was resolved. */
  'booking:dispute': (e: BookingDisputeEvent) => void;
  /** To `user:<customerId>`, `vendor:<workshopId>` and `user:<workshop owner>`: the job moved to a stage (or its note and ETA changed). */
  'job:updated': (e: JobUpdatedEvent) => void;
  /** To `user:<customerId>`, `vendor:<workshopId>` and `user:<workshop owner>`: a quote for extra work was sent, approved, declined or withdrawn. */
  'quote:changed': (e: QuoteChangedEvent) => void;
  /** To `workshop:<id>`: the workshop stopped (or resumed) taking bookings. */
  'workshop:status': (e: WorkshopStatusEvent) => void;
  /** To `admin`: the periodic full board. */
  'board:snapshot': (b: BoardSnapshot) => void;
  /** To `admin`: the board right after something on it changed. */
  'board:changed': (b: BoardSnapshot) => void;
  /**
   * To `user:<id>`: your access to a workshop changed. `role` null: you were removed, and your
   * sockets already left its `vendor:` room (on every server); otherwise you joined it (or have a new role).
   */
  'workshop:access': (e: WorkshopAccessEvent) => void;
}

/** A member's access to one workshop changed (staff accounts). */
export interface WorkshopAccessEvent {
  workshopId: string;
  role: 'owner' | 'front_desk' | 'mechanic' | null;
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
