import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Workshop } from './workshop.entity';

export const Slot = defineEntity({
  name: 'Slot',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workshop: () => p.manyToOne(Workshop).ref(),
    startsAt: p.datetime(),
    endsAt: p.datetime(),
    capacity: p.integer(),
    booked: p.integer().default(0),
    /** No longer offered by the schedule, kept only for the bookings on it (capacity = booked). */
    withdrawn: p.boolean().default(false),
  },
  uniques: [{ properties: ['workshop', 'startsAt'] }],
  // The marketplace report reads slots by start time across workshops.
  indexes: [{ properties: ['startsAt'] }],
  // The capacity guarantee: whatever Redis says, Postgres never holds more than capacity.
  checks: [{ name: 'slot_booked_check', expression: 'booked >= 0 and booked <= capacity' }],
});
export type ISlot = InferEntity<typeof Slot>;
