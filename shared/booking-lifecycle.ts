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

/** The outcome of asking whether a transition is allowed. */
export type TransitionDecision =
  | { ok: true; to: BookingStatus; returnsCapacity: boolean }
  | { ok: false; code: 'INVALID_TRANSITION' | 'FORBIDDEN' };

interface TransitionRule {
  to: BookingStatus;
  roles: readonly LifecycleRole[];
  /** Whether the booking's slot units go back to the pool (DESIGN §2: cancel/decline give units back). */
  returnsCapacity: boolean;
}

const STAFF = ['vendor', 'admin'] as const;
// Customers cancel their own bookings; admins can cancel on their behalf (support cases).
const CANCELLERS = ['customer', 'admin'] as const;

const cancel: TransitionRule = { to: 'cancelled', roles: CANCELLERS, returnsCapacity: true };

/**
 * The single source of truth for the booking lifecycle (DESIGN §6): (from, action) → rule.
 * A state with no entries is terminal. Keeping it one table means HTTP, the sweeper and
 * the UI (via allowedActions) can never disagree about what is possible.
 */
const TRANSITIONS: Record<BookingStatus, Partial<Record<LifecycleAction, TransitionRule>>> = {
  pending: {
    accept: { to: 'accepted', roles: STAFF, returnsCapacity: false },
    decline: { to: 'declined', roles: STAFF, returnsCapacity: true },
    cancel,
    // Only the sweeper expires: a person who wants out cancels or declines instead.
    expire: { to: 'expired', roles: ['system'], returnsCapacity: true },
  },
  accepted: {
    cancel,
    start: { to: 'in_progress', roles: STAFF, returnsCapacity: false },
    // The slot time has already passed, so there is nothing useful to give back.
    'no-show': { to: 'no_show', roles: STAFF, returnsCapacity: false },
  },
  in_progress: {
    // No cancel once work has started (DESIGN §6: "cancelled (customer, before start)").
    complete: { to: 'completed', roles: STAFF, returnsCapacity: false },
  },
  completed: {},
  declined: {},
  cancelled: {},
  expired: {},
  no_show: {},
};

/**
 * Decides whether `role` may apply `action` to a booking in state `from`.
 * FORBIDDEN: the action is possible from this state, just not for this role.
 * INVALID_TRANSITION: the action is not possible from this state for anyone.
 */
export function decideTransition(
  from: BookingStatus,
  action: LifecycleAction,
  role: LifecycleRole,
): TransitionDecision {
  const rule = TRANSITIONS[from][action];
  if (!rule) return { ok: false, code: 'INVALID_TRANSITION' };
  if (!rule.roles.includes(role)) return { ok: false, code: 'FORBIDDEN' };
  return { ok: true, to: rule.to, returnsCapacity: rule.returnsCapacity };
}

/** The user actions `role` may take on a booking in `status`, so the UI shows only buttons that work. */
export function allowedActions(status: BookingStatus, role: LifecycleRole): BookingAction[] {
  return BOOKING_ACTIONS.filter((action) => decideTransition(status, action, role).ok);
}

/** True when no action can ever move a booking out of `status`. */
export function isTerminal(status: BookingStatus): boolean {
  return Object.keys(TRANSITIONS[status]).length === 0;
}
