import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { User } from './user.entity';

/**
 * A customer's Idempotency-Key, reserved with the hold it confirms in the same transaction as the
 * booking (and before the hold is consumed). Replays read it; after 24 hours the key may be reused.
 */
export const IdempotencyKey = defineEntity({
  name: 'IdempotencyKey',
  properties: {
    customer: () => p.manyToOne(User).ref().primary(),
    key: p.string().length(100).primary(),
    holdId: p.string().length(64),
    bookingId: p.uuid(),
    createdAt: p.datetime(),
  },
});
export type IIdempotencyKey = InferEntity<typeof IdempotencyKey>;
