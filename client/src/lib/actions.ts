import { allowedActions } from '@shared/booking-lifecycle';
import type { BookingAction, BookingStatus } from '@shared/booking-status';
import type { Role } from '@shared/schemas/auth';

/** The buttons to show: exactly what the server's lifecycle table allows this role. */
export function actionsFor(status: BookingStatus, role: Role | null): BookingAction[] {
  return role ? allowedActions(status, role) : [];
}

/** Customers may move a booking that is still waiting or accepted. */
export const canReschedule = (status: BookingStatus) => status === 'pending' || status === 'accepted';
