import type { PayableBalance, PayoutAccountRecord, PayoutRecord, PayoutStore } from '../domain/money/payout-ports';
import { postIn } from './ledger.repository';
import { stmt, type SqlPool } from './pg-pool';

/*
 * Payouts on Postgres (tables: Migration20261201092000), plain SQL on the pg pool. Opening a payout
 * and posting its ledger movement happen in one transaction; (workshop, currency, period) is unique,
 * so a second process settling the same day inserts nothing and posts nothing.
 */

const COLUMNS = `id, workshop_id, currency, amount::text as amount, status, to_char(period, 'YYYY-MM-DD') as period, provider,
  provider_account_id, provider_transfer_id, failure_reason, created_at, settled_at`;

const payableBalances = `
  select a.owner_id as workshop_id, a.currency, sum(e.amount)::text as balance
    from ledger_account a join ledger_entry e on e.account_id = a.id
   where a.kind = 'vendor_payable'`;

const dueBalances = stmt('payout_due', `${payableBalances}
     and ($3::uuid[] is null or a.owner_id = any($3::uuid[]))
     and not exists (select 1 from money_payout p where p.workshop_id = a.owner_id and p.currency = a.currency and p.period = $1::date)
   group by a.owner_id, a.currency
  having sum(e.amount) >= $2
   order by a.owner_id, a.currency`);

// The workshop's payable is read under a per-workshop lock, so two openings (of different days)
// can never both spend the same balance.
const lockWorkshop = stmt('payout_lock_workshop', `select pg_advisory_xact_lock(hashtextextended('payout:' || $1::text, 0))`);
const balanceOf = stmt('payout_balance', `
  select coalesce(sum(e.amount), 0)::text as balance
    from ledger_account a join ledger_entry e on e.account_id = a.id
   where a.kind = 'vendor_payable' and a.owner_id = $1 and a.currency = $2`);

const insertPayout = stmt('payout_insert', `
  insert into money_payout (workshop_id, currency, amount, period, provider, created_at)
  values ($1, $2, $3, $4::date, $5, $6)
  on conflict on constraint money_payout_once_a_day do nothing
  returning ${COLUMNS}`);

const pendingPayouts = stmt('payout_pending', `
  select ${COLUMNS} from money_payout
   where status = 'pending' and provider = $3 and created_at < $2 and ($1::uuid[] is null or workshop_id = any($1::uuid[]))
   order by created_at, id`);

const markPaid = stmt('payout_mark_paid', `
  update money_payout set status = 'paid', provider_account_id = $2, provider_transfer_id = $3, settled_at = $4
   where id = $1 and status = 'pending' returning id`);

const markFailed = stmt('payout_mark_failed', `
  update money_payout set status = 'failed', provider_account_id = $2, failure_reason = $3, settled_at = $4
   where id = $1 and status = 'pending' returning id`);

const ACCOUNT_COLUMNS = 'workshop_id, provider, account_id, details_submitted, charges_enabled, payouts_enabled, status_at, created_at';
const accountOf = stmt('payout_account', `select ${ACCOUNT_COLUMNS} from money_payout_account where workshop_id = $1 and provider = $2`);
const saveAccount = stmt('payout_save_account', `
  with ins as (
    insert into money_payout_account (workshop_id, provider, account_id, details_submitted, charges_enabled, payouts_enabled, status_at, created_at)
    values ($1, $2, $3, $4, $5, $6, $7, $7)
    on conflict (workshop_id, provider) do nothing returning ${ACCOUNT_COLUMNS})
  select * from ins
  union all
  select ${ACCOUNT_COLUMNS} from money_payout_account where workshop_id = $1 and provider = $2 and not exists (select 1 from ins)`);
// An older status never overwrites a newer one; the row is returned either way.
const saveStatus = stmt('payout_account_status', `
  with upd as (
    update money_payout_account set details_submitted = $3, charges_enabled = $4, payouts_enabled = $5, status_at = $6
     where provider = $1 and account_id = $2 and (status_at is null or status_at <= $6)
    returning ${ACCOUNT_COLUMNS})
  select * from upd
  union all
  select ${ACCOUNT_COLUMNS} from money_payout_account where provider = $1 and account_id = $2 and not exists (select 1 from upd)`);

interface AccountRow {
  workshop_id: string; provider: string; account_id: string; details_submitted: boolean; charges_enabled: boolean; payouts_enabled: boolean; status_at: Date | null; created_at: Date;
}
const accountRecordOf = (r: AccountRow): PayoutAccountRecord => ({
  workshopId: r.workshop_id, provider: r.provider, accountId: r.account_id, detailsSubmitted: r.details_submitted, chargesEnabled: r.charges_enabled,
  payoutsEnabled: r.payouts_enabled, statusAt: r.status_at ? new Date(r.status_at) : null, createdAt: new Date(r.created_at),
});

const listPayouts = stmt('payout_list', `select ${COLUMNS} from money_payout where workshop_id = $1 order by created_at desc, id limit $2`);

interface PayoutRow {
  id: string;
  workshop_id: string;
  currency: string;
  amount: string;
  status: PayoutRecord['status'];
  period: string;
  provider: string;
  provider_account_id: string | null;
  provider_transfer_id: string | null;
  failure_reason: string | null;
  created_at: Date;
  settled_at: Date | null;
}

const recordOf = (r: PayoutRow): PayoutRecord => ({
  id: r.id,
  workshopId: r.workshop_id,
  currency: r.currency,
  amount: Number(r.amount),
  status: r.status,
  period: r.period,
  provider: r.provider,
  providerAccountId: r.provider_account_id,
  providerTransferId: r.provider_transfer_id,
  failureReason: r.failure_reason,
  createdAt: new Date(r.created_at),
  settledAt: r.settled_at ? new Date(r.settled_at) : null,
});

export function createPayoutRepository(sql: SqlPool): PayoutStore {
  return {
    async due(period, minimum, only) {
      const rows = await sql.rows<{ workshop_id: string; currency: string; balance: string }>(dueBalances, [period, minimum, only ?? null]);
      return rows.map((r): PayableBalance => ({ workshopId: r.workshop_id, currency: r.currency, balance: Number(r.balance) }));
    },

    open(input, posting) {
      return sql.transaction(async (tx) => {
        await tx.rows(lockWorkshop, [input.workshopId]);
        const [row] = await tx.rows<{ balance: string }>(balanceOf, [input.workshopId, input.currency]);
        const balance = Number(row?.balance ?? 0);
        if (balance < input.minimum || balance <= 0) return null;
        const [inserted] = await tx.rows<PayoutRow>(insertPayout, [input.workshopId, input.currency, Math.min(balance, input.maximum), input.period, input.provider, input.at]);
        if (!inserted) return null;
        const payout = recordOf(inserted);
        await postIn(tx, posting(payout), input.at);
        return payout;
      });
    },

    async pending(provider, before, only) {
      return (await sql.rows<PayoutRow>(pendingPayouts, [only ?? null, before, provider])).map(recordOf);
    },

    async markPaid(id, done) {
      return (await sql.rows(markPaid, [id, done.accountId, done.transferId, done.at])).length > 0;
    },

    markFailed(id, done, reversal) {
      return sql.transaction(async (tx) => {
        const changed = await tx.rows(markFailed, [id, done.accountId, done.reason, done.at]);
        if (!changed.length) return false;
        await postIn(tx, reversal, done.at);
        return true;
      });
    },

    async account(workshopId, provider) {
      const [row] = await sql.rows<AccountRow>(accountOf, [workshopId, provider]);
      return row ? accountRecordOf(row) : null;
    },

    async saveAccount(workshopId, provider, accountId, flags, at) {
      const [row] = await sql.rows<AccountRow>(saveAccount, [workshopId, provider, accountId, flags.detailsSubmitted, flags.chargesEnabled, flags.payoutsEnabled, at]);
      // A concurrent first save committed after this statement's snapshot: read the one it kept.
      return accountRecordOf(row ?? (await sql.rows<AccountRow>(accountOf, [workshopId, provider]))[0]!);
    },

    async saveAccountStatus(provider, accountId, flags, at) {
      const [row] = await sql.rows<AccountRow>(saveStatus, [provider, accountId, flags.detailsSubmitted, flags.chargesEnabled, flags.payoutsEnabled, at]);
      return row ? accountRecordOf(row) : null;
    },

    async list(workshopId, limit) {
      return (await sql.rows<PayoutRow>(listPayouts, [workshopId, limit])).map(recordOf);
    },
  };
}
