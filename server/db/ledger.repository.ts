import { systemClock, type Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import type { AccountRef, BookingEntry, LedgerPort, LedgerTx, Posting, PostedTxn, TxnKind } from '../domain/money/ledger-ports';
import { stmt, type SqlPool, type SqlTx } from './pg-pool';

/*
 * The ledger on Postgres (tables and their rules: Migration20261201070000), in plain SQL on the
 * pg pool. Posting is three statements in one transaction: make the accounts it names (first use),
 * insert the transaction unless its cause exists, insert its entries. The database checks the
 * balance and the currencies at COMMIT, whatever the caller did.
 */

const ensureAccounts = stmt('ledger_ensure_accounts', `
  insert into ledger_account (kind, owner_id, currency)
  select k, o, $3 from unnest($1::text[], $2::uuid[]) as x(k, o)
  on conflict on constraint ledger_account_kind_owner_currency_unique do nothing`);

const insertTxn = stmt('ledger_insert_txn', `
  insert into ledger_txn (kind, currency, cause, booking_id, booking_event_id, created_at)
  values ($1, $2, $3, $4, $5, $6)
  on conflict (cause) do nothing
  returning id`);

const insertEntries = stmt('ledger_insert_entries', `
  insert into ledger_entry (txn_id, account_id, currency, amount)
  select $1, a.id, $2, x.amount
    from unnest($3::text[], $4::uuid[], $5::bigint[]) with ordinality as x(kind, owner, amount, n)
    join ledger_account a on a.kind = x.kind and a.owner_id is not distinct from x.owner and a.currency = $2
   order by x.n`);

const txnByCause = stmt('ledger_txn_by_cause', `
  select t.id, t.kind, t.currency, a.kind as account_kind, a.owner_id, e.amount::text as amount
    from ledger_txn t join ledger_entry e on e.txn_id = t.id join ledger_account a on a.id = e.account_id
   where t.cause = $1`);

const lockBooking = stmt('ledger_lock_booking', `select pg_advisory_xact_lock(hashtextextended('ledger:' || $1::text, 0))`);

const entriesOfBooking = stmt('ledger_booking_entries', `
  select t.id as txn_id, t.kind as txn_kind, t.cause, t.currency, a.kind as account_kind, a.owner_id, e.amount::text as amount
    from ledger_txn t join ledger_entry e on e.txn_id = t.id join ledger_account a on a.id = e.account_id
   where t.booking_id = $1
   order by e.id`);

const accountBalance = stmt('ledger_account_balance', `
  select coalesce(sum(e.amount), 0)::text as balance
    from ledger_account a join ledger_entry e on e.account_id = a.id
   where a.kind = $1 and a.owner_id is not distinct from $2::uuid and a.currency = $3`);

const imbalanceByCurrency = stmt('ledger_imbalance', `select currency, sum(amount)::text as sum from ledger_entry group by currency order by currency`);

interface EntryRow {
  account_kind: AccountRef['kind'];
  owner_id: string | null;
  amount: string;
}

const accountOf = (r: EntryRow) => ({ kind: r.account_kind, ...(r.owner_id ? { ownerId: r.owner_id } : {}) }) as AccountRef;
const keyOf = (kind: string, owner: string | null | undefined, amount: number | string) => `${kind}|${owner ?? ''}|${amount}`;

/** Same kind, currency and entries (in any order): a replay; anything else reusing the cause is a bug upstream. */
function sameTxn(p: Posting, rows: Array<EntryRow & { kind: string; currency: string }>): boolean {
  if (rows[0]!.kind !== p.kind || rows[0]!.currency !== p.currency || rows.length !== p.entries.length) return false;
  const stored = rows.map((r) => keyOf(r.account_kind, r.owner_id, r.amount)).sort();
  const asked = p.entries.map((e) => keyOf(e.account.kind, e.account.ownerId, e.amount)).sort();
  return stored.every((k, i) => k === asked[i]);
}

/**
 * Posts inside the caller's store transaction (the payout repository opens a payout and posts its
 * movement in one). `at` is when the transaction happened, by the domain's clock: statements and
 * the finance figures read it.
 */
export async function postIn(tx: SqlTx, p: Posting, at: Date): Promise<PostedTxn> {
  const kinds = p.entries.map((e) => e.account.kind);
  const owners = p.entries.map((e) => e.account.ownerId ?? null);
  const [, inserted] = (await tx.batch([
    [ensureAccounts, [kinds, owners, p.currency]],
    [insertTxn, [p.kind, p.currency, p.cause, p.bookingId ?? null, p.bookingEventId ?? null, at]],
  ])) as [unknown[], Array<{ id: string }>];
  const txnId = inserted[0]?.id;
  if (!txnId) {
    const earlier = await tx.rows<EntryRow & { id: string; kind: string; currency: string }>(txnByCause, [p.cause]);
    if (!earlier.length || !sameTxn(p, earlier)) {
      throw new DomainError('CONFLICT', `Ledger cause ${p.cause} was already posted with different entries`);
    }
    return { txnId: earlier[0]!.id, created: false };
  }
  await tx.rows(insertEntries, [txnId, p.currency, kinds, owners, p.entries.map((e) => String(e.amount))]);
  return { txnId, created: true };
}

const toNumber = (s: string) => {
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new RangeError(`ledger amount ${s} is beyond safe integers`);
  return n;
};

export function createLedgerRepository(sql: SqlPool, clock: Clock = systemClock): LedgerPort {
  const at = () => new Date(clock.now());
  const txFor = (tx: SqlTx): LedgerTx => ({
    post: (p) => postIn(tx, p, at()),
    async bookingEntries(bookingId) {
      const rows = await tx.rows<EntryRow & { txn_id: string; txn_kind: TxnKind; cause: string; currency: string }>(entriesOfBooking, [bookingId]);
      return rows.map((r): BookingEntry => ({ txnId: r.txn_id, txnKind: r.txn_kind, cause: r.cause, currency: r.currency, account: accountOf(r), amount: toNumber(r.amount) }));
    },
  });
  return {
    post: (p) => sql.transaction((tx) => postIn(tx, p, at())),
    forBooking: (bookingId, fn) =>
      sql.transaction(async (tx) => {
        await tx.rows(lockBooking, [bookingId]);
        return fn(txFor(tx));
      }),
    async balance(account, currency) {
      const [row] = await sql.rows<{ balance: string }>(accountBalance, [account.kind, account.ownerId ?? null, currency]);
      return toNumber(row?.balance ?? '0');
    },
    async imbalance() {
      const rows = await sql.rows<{ currency: string; sum: string }>(imbalanceByCurrency, []);
      return rows.map((r) => ({ currency: r.currency, sum: toNumber(r.sum) }));
    },
  };
}
