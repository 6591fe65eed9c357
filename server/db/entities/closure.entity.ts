import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Workshop } from './workshop.entity';

/** A dated exception: the workshop is closed that whole local day. */
export const Closure = defineEntity({
  name: 'Closure',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workshop: () => p.manyToOne(Workshop).ref(),
    date: p.date(),
    reason: p.string().length(200).nullable(),
  },
  uniques: [{ properties: ['workshop', 'date'] }],
});
export type IClosure = InferEntity<typeof Closure>;
