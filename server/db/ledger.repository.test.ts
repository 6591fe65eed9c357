import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { capturePosting, payoutPosting } from '../domain/money/postings';
import { ledgerOp, runLedgerScenario, scenarioCurrency, SCENARIO_BOOKINGS } from '../domain/testing/ledger-scenario';
import { bookAs, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from '../test/fixtures';

/*
 * The ledger on real Postgres: the database itself refuses an unbalanced or mixed-currency
 * transaction and any change to posted rows; a replayed cause writes nothing; and random sequences
 * of movements keep every transaction balanced and escrow equal to the captures not yet released.
 */

let es: EngineServer;
let db: pg.Client;
let workshopId: string;
let customerId: string;
let bookingId: string;
let bookingEventId: string;

beforeAll(async () => {
  es = await startEngineServer();
  db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
  const w = await quickWorkshop(es, { autoAccept: true });
  const [customer] = await quickAccounts(es.server, 1);
  const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
  const booking = await bookAs(es, w, customer!, slot!.id);
  workshopId = w.workshop.id;
  customerId = customer!.id;
  bookingId = booking.id;
  bookingEventId = (await db.query<{ id: string }>(`select id from booking_event where booking_id = $1 limit 1`, [bookingId])).rows[0]!.id;
});
afterAll(async () => {
  await db?.end();
  await es?.server.close();
});

/** More bookings to hang transactions on: copies of the real one (the ledger needs only their ids). */
async function bookings(n: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status, price_cents, currency, options, created_at, updated_at)
     select gen_random_uuid(), customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, 'completed', price_cents, currency, options, created_at, updated_at
       from booking, generate_series(1, $2) where id = $1 returning id`,
    [bookingId, n],
  );
  return rows.map((r) => r.id);
}

// Counts are scoped to what a test wrote: other files post to the same ledger at the same time.
const count = async (sql: string, params: unknown[]) => Number((await db.query(`select count(*) from ${sql}`, params)).rows[0].count);
const entriesOfTxn = (txnId: string) => count(`ledger_entry where txn_id = $1`, [txnId]);
const txnsOfBooking = (bookingId: string) => count(`ledger_txn where booking_id = $1`, [bookingId]);
const entriesOfBooking = (bookingId: string) => count(`ledger_entry e join ledger_txn t on t.id = e.txn_id where t.booking_id = $1`, [bookingId]);
async function account(kind: string, currency: string): Promise<string> {
  await db.query(`insert into ledger_account (kind, currency) values ($1, $2) on conflict on constraint ledger_account_kind_owner_currency_unique do nothing`, [kind, currency]);
  return (await db.query<{ id: string }>(`select id from ledger_account where kind = $1 and owner_id is null and currency = $2`, [kind, currency])).rows[0]!.id;
}

/** Runs statements in one transaction; resolves with the error COMMIT (or a statement) raised, if any. */
async function inTxn(statements: Array<[string, unknown[]]>): Promise<(Error & { code?: string }) | null> {
  try {
    await db.query('begin');
    for (const [text, values] of statements) await db.query(text, values);
    await db.query('commit');
    return null;
  } catch (err) {
    await db.query('rollback').catch(() => undefined);
    return err as Error & { code?: string };
  }
}

describe('ledger: rules the database enforces', () => {
  it('refuses at COMMIT a transaction whose entries do not sum to zero, and keeps nothing of it', async () => {
    const [escrow, revenue] = [await account('platform_escrow', 'GBP'), await account('platform_revenue', 'GBP')];
    const txn = '00000000-0000-4000-8000-000000000001';
    const err = await inTxn([
      [`insert into ledger_txn (id, kind, currency, cause) values ($1, 'capture', 'GBP', 'test:unbalanced')`, [txn]],
      [`insert into ledger_entry (txn_id, account_id, currency, amount) values ($1, $2, 'GBP', 1000), ($1, $3, 'GBP', -999)`, [txn, escrow, revenue]],
    ]);
    expect(err?.message).toMatch(/does not balance: its entries sum to 1/);
    expect(err?.code).toBe('23514');
    expect(await entriesOfTxn(txn)).toBe(0);
    expect((await db.query(`select 1 from ledger_txn where cause = 'test:unbalanced'`)).rowCount).toBe(0);
  });

  it('refuses a transaction without entries', async () => {
    const err = await inTxn([[`insert into ledger_txn (kind, currency, cause) values ('capture', 'GBP', 'test:empty')`, []]]);
    expect(err?.message).toMatch(/has no entries/);
  });

  it('refuses an entry on an account of another currency (balanced or not)', async () => {
    const [gbp, eur] = [await account('platform_escrow', 'GBP'), await account('platform_revenue', 'EUR')];
    const txn = '00000000-0000-4000-8000-000000000002';
    // Entry says GBP but the account is EUR.
    let err = await inTxn([
      [`insert into ledger_txn (id, kind, currency, cause) values ($1, 'capture', 'GBP', 'test:mixed')`, [txn]],
      [`insert into ledger_entry (txn_id, account_id, currency, amount) values ($1, $2, 'GBP', 500), ($1, $3, 'GBP', -500)`, [txn, gbp, eur]],
    ]);
    expect(err?.code).toBe('23503');
    expect(err?.message).toMatch(/ledger_entry_account_foreign/);
    // Entry and account say EUR but the transaction is GBP.
    err = await inTxn([
      [`insert into ledger_txn (id, kind, currency, cause) values ($1, 'capture', 'GBP', 'test:mixed')`, [txn]],
      [`insert into ledger_entry (txn_id, account_id, currency, amount) values ($1, $2, 'GBP', 500), ($1, $3, 'EUR', -500)`, [txn, gbp, eur]],
    ]);
    expect(err?.code).toBe('23503');
    expect(err?.message).toMatch(/ledger_entry_txn_foreign/);
    expect((await db.query(`select 1 from ledger_txn where cause = 'test:mixed'`)).rowCount).toBe(0);
  });

  it('is append-only: posted entries and transactions cannot be changed or deleted', async () => {
    const [id] = await bookings(1);
    const { txnId } = await es.server.services.ledger.capture({ bookingId: id!, customerId, currency: 'GBP', amount: 2000, processorFee: 50 });
    for (const sql of [`update ledger_entry set amount = amount * 2 where txn_id = $1`, `delete from ledger_entry where txn_id = $1`, `delete from ledger_txn where id = $1`]) {
      const err = await inTxn([[sql, [txnId]]]);
      expect(err?.message, sql).toMatch(/append-only/);
    }
    expect(Number((await db.query(`select sum(abs(amount)) as s from ledger_entry where txn_id = $1`, [txnId])).rows[0].s)).toBe(4100);
  });
});

describe('ledger: posting', () => {
  it('links a capture to its booking and booking event; replaying the cause writes nothing and returns the same transaction', async () => {
    const ledger = es.server.services.stores.ledger;
    const posting = capturePosting({ bookingId, bookingEventId, customerId, currency: 'GBP', amount: 4999, processorFee: 95 });
    const first = await ledger.post(posting);
    expect(first.created).toBe(true);
    const [txns, entries] = [await txnsOfBooking(bookingId), await entriesOfBooking(bookingId)];
    expect(txns).toBe(1);
    expect(entries).toBeGreaterThan(1);
    const replays = await Promise.all(Array.from({ length: 5 }, () => ledger.post(posting)));
    expect(replays).toEqual(Array(5).fill({ txnId: first.txnId, created: false }));
    expect([await txnsOfBooking(bookingId), await entriesOfBooking(bookingId)]).toEqual([txns, entries]);
    const row = (await db.query(`select booking_id, booking_event_id, kind, cause from ledger_txn where id = $1`, [first.txnId])).rows[0];
    expect(row).toEqual({ booking_id: bookingId, booking_event_id: bookingEventId, kind: 'capture', cause: `booking:${bookingId}:capture` });
  });

  it('refuses the same cause with different entries (CONFLICT), writing nothing', async () => {
    const [id] = await bookings(1);
    const ledger = es.server.services.stores.ledger;
    await ledger.post(capturePosting({ bookingId: id!, customerId, currency: 'GBP', amount: 1000, processorFee: 20 }));
    const entries = await entriesOfBooking(id!);
    expect(entries).toBeGreaterThan(0);
    await expect(ledger.post(capturePosting({ bookingId: id!, customerId, currency: 'GBP', amount: 1001, processorFee: 20 }))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await entriesOfBooking(id!)).toBe(entries);
  });

  it('two refunds of one booking at once cannot spend the same escrow (the booking lock orders them)', async () => {
    const [id] = await bookings(1);
    const money = es.server.services.ledger;
    await money.capture({ bookingId: id!, customerId, currency: 'GBP', amount: 1000, processorFee: 0 });
    const results = await Promise.allSettled([700, 700, 700].map((amount, i) => money.refund({ bookingId: id!, key: `k${i}`, workshopId, currency: 'GBP', amount })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((await money.position(id!)).escrowed).toBe(300);
  });

  it('concurrent first posts of one cause make one transaction', async () => {
    const ledger = es.server.services.stores.ledger;
    const posting = payoutPosting({ payoutId: `race-${bookingId}`, workshopId, currency: 'GBP', amount: 10 });
    const results = await Promise.all(Array.from({ length: 6 }, () => ledger.post(posting)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.txnId)).size).toBe(1);
  });
});

describe('ledger: model-based property', () => {
  it('random capture/fee/refund/release/payout/failed-payout/replay sequences keep every transaction balanced and escrow = unreleased captures', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ledgerOp, { minLength: 5, maxLength: 30 }), async (ops) => {
        const currency = scenarioCurrency();
        await runLedgerScenario({ ledger: es.server.services.stores.ledger, bookingIds: await bookings(SCENARIO_BOOKINGS), customerId, workshopId, currency }, ops);
        // Each transaction on its own, as the database stored it.
        const unbalanced = await db.query(`select t.id from ledger_txn t join ledger_entry e on e.txn_id = t.id where t.currency = $1 group by t.id having sum(e.amount) <> 0`, [currency]);
        expect(unbalanced.rowCount).toBe(0);
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
