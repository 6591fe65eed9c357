import type { OwnRecord, ReconciliationSource } from '../domain/money/reconciliation';
import { stmt, type SqlPool } from './pg-pool';

/*
 * Our side of reconciliation in one statement: each booking's ledger position (captured = what left
 * the customer's funds account, refunded = what reached the refunds account) joined with its
 * booking_payment totals. A booking with ledger money but no payment row, or a payment row with
 * money but no ledger entries, appears too (the other side null / zero).
 */
const ownRecords = stmt('reconcile_own_records', `
  with ledger as (
    select t.booking_id, min(t.currency) as currency, max(t.created_at) as changed_at,
           coalesce(sum(-e.amount) filter (where a.kind = 'customer_funds'), 0) as captured,
           coalesce(sum(e.amount) filter (where a.kind = 'refunds'), 0) as refunded
      from ledger_txn t join ledger_entry e on e.txn_id = t.id join ledger_account a on a.id = e.account_id
     where t.booking_id is not null
     group by t.booking_id)
  select coalesce(p.booking_id, l.booking_id) as booking_id, p.payment_id, p.provider, coalesce(p.currency, l.currency) as currency,
         coalesce(l.captured, 0)::text as ledger_captured, coalesce(l.refunded, 0)::text as ledger_refunded,
         p.booking_id is not null as has_payment, p.captured_minor::text as payment_captured, p.refunded_minor::text as payment_refunded
    from ledger l full join booking_payment p on p.booking_id = l.booking_id
   where l.booking_id is not null or p.captured_minor > 0 or p.refunded_minor > 0
   order by greatest(p.updated_at, l.changed_at) desc, 1
   limit $1`);

interface Row {
  booking_id: string;
  payment_id: string | null;
  provider: string | null;
  currency: string;
  ledger_captured: string;
  ledger_refunded: string;
  has_payment: boolean;
  payment_captured: string | null;
  payment_refunded: string | null;
}

export function createReconciliationSource(sql: SqlPool): ReconciliationSource {
  return {
    async ownRecords(limit) {
      const rows = await sql.rows<Row>(ownRecords, [limit]);
      return rows.map((r): OwnRecord => ({
        bookingId: r.booking_id,
        paymentId: r.payment_id,
        provider: r.provider,
        currency: r.currency,
        ledger: { captured: Number(r.ledger_captured), refunded: Number(r.ledger_refunded) },
        payment: r.has_payment ? { captured: Number(r.payment_captured), refunded: Number(r.payment_refunded) } : null,
      }));
    },
  };
}
