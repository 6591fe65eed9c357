import { allowedActions, decideReschedule, decideTransition } from '@shared/booking-lifecycle';
import { BOOKING_ACTIONS, type BookingAction, type BookingStatus } from '@shared/booking-status';
import type { Role } from '@shared/schemas/auth';

/** The part of a booking the lifecycle rules look at. */
export interface ActionableBooking {
  status: BookingStatus;
  startsAt: string;
}

/** The buttons to show: exactly what the server's lifecycle table allows this role now. */
export function actionsFor(b: ActionableBooking, role: Role | null, now: number): BookingAction[] {
  return role ? allowedActions(b.status, role, { now, startsAt: Date.parse(b.startsAt) }) : [];
}

/** Customers may move a booking that is still waiting or accepted, before it starts (the server's rule). */
export const canReschedule = (b: ActionableBooking, now: number) => decideReschedule(b.status, { now, startsAt: Date.parse(b.startsAt) }).ok;

/** Actions this role may take later, and from when (so the screen can say "Start from 08:00"). */
export function laterActions(b: ActionableBooking, role: Role | null, now: number): Array<{ action: BookingAction; opensAt: number }> {
  if (!role) return [];
  const timing = { now, startsAt: Date.parse(b.startsAt) };
  return BOOKING_ACTIONS.flatMap((action) => {
    const d = decideTransition(b.status, action, role, timing);
    return !d.ok && d.code === 'TOO_EARLY' ? [{ action, opensAt: d.opensAt }] : [];
  });
}
