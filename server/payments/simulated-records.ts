import { stmt, type SqlPool } from '../db/pg-pool';
import type { ProviderRecords } from '../domain/money/reconciliation';

const byIds = stmt('simulated_records', `select id, captured, refunded from simulated_payment where id = any($1::text[])`);

/**
 * The simulated processor's own records for reconciliation: what it captured and refunded per
 * payment (table `simulated_payment`). Stripe has no adapter yet (docs/money.md says what it would read).
 */
export function createSimulatedRecords(sql: SqlPool): ProviderRecords {
  return {
    async records(paymentIds) {
      const rows = await sql.rows<{ id: string; captured: number; refunded: number }>(byIds, [paymentIds]);
      const found = new Map(rows.map((r) => [r.id, { captured: Number(r.captured), refunded: Number(r.refunded) }]));
      return new Map(paymentIds.map((id) => [id, found.get(id) ?? null]));
    },
  };
}
