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
    // Governance (written by review.repository.ts in SQL): the workshop's reply, an admin's hiding.
    replyText: p.text().nullable(),
    repliedAt: p.datetime().nullable(),
    repliedBy: p.uuid().nullable(),
    hiddenAt: p.datetime().nullable(),
    hiddenReason: p.text().nullable(),
    hiddenBy: p.uuid().nullable(),
  },
  checks: [{ name: 'review_rating_check', expression: 'rating >= 1 and rating <= 5' }],
});
export type IReview = InferEntity<typeof Review>;
