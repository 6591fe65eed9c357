import type { LedgerFigures, MoneyReportStore, PayoutTally, VendorLine } from '../domain/money/payout-ports';
import type { TxnKind } from '../domain/money/ledger-ports';
import { stmt, type SqlPool } from './pg-pool';
import { VISIT_JOIN, VISIT_NAME } from './booking-sql';

/*
 * Reads behind statements and the finance figures, in plain SQL on the pg pool. The figures sum the
 * journal up to the range's end, which is fine at today's volumes (the imbalance gauge does too);
 * a large ledger would keep per-account daily balances instead.
 */

// The platform_revenue entries of the same transaction are its commission (release) or the
// commission it gave back (refund after release).
const vendorLines = stmt('report_vendor_lines', `
  select t.id as txn_id, t.created_at, t.kind, t.currency, t.booking_id, ${VISIT_NAME} as service, e.amount::text as net,
         coalesce((select sum(r.amount) from ledger_entry r join ledger_account ra on ra.id = r.account_id
                    where r.txn_id = t.id and ra.kind = 'platform_revenue'), 0)::text as commission
    from ledger_account a
    join ledger_entry e on e.account_id = a.id
    join ledger_txn t on t.id = e.txn_id
    left join booking b on b.id = t.booking_id
    left join service s on s.id = b.service_id
    ${VISIT_JOIN}
   where a.kind = 'vendor_payable' and a.owner_id = $1
   order by t.created_at, e.id`);

const figures = stmt('report_figures', `
  select t.currency,
         coalesce(sum(e.amount) filter (where a.kind = 'platform_escrow' and t.kind in ('capture', 'fee_capture') and t.created_at >= $1), 0)::text as gmv,
         coalesce(sum(e.amount) filter (where a.kind = 'platform_revenue' and t.kind in ('release', 'refund') and t.created_at >= $1), 0)::text as commission,
         coalesce(sum(e.amount) filter (where a.kind = 'processor_fees' and t.created_at >= $1), 0)::text as processor_fees,
         coalesce(sum(e.amount) filter (where a.kind = 'refunds' and t.created_at >= $1), 0)::text as refunds,
         coalesce(sum(e.amount) filter (where a.kind = 'platform_escrow'), 0)::text as escrow
    from ledger_txn t join ledger_entry e on e.txn_id = t.id join ledger_account a on a.id = e.account_id
   where t.created_at < $2
   group by t.currency
   order by t.currency`);

const dueByCurrency = stmt('report_due', `
  select currency, count(*)::int as count, sum(balance)::text as amount from (
    select a.currency, sum(e.amount) as balance
      from ledger_account a join ledger_entry e on e.account_id = a.id
     where a.kind = 'vendor_payable'
     group by a.id, a.currency
    having sum(e.amount) >= $1) b
   group by currency`);

const tallies = stmt('report_payout_tallies', `
  select currency, status, count(*)::int as count, sum(amount)::text as amount
    from money_payout
   where status = 'pending' or period between $1::date and $2::date
   group by currency, status`);

export function createMoneyReportRepository(sql: SqlPool): MoneyReportStore {
  return {
    async vendorLines(workshopId) {
      const rows = await sql.rows<{ txn_id: string; created_at: Date; kind: TxnKind; currency: string; booking_id: string | null; service: string | null; net: string; commission: string }>(vendorLines, [workshopId]);
      return rows.map((r): VendorLine => ({
        txnId: r.txn_id, at: new Date(r.created_at), kind: r.kind, currency: r.currency, bookingId: r.booking_id, service: r.service, net: Number(r.net), commission: Number(r.commission),
      }));
    },
    async figures(from, to) {
      const rows = await sql.rows<{ currency: string; gmv: string; commission: string; processor_fees: string; refunds: string; escrow: string }>(figures, [from, to]);
      return rows.map((r): LedgerFigures => ({
        currency: r.currency, gmv: Number(r.gmv), commission: Number(r.commission), processorFees: Number(r.processor_fees), refunds: Number(r.refunds), escrowBalance: Number(r.escrow),
      }));
    },
    async due(minimum) {
      const rows = await sql.rows<{ currency: string; count: number; amount: string }>(dueByCurrency, [minimum]);
      return rows.map((r) => ({ currency: r.currency, count: r.count, amount: Number(r.amount) }));
    },
    async payoutTallies(fromDay, toDay) {
      const rows = await sql.rows<{ currency: string; status: PayoutTally['status']; count: number; amount: string }>(tallies, [fromDay, toDay]);
      return rows.map((r): PayoutTally => ({ currency: r.currency, status: r.status, count: r.count, amount: Number(r.amount) }));
    },
  };
}
