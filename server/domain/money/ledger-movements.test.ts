import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeLedger } from '../testing/fake-ledger';
import { ledgerOp, runLedgerScenario, scenarioCurrency, SCENARIO_BOOKINGS } from '../testing/ledger-scenario';
import { createLedgerMovements } from './ledger-movements';

/*
 * The movements against the in-memory ledger: the same model-based scenario the Postgres ledger
 * runs (db/ledger.repository.test.ts), many more runs, plus the rules the fake must share with it.
 */

const W = '33333333-3333-4333-8333-333333333333';
const C = '22222222-2222-4222-8222-222222222222';
const bookingIds = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('ledger movements (in-memory ledger)', () => {
  it('model-based: random movement sequences keep escrow = unreleased captures and every account as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ledgerOp, { minLength: 5, maxLength: 40 }), async (ops) => {
        await runLedgerScenario({ ledger: fakeLedger(), bookingIds: bookingIds(SCENARIO_BOOKINGS), customerId: C, workshopId: W, currency: scenarioCurrency() }, ops);
      }),
      { numRuns: 300 },
    );
  });

  it('two refunds of one booking at once cannot spend the same escrow', async () => {
    const ledger = fakeLedger();
    const money = createLedgerMovements(ledger);
    const [b] = bookingIds(1);
    await money.capture({ bookingId: b!, customerId: C, currency: 'GBP', amount: 1000, processorFee: 0 });
    const results = await Promise.allSettled([700, 700].map((amount, i) => money.refund({ bookingId: b!, key: `k${i}`, workshopId: W, currency: 'GBP', amount })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await ledger.balance({ kind: 'platform_escrow' }, 'GBP')).toBe(300);
  });

  it('release with nothing in escrow posts nothing; a second release returns the first', async () => {
    const ledger = fakeLedger();
    const money = createLedgerMovements(ledger);
    const [b] = bookingIds(1);
    expect(await money.release({ bookingId: b!, workshopId: W, currency: 'GBP', commissionBps: 1000 })).toBeNull();
    await money.capture({ bookingId: b!, customerId: C, currency: 'GBP', amount: 1000, processorFee: 30 });
    const first = await money.release({ bookingId: b!, workshopId: W, currency: 'GBP', commissionBps: 1000 });
    expect(first?.created).toBe(true);
    expect(await money.release({ bookingId: b!, workshopId: W, currency: 'GBP', commissionBps: 2000 })).toEqual({ txnId: first!.txnId, created: false });
    expect(ledger.txns).toHaveLength(2);
  });

  it('the fake refuses what Postgres refuses: unbalanced, empty, zero entries and a cause reused with other entries', async () => {
    const ledger = fakeLedger();
    const escrow = { kind: 'platform_escrow' } as const;
    const revenue = { kind: 'platform_revenue' } as const;
    await expect(ledger.post({ kind: 'capture', currency: 'GBP', cause: 'x', entries: [{ account: escrow, amount: 10 }, { account: revenue, amount: -9 }] })).rejects.toThrow(/does not balance/);
    await expect(ledger.post({ kind: 'capture', currency: 'GBP', cause: 'y', entries: [] })).rejects.toThrow(/no entries/);
    await expect(ledger.post({ kind: 'capture', currency: 'GBP', cause: 'z', entries: [{ account: escrow, amount: 0 }, { account: revenue, amount: 0 }] })).rejects.toThrow();
    await ledger.post({ kind: 'capture', currency: 'GBP', cause: 'w', entries: [{ account: escrow, amount: 10 }, { account: revenue, amount: -10 }] });
    await expect(ledger.post({ kind: 'capture', currency: 'GBP', cause: 'w', entries: [{ account: escrow, amount: 11 }, { account: revenue, amount: -11 }] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(ledger.txns).toHaveLength(1);
  });
});
