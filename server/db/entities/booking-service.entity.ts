import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { OptionChoice } from '@shared/service-options';
import { Booking } from './booking.entity';
import { Service } from './service.entity';

/**
 * The services of a booking (a visit), in order, each with its duration and quoted price; a
 * one-service booking has one row. Migration20261201170000 also adds a deferred trigger that gives a
 * booking inserted without rows its one row at COMMIT.
 */
export const BookingService = defineEntity({
  name: 'BookingService',
  properties: {
    booking: () => p.manyToOne(Booking).ref().primary().deleteRule('cascade'),
    position: p.smallint().primary(),
    service: () => p.manyToOne(Service).ref().index(),
    durationMinutes: p.integer(),
    priceCents: p.integer(),
    options: p.json<OptionChoice>().default('{}'),
  },
  uniques: [{ name: 'booking_service_booking_service_unique', properties: ['booking', 'service'] }],
  checks: [
    { name: 'booking_service_position_check', expression: 'position >= 0 and position < 5' },
    { name: 'booking_service_duration_check', expression: 'duration_minutes > 0' },
    { name: 'booking_service_price_check', expression: 'price_cents >= 0' },
  ],
});
export type IBookingService = InferEntity<typeof BookingService>;
