import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { User } from './user.entity';

export const Workshop = defineEntity({
  name: 'Workshop',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    owner: () => p.manyToOne(User).ref().index(),
    name: p.string().length(120),
    slug: p.string().length(140).unique(),
    description: p.text().nullable(),
    city: p.string().length(80).index(),
    address: p.string().length(200),
    lat: p.double().nullable(),
    lng: p.double().nullable(),
    timezone: p.string().length(64),
    // Public contact details for customers (shown on the workshop and on each booking).
    phone: p.string().length(32).nullable(),
    email: p.string().length(254).nullable(),
    // Verification record: the admin's last "returned to the vendor" reason and when, and when
    // the vendor last asked for review (clears the note).
    reviewNote: p.string().length(500).nullable(),
    reviewedAt: p.datetime().nullable(),
    reviewRequestedAt: p.datetime().nullable(),
    // What verification checks beyond the checklist's hours/services/contact: the business
    // registration number and the last day the insurance covers (a lapse sends it back to pending).
    registrationNumber: p.string().length(40).nullable(),
    insuranceExpiresOn: p.date().nullable(),
    status: p.enum(['pending', 'verified', 'suspended'] as const).default('pending').index(),
    bays: p.integer(),
    slotMinutes: p.integer().default(30),
    holdTtlSeconds: p.integer().default(120),
    acceptSlaMinutes: p.integer().default(30),
    autoAccept: p.boolean().default(false),
    /** Moves of accepted bookings take effect at once (else the desk accepts each move). */
    autoAcceptMoves: p.boolean().default(false),
    ratingAvg: p.double().default(0),
    ratingCount: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
  checks: [
    { name: 'workshop_bays_check', expression: 'bays >= 1 and bays <= 50' },
    { name: 'workshop_slot_minutes_check', expression: 'slot_minutes >= 5 and slot_minutes <= 240' },
    { name: 'workshop_registration_number_check', expression: 'registration_number is null or char_length(registration_number) between 2 and 40' },
  ],
});
export type IWorkshop = InferEntity<typeof Workshop>;
