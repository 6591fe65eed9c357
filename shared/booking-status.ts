/** Every state a booking can be in. */
export const BOOKING_STATUSES = [
  'pending',
  'accepted',
  'in_progress',
  'completed',
  'declined',
  'cancelled',
  'expired',
  'no_show',
] as const;

/** A booking's lifecycle state. */
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Actions a person can take; each is also the URL verb of `POST /api/bookings/:id/<action>`. */
export const BOOKING_ACTIONS = ['accept', 'decline', 'cancel', 'start', 'complete', 'no-show'] as const;

/** A user-initiated booking action. */
export type BookingAction = (typeof BOOKING_ACTIONS)[number];

/** Actions only the server itself takes (the accept-SLA sweeper); never exposed as a URL. */
export type SystemAction = 'expire';

/**
 * A workshop taking a booking off its customer (disruption: a closed day, a broken lift): only
 * through its own routes with a reason (`POST /api/bookings/:id/workshop-cancel`), never a desk button.
 */
export type WorkshopAction = 'workshop-cancel';

/** Any action the lifecycle accepts. */
export type LifecycleAction = BookingAction | SystemAction | WorkshopAction;

/** Statuses that still hold slot capacity and may still change. */
export const ACTIVE_STATUSES = ['pending', 'accepted', 'in_progress'] as const satisfies readonly BookingStatus[];

/** A status in which the booking is still live. */
export type ActiveBookingStatus = (typeof ACTIVE_STATUSES)[number];

/** True when the booking can still change (and occupies capacity). */
export function isActiveStatus(status: BookingStatus): status is ActiveBookingStatus {
  return (ACTIVE_STATUSES as readonly BookingStatus[]).includes(status);
}

/** Human-readable status text for the UI. */
export const BOOKING_STATUS_LABELS: Record<BookingStatus, string> = {
  pending: 'Pending',
  accepted: 'Accepted',
  in_progress: 'In progress',
  completed: 'Completed',
  declined: 'Declined',
  cancelled: 'Cancelled',
  expired: 'Expired',
  no_show: 'No-show',
};

/** Button text for each action in the UI. */
export const BOOKING_ACTION_LABELS: Record<BookingAction, string> = {
  accept: 'Accept',
  decline: 'Decline',
  cancel: 'Cancel',
  start: 'Start',
  complete: 'Complete',
  'no-show': 'Mark no-show',
};
