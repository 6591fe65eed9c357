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
    /**
     * The mechanic doing the job: a member of this booking's workshop. In SQL a composite foreign
     * key (workshop_id, assignee_id) onto workshop_member (ON DELETE SET NULL (assignee_id)), which
     * the ORM cannot declare; kept as a plain column here (Migration20261201180000).
     */
    assigneeId: p.uuid().nullable(),
    /** The bay the job is in (1..the workshop's bays, checked by the domain). */
    bay: p.smallint().nullable(),
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
    { name: 'booking_assignee_id_index', expression: 'create index "booking_assignee_id_index" on "booking" ("assignee_id") where "assignee_id" is not null' },
  ],
  checks: [{ name: 'booking_bay_check', expression: 'bay is null or bay >= 1' }],
});
export type IBooking = InferEntity<typeof Booking>;
