import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Booking } from './booking.entity';
import { User } from './user.entity';

/** The audit trail: written in the same transaction as the change it records. */
export const BookingEvent = defineEntity({
  name: 'BookingEvent',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    booking: () => p.manyToOne(Booking).ref().index(),
    type: p.string().length(40),
    actor: () => p.manyToOne(User).ref().nullable(),
    actorRole: p.string().length(20),
    at: p.datetime().onCreate(() => new Date()),
    data: p.json<Record<string, unknown>>().nullable(),
  },
});
export type IBookingEvent = InferEntity<typeof BookingEvent>;
