import type { BookingStatus } from '@shared/booking-status';
import type { BookingContact, BookingEventView, BookingView } from '@shared/schemas/booking';
import type { OptionChoice } from '@shared/service-options';
import type { ChangeCause } from '@shared/availability';
import type { Change } from './hold-ports';
import type { ServiceView, WorkshopView } from '@shared/schemas/views';
import type { SlotRow } from './catalog-ports';
import type { MessagePublisher } from './message-ports';
import type { NewBookingPayment, PendingPaymentAction } from './money/booking-payment-ports';
import type { DisputePublisher } from './money/dispute-ports';
import type { OutboxIntent } from './notifications';
import type { BookingVehicle } from '@shared/schemas/vehicle';
import type { TrackingPublisher } from './repair-tracking-ports';
import type { Disruption } from '@shared/schemas/disruption';
import type { StaffRole } from '@shared/schemas/staff';

/** The vehicle a booking records: typed at confirm or copied from the garage (never a live reference). */
export type VehicleInput = BookingVehicle;

/** A booking with what authorization needs (the workshop's owner, and everyone working there with their role). */
export interface BookingRecord extends BookingView {
  ownerId: string;
  staff: Record<string, StaffRole>;
}

/** One service of a new booking (a visit has several, in order; their prices add up to the booking's). */
export interface NewBookingService {
  serviceId: string;
  /** The service's name now (for the booking's view; the table keeps only the id). */
  name: string;
  durationMinutes: number;
  priceCents: number;
  options: OptionChoice;
}

export interface NewBooking {
  customerId: string;
  workshopId: string;
  /** The first service of the visit (its only one, for one service). */
  serviceId: string;
  /** Every service of the visit, in order, stored as the booking's `booking_service` rows. */
  services: NewBookingService[];
  slotIds: string[];
  startsAt: Date;
  endsAt: Date;
  status: BookingStatus;
  priceCents: number;
  currency: string;
  options: OptionChoice;
  vehicle: VehicleInput | null;
  notes: string | null;
  idempotencyKey: string | null;
  /** The hold being confirmed (recorded with the idempotency key). */
  holdId: string;
  /** When the key is reserved (the domain clock's now). */
  keyAt: Date;
  /** A key reserved before this instant has expired and may be taken again. */
  keyReusableBefore: Date;
  acceptDeadline: Date | null;
  /** The domain clock's now: "today" on the board and in insights agrees with every other time the app computes. */
  createdAt: Date;
  /** Refuse (LIMIT) when the customer already has this many open bookings; checked under a per-customer lock. */
  maxOpenPerCustomer?: number;
  events: Array<{ type: string; actorId: string | null; actorRole: string; data?: Record<string, unknown> }>;
  /**
   * Set when this booking was built from cached rows (KnownRows) instead of a read: refuse with
   * STALE, writing nothing, unless Postgres still has the workshop verified with these settings,
   * the service active, and the slots with startsAt..endsAt. A STALE confirm reads and tries again.
   */
  guard?: { autoAccept: boolean; acceptSlaMinutes: number };
  /**
   * The booking's payment row, inserted in the same transaction (no booking without its payment
   * state). When it names an attempt (`attemptKey`), that payment_attempt row is deleted in the same
   * transaction; if it is already gone (the authorization was abandoned meanwhile) the whole
   * booking rolls back with PAYMENT_LOST.
   */
  payment?: NewBookingPayment;
  /** Messages the booking's events owe (intent.event indexes `events`), written in the same transaction. */
  outbox?: OutboxIntent[];
}

/** A hold's workshop, service and slots (in start order) as a cache has them: no read, maybe stale. */
export interface KnownRows {
  workshop: WorkshopView;
  /** The visit's first service (its only one, for one service). */
  service: ServiceView;
  /** Every service of the visit, in order (`[service]` for one). */
  services: ServiceView[];
  slots: SlotRow[];
}

export interface TransitionWrite {
  id: string;
  from: BookingStatus;
  version: number;
  to: BookingStatus;
  /** Give the booking's units back in the same transaction. */
  returnSlots: boolean;
  /**
   * Accepting a move request: in the same transaction the booking it replaces is cancelled (if
   * still pending or accepted) with this event, and its units go back.
   */
  replaces?: { bookingId: string; event: { type: string; actorId: string | null; actorRole: string; data?: Record<string, unknown> } };
  event: { type: string; actorId: string | null; actorRole: string; data?: Record<string, unknown> };
  /**
   * The provider call this move decides (money/payment-flow.ts), recorded on the booking's payment
   * row in the same transaction, caused by `event`, for the payment flow (and its sweep) to make.
   */
  payment?: { action: PendingPaymentAction; amount: number | null };
  /**
   * A move that ends the booking other than by completion: the fee it owes under its terms (0 when
   * none), recorded on its payment row; anything captured above it goes back (payment-flow.ts).
   */
  feeOwed?: number | null;
  /**
   * The domain clock's now: a completed booking's payment row records it as its completion time, and
   * any booking reaching a final state as its end (the dispute window and escrow release count from it).
   */
  at?: Date;
  /** Messages `event` (index 0) owes, written in the same transaction. */
  outbox?: OutboxIntent[];
}

/** A move request: a new pending booking on the held slots that would replace an accepted one. */
export interface MoveRequestWrite {
  /** The accepted booking to move, at this version. */
  fromId: string;
  version: number;
  newSlotIds: string[];
  acceptDeadline: Date;
  createdAt: Date;
  actorId: string;
  /** Messages the new booking's `move_requested` event (index 0) owes, written in the same transaction. */
  outbox?: OutboxIntent[];
}

export interface RescheduleWrite {
  id: string;
  version: number;
  oldSlotIds: string[];
  newSlotIds: string[];
  event: { type: string; actorId: string | null; actorRole: string; data?: Record<string, unknown> };
  /** Messages `event` (index 0) owes, written in the same transaction. */
  outbox?: OutboxIntent[];
}

export interface BookingFilter {
  customerId?: string;
  ownerId?: string;
  /** Bookings of the workshops this user works in. */
  memberId?: string;
  workshopId?: string;
  status?: BookingStatus;
  from?: Date;
  to?: Date;
  limit: number;
}

/** What a confirm reads before its transaction (the hold says which workshop, service and slots). */
export interface ConfirmContextQuery {
  customerId: string;
  workshopId: string;
  /** The hold's services, in order. */
  serviceIds: string[];
  slotIds: string[];
  /** Look up this Idempotency-Key (reserved at or after keyNotBefore) too. */
  key: string | null;
  keyNotBefore: Date;
  /** Count the customer's open bookings too. */
  countOpen: boolean;
}

export interface ConfirmContext {
  workshop: WorkshopView | null;
  /** The hold's services in its order; empty when any of them no longer exists. */
  services: ServiceView[];
  /** The hold's slots that still exist (withdrawn ones included), in start order. */
  slots: SlotRow[];
  /** The customer's open bookings (0 unless asked). */
  open: number;
  /** The booking the key already made, with the hold it was made from (as findByIdempotencyKey without awaitRacer). */
  earlier: { booking: BookingRecord; holdId: string | null } | null;
}

export type CreateRefusal = 'CAPACITY' | 'DUPLICATE_KEY' | 'LIMIT' | 'STALE' | 'PAYMENT_LOST';

/** Runs inside a booking transaction after its writes and before its COMMIT; throwing rolls it back. */
export type BeforeCommit = () => Promise<void>;

/** Port: bookings in Postgres; every write is one transaction that also writes its booking_event. */
export interface BookingStore {
  findById(id: string): Promise<BookingRecord | null>;
  /**
   * Sets the booking's mechanic and bay and records `event`, in one transaction, when the booking
   * is still at `version`: null then. 'not_member' (nothing written) when the assignee does not
   * work in the booking's workshop (the composite foreign key onto workshop_member).
   */
  assign(a: { id: string; version: number; assigneeId: string | null; bay: number | null; event: TransitionWrite['event'] }): Promise<BookingRecord | null | 'not_member'>;
  /**
   * The booking an idempotency key reserved at or after `notBefore` made, with the hold it was made from.
   * `awaitRacer`: first wait (in Postgres, on the key's row lock, no polling) for a request that is
   * reserving the same key right now to commit or roll back.
   */
  findByIdempotencyKey(customerId: string, key: string, notBefore: Date, opts?: { awaitRacer?: boolean }): Promise<{ booking: BookingRecord; holdId: string | null } | null>;
  /**
   * One transaction: reserves the idempotency key (if any), takes one unit of every slot
   * (`booked < capacity` guarded), inserts the booking, runs `beforeCommit` (it consumes the hold;
   * if it throws, everything rolls back and its error is rethrown), then commits.
   * CAPACITY: a slot was full; DUPLICATE_KEY: the key is reserved by an earlier or racing request
   * (a racing one is waited for by Postgres, so the reserved row can be read right after);
   * LIMIT: the customer has `maxOpenPerCustomer` open bookings already; STALE: `guard` failed.
   */
  create(b: NewBooking, beforeCommit?: BeforeCommit): Promise<{ ok: true; booking: BookingRecord } | { ok: false; reason: CreateRefusal }>;
  /** The customer's bookings that are pending, accepted or in progress. */
  countOpen(customerId: string): Promise<number>;
  /**
   * Optional: everything `confirmContext` lists in one read (the SQL store: one round trip). Without
   * it the domain composes the same answer from the workshop, slot and booking ports.
   */
  confirmContext?(q: ConfirmContextQuery): Promise<ConfirmContext>;
  /** Compare-and-swap on (status, version); null when another writer got there first. */
  transition(t: TransitionWrite): Promise<BookingRecord | null>;
  /** Same shape as create: the move, then `beforeCommit` (consumes the new hold), then commit. */
  reschedule(r: RescheduleWrite, beforeCommit?: BeforeCommit): Promise<{ ok: true; booking: BookingRecord } | { ok: false; reason: 'CAPACITY' | 'VERSION' }>;
  /** A move request (see MoveRequestWrite); `beforeCommit` consumes the new hold. OPEN: one is already waiting. */
  requestMove(r: MoveRequestWrite, beforeCommit?: BeforeCommit): Promise<{ ok: true; booking: BookingRecord } | { ok: false; reason: 'CAPACITY' | 'VERSION' | 'OPEN' }>;
  list(filter: BookingFilter): Promise<BookingView[]>;
  events(bookingId: string): Promise<BookingEventView[]>;
  /** Appends an event unless the booking already has one of that type; false when it had. */
  addEventOnce(bookingId: string, event: { type: string; actorId: string; actorRole: string; data?: Record<string, unknown> }): Promise<boolean>;
  /** Bookings with an event of this type, newest event first: the booking and that event. */
  withEvent(type: string, limit: number): Promise<Array<{ booking: BookingView; event: BookingEventView }>>;
  /** The workshop's contact details and the customer's phone for one booking. */
  contact(bookingId: string): Promise<BookingContact>;
  /** Deletes idempotency keys reserved before `before` (they no longer replay); returns how many. */
  purgeIdempotencyKeys(before: Date): Promise<number>;
  /** Pending bookings whose accept deadline has passed. */
  overduePending(now: Date, limit: number): Promise<string[]>;
}

/** Port: where state changes go to be broadcast (the realtime hub implements it). */
export interface Publisher extends MessagePublisher, DisputePublisher, TrackingPublisher {
  /** Only live-counts.ts calls this: every change it makes goes out once, with its cause. */
  slotsChanged(change: Change, cause: ChangeCause): void;
  holdExpired(e: { holdId: string; workshopId: string; customerId: string }): void;
  bookingChanged(booking: BookingView, event: { type: string; at: string; actorRole: string; disruption?: Disruption }): void;
  /** A workshop was suspended or reinstated (its watchers' screens pause or resume). */
  workshopStatus(e: { workshopId: string; status: 'pending' | 'verified' | 'suspended' }): void;
  /** Account mail (a reset, verification or invitation link) was written to the outbox: the mail relay can go now. */
  accountMailOwed(): void;
  /** A member's access to a workshop changed (null: removed): their sockets join or leave its desk feed at once. */
  staffAccess(e: { workshopId: string; userId: string; role: StaffRole | null }): void;
}

/** A publisher that drops everything (scripts, and tests that do not watch). */
export const silentPublisher: Publisher = {
  slotsChanged: () => {},
  holdExpired: () => {},
  bookingChanged: () => {},
  bookingMessage: () => {},
  bookingDispute: () => {},
  jobUpdated: () => {},
  quoteChanged: () => {},
  workshopStatus: () => {},
  accountMailOwed: () => {},
  staffAccess: () => {},
};
