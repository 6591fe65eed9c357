import type { PaymentMode } from '@shared/schemas/money-policy';
import type { MoneyPolicyStore } from '../domain/money/money-policy-ports';
import { stmt, type SqlPool } from './pg-pool';

/* Workshops' money policy and commission overrides (Migration20261201070000), plain SQL on the pg pool. */

// One round trip for both (a confirm reads them on its hot path): the policy row if any, and the
// overrides as [category, bps] pairs (category null: the workshop-wide rate).
const selectTerms = stmt('money_terms_get', `
  select p.payment_mode, p.deposit_bps, p.free_cancel_hours, p.late_cancel_fee_bps, p.no_show_fee_bps, p.updated_at,
         coalesce((select json_agg(json_build_array(o.category, o.commission_bps))
                     from money_commission_override o where o.workshop_id = w.id), '[]'::json) as overrides
    from (select $1::uuid as id) w left join money_policy p on p.workshop_id = w.id`);

const upsertPolicy = stmt('money_policy_put', `
  insert into money_policy (workshop_id, payment_mode, deposit_bps, free_cancel_hours, late_cancel_fee_bps, no_show_fee_bps, updated_at)
  values ($1, $2, $3, $4, $5, $6, now())
  on conflict (workshop_id) do update set payment_mode = excluded.payment_mode, deposit_bps = excluded.deposit_bps,
    free_cancel_hours = excluded.free_cancel_hours, late_cancel_fee_bps = excluded.late_cancel_fee_bps,
    no_show_fee_bps = excluded.no_show_fee_bps, updated_at = excluded.updated_at
  returning payment_mode, deposit_bps, free_cancel_hours, late_cancel_fee_bps, no_show_fee_bps, updated_at`);

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
    async terms(workshopId) {
      const [r] = await sql.rows<Omit<PolicyRow, 'payment_mode'> & { payment_mode: PaymentMode | null; overrides: Array<[string | null, number]> }>(selectTerms, [workshopId]);
      const categoryBps: Record<string, number> = {};
      let workshopBps: number | null = null;
      for (const [category, bps] of r?.overrides ?? []) {
        if (category === null) workshopBps = bps;
        else categoryBps[category] = bps;
      }
      return { stored: r?.payment_mode ? fromRow(r as PolicyRow) : null, overrides: { workshopBps, categoryBps } };
    },
    async savePolicy(workshopId, p) {
      const [r] = await sql.rows<PolicyRow>(upsertPolicy, [workshopId, p.paymentMode, p.depositBps, p.freeCancelHours, p.lateCancelFeeBps, p.noShowFeeBps]);
      return fromRow(r!);
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
