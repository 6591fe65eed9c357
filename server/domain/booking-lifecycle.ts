import type { BookingStatus, LifecycleAction } from '@shared/booking-status';
import { decideTransition, type LifecycleRole } from '@shared/booking-lifecycle';
import { DomainError } from './errors';

// The table itself lives in shared/, so the client shows exactly the buttons the server accepts.
export { allowedActions, decideTransition, isTerminal } from '@shared/booking-lifecycle';
export type { LifecycleRole, TransitionDecision } from '@shared/booking-lifecycle';

/** Like decideTransition, but throws a DomainError; convenient inside services. */
export function requireTransition(
  from: BookingStatus,
  action: LifecycleAction,
  role: LifecycleRole,
): { to: BookingStatus; returnsCapacity: boolean } {
  const decision = decideTransition(from, action, role);
  if (decision.ok) return { to: decision.to, returnsCapacity: decision.returnsCapacity };
  const message =
    decision.code === 'FORBIDDEN'
      ? `A ${role} cannot ${action} a ${from} booking`
      : `Cannot ${action} a booking that is ${from}`;
  throw new DomainError(decision.code, message, { from, action });
}
