import { randomUUID } from 'node:crypto';
import { DomainError } from '../errors';
import type { AccountRef, BookingEntry, LedgerPort, LedgerTx, Posting, PostedTxn } from '../money/ledger-ports';

/*
 * An in-memory stand-in for the Postgres ledger (db/ledger.repository.ts) with the same rules:
 * a posting whose entries do not sum to zero, has none, or has a zero entry is refused and leaves
 * nothing; a cause posted again returns the first transaction (CONFLICT if its entries differ);
 * `forBooking` runs one booking's work at a time. Accounts are per currency by construction.
 */

interface StoredTxn extends Posting {
  id: string;
}

const accountKey = (a: AccountRef, currency: string) => `${a.kind}|${a.ownerId ?? ''}|${currency}`;
const entryKeys = (p: Posting) => p.entries.map((e) => `${accountKey(e.account, p.currency)}|${e.amount}`).sort().join(',');

export function fakeLedger() {
  const txns: StoredTxn[] = [];
  const byCause = new Map<string, StoredTxn>();
  const locks = new Map<string, Promise<unknown>>();

  function post(p: Posting): PostedTxn {
    const earlier = byCause.get(p.cause);
    if (earlier) {
      if (earlier.kind !== p.kind || earlier.currency !== p.currency || entryKeys(earlier) !== entryKeys(p)) {
        throw new DomainError('CONFLICT', `Ledger cause ${p.cause} was already posted with different entries`);
      }
      return { txnId: earlier.id, created: false };
    }
    if (!p.entries.length) throw new Error(`ledger transaction ${p.cause} has no entries`);
    if (p.entries.some((e) => !Number.isSafeInteger(e.amount) || e.amount === 0)) throw new Error('ledger entries are non-zero integers');
    const sum = p.entries.reduce((s, e) => s + e.amount, 0);
    if (sum !== 0) throw new Error(`ledger transaction ${p.cause} does not balance: its entries sum to ${sum}`);
    const t: StoredTxn = { ...p, entries: p.entries.map((e) => ({ ...e })), id: randomUUID() };
    txns.push(t);
    byCause.set(p.cause, t);
    return { txnId: t.id, created: true };
  }

  const tx: LedgerTx = {
    async bookingEntries(bookingId) {
      return txns
        .filter((t) => t.bookingId === bookingId)
        .flatMap((t) => t.entries.map((e): BookingEntry => ({ txnId: t.id, txnKind: t.kind, cause: t.cause, currency: t.currency, account: e.account, amount: e.amount })));
    },
    post: async (p) => post(p),
  };

  const port: LedgerPort = {
    post: async (p) => post(p),
    forBooking(bookingId, fn) {
      const previous = locks.get(bookingId) ?? Promise.resolve();
      const run = previous.then(() => fn(tx), () => fn(tx));
      locks.set(bookingId, run.catch(() => undefined));
      return run;
    },
    async balance(account, currency) {
      const key = accountKey(account, currency);
      return txns.reduce((s, t) => s + t.entries.filter((e) => accountKey(e.account, t.currency) === key).reduce((a, e) => a + e.amount, 0), 0);
    },
    async imbalance() {
      const sums = new Map<string, number>();
      for (const t of txns) for (const e of t.entries) sums.set(t.currency, (sums.get(t.currency) ?? 0) + e.amount);
      return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, sum]) => ({ currency, sum }));
    },
  };
  return Object.assign(port, { txns });
}
export type FakeLedger = ReturnType<typeof fakeLedger>;
