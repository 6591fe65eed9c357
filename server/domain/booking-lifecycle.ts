import type { BookingStatus, LifecycleAction } from '@shared/booking-status';
import { decideReschedule, decideTransition, type LifecycleRole, type LifecycleTiming } from '@shared/booking-lifecycle';
import { DomainError } from './errors';

// The table itself lives in shared/, so the client shows exactly the buttons the server accepts.
export { allowedActions, decideReschedule, decideTransition, isTerminal } from '@shared/booking-lifecycle';
export type { LifecycleRole, LifecycleTiming, TransitionDecision } from '@shared/booking-lifecycle';

const clockTime = (ms: number) => new Date(ms).toISOString();

/** Like decideTransition, but throws a DomainError; convenient inside services. */
export function requireTransition(
  from: BookingStatus,
  action: LifecycleAction,
  role: LifecycleRole,
  timing: LifecycleTiming,
): { to: BookingStatus; returnsCapacity: boolean } {
  const decision = decideTransition(from, action, role, timing);
  if (decision.ok) return { to: decision.to, returnsCapacity: decision.returnsCapacity };
  switch (decision.code) {
    case 'FORBIDDEN':
      throw new DomainError('FORBIDDEN', `A ${role} cannot ${action} a ${from} booking`, { from, action });
    case 'TOO_EARLY':
      throw new DomainError('TOO_EARLY', `Too early to ${action} this booking: possible from ${clockTime(decision.opensAt)}`, { from, action, opensAt: clockTime(decision.opensAt) });
    case 'TOO_LATE':
      throw new DomainError(
        'INVALID_TRANSITION',
        action === 'cancel' ? 'This booking has already started and can no longer be cancelled' : `Too late to ${action} this booking`,
        { from, action, closedAt: clockTime(decision.closedAt) },
      );
    default:
      throw new DomainError('INVALID_TRANSITION', `Cannot ${action} a booking that is ${from}`, { from, action });
  }
}

/** Throws unless the booking may still be moved to another time. */
export function requireReschedulable(status: BookingStatus, timing: LifecycleTiming): void {
  const d = decideReschedule(status, timing);
  if (d.ok) return;
  throw new DomainError(
    'INVALID_TRANSITION',
    d.code === 'TOO_LATE' ? 'This booking has already started and can no longer be moved' : `A ${status} booking cannot be rescheduled`,
    { from: status, action: 'reschedule' },
  );
}
