import {
  BOOKING_ACTIONS,
  type BookingAction,
  type BookingStatus,
  type LifecycleAction,
} from './booking-status';

/**
 * Who is acting. 'system' is the server itself (the accept-SLA sweeper).
 * Ownership (is this *the* customer / *the* workshop's vendor) is the caller's check;
 * this module only knows what each role may do.
 */
export type LifecycleRole = 'customer' | 'vendor' | 'admin' | 'system';

/** When a decision is asked: now, and when the booked work starts (epoch ms). */
export interface LifecycleTiming {
  now: number;
  startsAt: number;
}

/** The outcome of asking whether a transition is allowed. */
export type TransitionDecision =
  | { ok: true; to: BookingStatus; returnsCapacity: boolean }
  | { ok: false; code: 'INVALID_TRANSITION' | 'FORBIDDEN' }
  /** Possible later: not before `opensAt` (epoch ms). */
  | { ok: false; code: 'TOO_EARLY'; opensAt: number }
  /** Was possible until `closedAt` (epoch ms), no longer. */
  | { ok: false; code: 'TOO_LATE'; closedAt: number };

/**
 * When, relative to the booking's start, an action is possible (minutes; absent = unbounded).
 * `roles` limits the window to some roles (absent = everyone allowed the action).
 */
interface TimeWindow {
  fromMinutes?: number;
  untilMinutes?: number;
  roles?: readonly LifecycleRole[];
}

interface TransitionRule {
  to: BookingStatus;
  roles: readonly LifecycleRole[];
  /** Whether the booking's slot units go back to the pool (cancel/decline give units back). */
  returnsCapacity: boolean;
  window?: TimeWindow;
}

/** A job can be checked in this long before its booked start (the car arrives early). */
export const START_EARLY_MINUTES = 60;
/** A customer counts as a no-show only this long after the booked start. */
export const NO_SHOW_GRACE_MINUTES = 15;

const STAFF = ['vendor', 'admin'] as const;
// Customers cancel their own bookings; admins can cancel on their behalf (support cases).
const CANCELLERS = ['customer', 'admin'] as const;

// Customers cancel up to the start; admins may still cancel later (support cases).
const cancel: TransitionRule = { to: 'cancelled', roles: CANCELLERS, returnsCapacity: true, window: { untilMinutes: 0, roles: ['customer'] } };
// The workshop cancels a booking it cannot honour (with a reason, full refund), before it starts.
const workshopCancel: TransitionRule = { to: 'cancelled', roles: ['vendor'], returnsCapacity: true, window: { untilMinutes: 0 } };
// Work is started, and finished, no earlier than the car can be there; never days early.
const workWindow: TimeWindow = { fromMinutes: -START_EARLY_MINUTES };

/**
 * The single source of truth for the booking lifecycle: (from, action) → rule, with the time
 * window in which it applies. A state with no entries is terminal. Keeping it one table means
 * HTTP, the sweeper and the UI (via allowedActions) can never disagree about what is possible.
 */
const TRANSITIONS: Record<BookingStatus, Partial<Record<LifecycleAction, TransitionRule>>> = {
  pending: {
    accept: { to: 'accepted', roles: STAFF, returnsCapacity: false },
    decline: { to: 'declined', roles: STAFF, returnsCapacity: true },
    cancel,
    'workshop-cancel': workshopCancel,
    // Only the sweeper expires: a person who wants out cancels or declines instead.
    expire: { to: 'expired', roles: ['system'], returnsCapacity: true },
  },
  accepted: {
    cancel,
    'workshop-cancel': workshopCancel,
    start: { to: 'in_progress', roles: STAFF, returnsCapacity: false, window: workWindow },
    // The slot time has already passed, so there is nothing useful to give back.
    'no-show': { to: 'no_show', roles: STAFF, returnsCapacity: false, window: { fromMinutes: NO_SHOW_GRACE_MINUTES } },
  },
  in_progress: {
    // No cancel once work has started (customers cancel only before the start).
    complete: { to: 'completed', roles: STAFF, returnsCapacity: false, window: workWindow },
  },
  completed: {},
  declined: {},
  cancelled: {},
  expired: {},
  no_show: {},
};

const MINUTE = 60_000;

function checkWindow(window: TimeWindow | undefined, role: LifecycleRole, t: LifecycleTiming): TransitionDecision | null {
  if (!window || (window.roles && !window.roles.includes(role))) return null;
  if (window.fromMinutes !== undefined) {
    const opensAt = t.startsAt + window.fromMinutes * MINUTE;
    if (t.now < opensAt) return { ok: false, code: 'TOO_EARLY', opensAt };
  }
  if (window.untilMinutes !== undefined) {
    const closedAt = t.startsAt + window.untilMinutes * MINUTE;
    if (t.now >= closedAt) return { ok: false, code: 'TOO_LATE', closedAt };
  }
  return null;
}

/**
 * Decides whether `role` may apply `action` to a booking in state `from` at `timing`.
 * FORBIDDEN: the action is possible from this state, just not for this role.
 * INVALID_TRANSITION: the action is not possible from this state for anyone.
 * TOO_EARLY / TOO_LATE: possible from this state for this role, but not at this time.
 */
export function decideTransition(
  from: BookingStatus,
  action: LifecycleAction,
  role: LifecycleRole,
  timing: LifecycleTiming,
): TransitionDecision {
  const rule = TRANSITIONS[from][action];
  if (!rule) return { ok: false, code: 'INVALID_TRANSITION' };
  if (!rule.roles.includes(role)) return { ok: false, code: 'FORBIDDEN' };
  return checkWindow(rule.window, role, timing) ?? { ok: true, to: rule.to, returnsCapacity: rule.returnsCapacity };
}

/** The user actions `role` may take on a booking in `status` at `timing`, so the UI shows only buttons that work. */
export function allowedActions(status: BookingStatus, role: LifecycleRole, timing: LifecycleTiming): BookingAction[] {
  return BOOKING_ACTIONS.filter((action) => decideTransition(status, action, role, timing).ok);
}

/** Statuses a booking can be moved to another time from. */
const MOVABLE: readonly BookingStatus[] = ['pending', 'accepted'];

/**
 * Whether the customer (or an admin for them) may move a booking: while it is pending or
 * accepted, and only before it starts.
 */
export function decideReschedule(status: BookingStatus, timing: LifecycleTiming): { ok: true } | { ok: false; code: 'INVALID_TRANSITION' | 'TOO_LATE' } {
  if (!MOVABLE.includes(status)) return { ok: false, code: 'INVALID_TRANSITION' };
  if (timing.now >= timing.startsAt) return { ok: false, code: 'TOO_LATE' };
  return { ok: true };
}

/** True when no action can ever move a booking out of `status`. */
export function isTerminal(status: BookingStatus): boolean {
  return Object.keys(TRANSITIONS[status]).length === 0;
}
