import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Booking } from './booking.entity';
import { Slot } from './slot.entity';

/** Which slots a booking occupies (a 90-minute job in 30-minute slots has three). */
export const BookingSlot = defineEntity({
  name: 'BookingSlot',
  properties: {
    booking: () => p.manyToOne(Booking).ref().primary(),
    slot: () => p.manyToOne(Slot).ref().primary().index(),
  },
});
export type IBookingSlot = InferEntity<typeof BookingSlot>;
