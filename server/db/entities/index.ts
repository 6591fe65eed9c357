import { AppSecret } from './app-secret.entity';
import { BookingEvent } from './booking-event.entity';
import { BookingSlot } from './booking-slot.entity';
import { Booking } from './booking.entity';
import { Closure } from './closure.entity';
import { IdempotencyKey } from './idempotency-key.entity';
import { OpeningHours } from './opening-hours.entity';
import { Review } from './review.entity';
import { Service } from './service.entity';
import { Session } from './session.entity';
import { Slot } from './slot.entity';
import { User } from './user.entity';
import { Workshop } from './workshop.entity';

export { AppSecret, Booking, BookingEvent, BookingSlot, Closure, IdempotencyKey, OpeningHours, Review, Service, Session, Slot, User, Workshop };
/** Every entity, for the ORM config. */
export const entities = [User, Workshop, Service, OpeningHours, Closure, Slot, Booking, BookingSlot, BookingEvent, Review, Session, AppSecret, IdempotencyKey];
export type { IBookingEvent } from './booking-event.entity';
export type { IBookingSlot } from './booking-slot.entity';
export type { IBooking } from './booking.entity';
export type { IClosure } from './closure.entity';
export type { IOpeningHours } from './opening-hours.entity';
export type { IReview } from './review.entity';
export type { ISession } from './session.entity';
export type { IService } from './service.entity';
export type { ISlot } from './slot.entity';
export type { IUser } from './user.entity';
export type { IWorkshop } from './workshop.entity';
