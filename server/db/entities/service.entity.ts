import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { ServiceOptions } from '@shared/service-options';
import type { VehicleConstraints } from '@shared/schemas/vehicle';
import { Workshop } from './workshop.entity';

export const Service = defineEntity({
  name: 'Service',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workshop: () => p.manyToOne(Workshop).ref().index(),
    name: p.string().length(120),
    category: p.string().length(60).index(),
    durationMinutes: p.integer(),
    basePriceCents: p.integer(),
    currency: p.string().length(3),
    options: p.json<ServiceOptions>(),
    /** Fuels, maximum weight and makes this service takes (null: any vehicle). */
    vehicleConstraints: p.json<VehicleConstraints>().nullable(),
    // Services referenced by bookings are retired, never deleted, so history stays readable.
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  checks: [
    { name: 'service_duration_check', expression: 'duration_minutes >= 5 and duration_minutes <= 1440' },
    { name: 'service_price_check', expression: 'base_price_cents >= 0' },
  ],
});
export type IService = InferEntity<typeof Service>;
