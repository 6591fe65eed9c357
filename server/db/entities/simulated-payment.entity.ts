import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The simulated card processor's objects (PAYMENT_PROVIDER=simulated): payments (authorizations),
 * refunds, connected accounts and transfers. In Postgres so every process and every restart sees
 * the same processor; written only by server/payments/simulated-provider.ts.
 */
export const SimulatedPayment = defineEntity({
  name: 'SimulatedPayment',
  tableName: 'simulated_payment',
  properties: {
    id: p.string().length(40).primary(),
    /** payment | refund | account | transfer */
    kind: p.string().length(16),
    status: p.string().length(20),
    amount: p.integer(),
    currency: p.string().length(3).nullable(),
    captured: p.integer().default(0),
    refunded: p.integer().default(0),
    /** A refund's payment. */
    parentId: p.string().length(40).nullable().index(),
    /** A payment's authorization lapses then. */
    expiresAt: p.datetime().nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime(),
  },
  checks: [
    { name: 'simulated_payment_amounts_check', expression: 'amount >= 0 and captured >= 0 and captured <= amount and refunded >= 0 and refunded <= captured' },
  ],
});
export type ISimulatedPayment = InferEntity<typeof SimulatedPayment>;
