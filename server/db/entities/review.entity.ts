import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Booking } from './booking.entity';
import { Workshop } from './workshop.entity';

/** One review per completed booking. */
export const Review = defineEntity({
  name: 'Review',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    booking: () => p.oneToOne(Booking).ref().owner().unique(),
    workshop: () => p.manyToOne(Workshop).ref().index(),
    rating: p.smallint(),
    text: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  checks: [{ name: 'review_rating_check', expression: 'rating >= 1 and rating <= 5' }],
});
export type IReview = InferEntity<typeof Review>;
