import type { PaymentMode } from '@shared/schemas/money-policy';
import type { MoneyPolicyStore } from '../domain/money/money-policy-ports';
import { stmt, type SqlPool } from './pg-pool';

/* Workshops' money policy and commission overrides (Migration20261201070000), plain SQL on the pg pool. */

const selectPolicy = stmt('money_policy_get', `
  select payment_mode, deposit_bps, free_cancel_hours, late_cancel_fee_bps, no_show_fee_bps, updated_at
    from money_policy where workshop_id = $1`);

const upsertPolicy = stmt('money_policy_put', `
  insert into money_policy (workshop_id, payment_mode, deposit_bps, free_cancel_hours, late_cancel_fee_bps, no_show_fee_bps, updated_at)
  values ($1, $2, $3, $4, $5, $6, now())
  on conflict (workshop_id) do update set payment_mode = excluded.payment_mode, deposit_bps = excluded.deposit_bps,
    free_cancel_hours = excluded.free_cancel_hours, late_cancel_fee_bps = excluded.late_cancel_fee_bps,
    no_show_fee_bps = excluded.no_show_fee_bps, updated_at = excluded.updated_at
  returning payment_mode, deposit_bps, free_cancel_hours, late_cancel_fee_bps, no_show_fee_bps, updated_at`);

const selectCommission = stmt('money_commission_get', `select category, commission_bps from money_commission_override where workshop_id = $1`);
const deleteCommission = stmt('money_commission_clear', `delete from money_commission_override where workshop_id = $1`);
const insertCommission = stmt('money_commission_put', `
  insert into money_commission_override (workshop_id, category, commission_bps)
  select $1, c, b from unnest($2::text[], $3::int[]) as x(c, b)`);

interface PolicyRow {
  payment_mode: PaymentMode;
  deposit_bps: number | null;
  free_cancel_hours: number;
  late_cancel_fee_bps: number;
  no_show_fee_bps: number;
  updated_at: Date;
}

const fromRow = (r: PolicyRow) => ({
  policy: { paymentMode: r.payment_mode, depositBps: r.deposit_bps, freeCancelHours: r.free_cancel_hours, lateCancelFeeBps: r.late_cancel_fee_bps, noShowFeeBps: r.no_show_fee_bps },
  updatedAt: r.updated_at,
});

export function createMoneyPolicyRepository(sql: SqlPool): MoneyPolicyStore {
  return {
    async policy(workshopId) {
      const [r] = await sql.rows<PolicyRow>(selectPolicy, [workshopId]);
      return r ? fromRow(r) : null;
    },
    async savePolicy(workshopId, p) {
      const [r] = await sql.rows<PolicyRow>(upsertPolicy, [workshopId, p.paymentMode, p.depositBps, p.freeCancelHours, p.lateCancelFeeBps, p.noShowFeeBps]);
      return fromRow(r!);
    },
    async commission(workshopId) {
      const rows = await sql.rows<{ category: string | null; commission_bps: number }>(selectCommission, [workshopId]);
      const categoryBps: Record<string, number> = {};
      let workshopBps: number | null = null;
      for (const r of rows) {
        if (r.category === null) workshopBps = r.commission_bps;
        else categoryBps[r.category] = r.commission_bps;
      }
      return { workshopBps, categoryBps };
    },
    async saveCommission(workshopId, o) {
      const rows: Array<[string | null, number]> = Object.entries(o.categoryBps).flatMap(([c, b]) => (b === undefined ? [] : [[c, b] as [string, number]]));
      if (o.workshopBps !== null) rows.push([null, o.workshopBps]);
      await sql.transaction(async (tx) => {
        await tx.rows(deleteCommission, [workshopId]);
        if (rows.length) await tx.rows(insertCommission, [workshopId, rows.map((r) => r[0]), rows.map((r) => r[1])]);
      });
    },
  };
}
