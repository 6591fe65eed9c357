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
    status: p.enum(['pending', 'verified', 'suspended'] as const).default('pending').index(),
    bays: p.integer(),
    slotMinutes: p.integer().default(30),
    holdTtlSeconds: p.integer().default(120),
    acceptSlaMinutes: p.integer().default(30),
    autoAccept: p.boolean().default(false),
    ratingAvg: p.double().default(0),
    ratingCount: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
  checks: [
    { name: 'workshop_bays_check', expression: 'bays >= 1 and bays <= 50' },
    { name: 'workshop_slot_minutes_check', expression: 'slot_minutes >= 5 and slot_minutes <= 240' },
  ],
});
export type IWorkshop = InferEntity<typeof Workshop>;
