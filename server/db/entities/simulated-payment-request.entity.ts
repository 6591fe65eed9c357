import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The simulated processor's idempotency keys: the first call with a key stores its answer (a result
 * or a final refusal) here; later calls with the same key and parameters get that answer back.
 */
export const SimulatedPaymentRequest = defineEntity({
  name: 'SimulatedPaymentRequest',
  tableName: 'simulated_payment_request',
  properties: {
    idempotencyKey: p.string().length(255).primary(),
    operation: p.string().length(20),
    /** sha256 of the operation and its parameters: the same key with other parameters is a conflict. */
    paramsHash: p.string().length(64),
    /** Null only inside the transaction that is answering it. */
    response: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime(),
  },
});
export type ISimulatedPaymentRequest = InferEntity<typeof SimulatedPaymentRequest>;
