import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Workshop } from './workshop.entity';

/** One weekly opening interval; several per weekday allowed (e.g. around lunch). */
export const OpeningHours = defineEntity({
  name: 'OpeningHours',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workshop: () => p.manyToOne(Workshop).ref().index(),
    weekday: p.smallint(),
    opens: p.string().length(5),
    closes: p.string().length(5),
  },
  checks: [{ name: 'opening_hours_weekday_check', expression: 'weekday >= 0 and weekday <= 6' }],
});
export type IOpeningHours = InferEntity<typeof OpeningHours>;
