import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { BOOKING_STATUSES } from '@shared/booking-status';
import type { OptionChoice } from '@shared/service-options';
import { Service } from './service.entity';
import { Slot } from './slot.entity';
import { User } from './user.entity';
import { Workshop } from './workshop.entity';

/** Vehicle details the customer gives when confirming. */
export interface VehicleInfo {
  registration: string;
  make?: string;
  model?: string;
  year?: number;
}

export const Booking = defineEntity({
  name: 'Booking',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    customer: () => p.manyToOne(User).ref().index(),
    workshop: () => p.manyToOne(Workshop).ref(),
    service: () => p.manyToOne(Service).ref(),
    firstSlot: () => p.manyToOne(Slot).ref(),
    slotCount: p.integer(),
    // Denormalised from the slots so schedules and filters need no join.
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    status: p.enum([...BOOKING_STATUSES]),
    priceCents: p.integer(),
    currency: p.string().length(3),
    options: p.json<OptionChoice>(),
    vehicle: p.json<VehicleInfo>().nullable(),
    notes: p.text().nullable(),
    /** Kept for the record; uniqueness (for 24 hours) lives in idempotency_key. */
    idempotencyKey: p.string().length(100).nullable(),
    version: p.integer().default(1),
    acceptDeadline: p.datetime().nullable(),
    /** A move request: the accepted booking this one replaces once the workshop accepts it. */
    movesBooking: (): any => p.manyToOne(Booking).ref().nullable().index().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
  indexes: [
    { properties: ['workshop', 'status', 'startsAt'] },
    { properties: ['workshop', 'createdAt'] },
    // The accept-SLA sweep: pending requests past their deadline.
    { properties: ['status', 'acceptDeadline'] },
    // The marketplace report: bookings by appointment time across workshops.
    { properties: ['startsAt'] },
  ],
});
export type IBooking = InferEntity<typeof Booking>;
