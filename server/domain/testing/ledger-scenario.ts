import fc from 'fast-check';
import { expect } from 'vitest';
import { createLedgerMovements } from '../money/ledger-movements';
import type { AccountRef, LedgerPort } from '../money/ledger-ports';
import { mulDivHalfEven, percentHalfEven } from '../money/minor-units';

/*
 * A model-based scenario for the ledger, run against the Postgres ledger
 * (db/ledger.repository.test.ts) and against the in-memory fake (ledger-movements.test.ts), so the
 * fake is held to what the database does. A random sequence of captures, fee captures, refunds,
 * releases, payouts, failed payouts and replays runs against a simple model of where each
 * booking's money is; afterwards every account and booking position must match the model, the
 * currency must balance and escrow must equal the captures not yet released or refunded.
 */

export type LedgerOp =
  | { op: 'capture'; b: number; amount: number; fee: number; asFee: boolean }
  | { op: 'refund'; b: number; share: number }
  | { op: 'release'; b: number; bps: number }
  | { op: 'payout'; share: number }
  | { op: 'payoutFails'; pick: number }
  | { op: 'replay'; pick: number };

/** Bookings one scenario moves money for. */
export const SCENARIO_BOOKINGS = 4;

const b = fc.integer({ min: 0, max: SCENARIO_BOOKINGS - 1 });
const share = fc.integer({ min: 1, max: 100 });
export const ledgerOp: fc.Arbitrary<LedgerOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('capture' as const), b, amount: fc.integer({ min: 1, max: 500_000 }), fee: fc.integer({ min: 0, max: 2_000 }), asFee: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('refund' as const), b, share }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), b, bps: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('payout' as const), share }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('payoutFails' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat() }) },
);

export interface ScenarioWorld {
  ledger: LedgerPort;
  /** SCENARIO_BOOKINGS booking ids no money has moved for yet. */
  bookingIds: string[];
  customerId: string;
  workshopId: string;
  /** A currency no other scenario uses, so the platform accounts start at zero. */
  currency: string;
}

export async function runLedgerScenario(w: ScenarioWorld, ops: LedgerOp[]) {
  const { ledger, bookingIds: ids, customerId, workshopId, currency } = w;
  const money = createLedgerMovements(ledger);
  const m = ids.map(() => ({ captured: 0, escrow: 0, released: false, vendor: 0, commission: 0, refunds: 0, fees: 0 }));
  let payable = 0;
  let paidOut = 0;
  const payouts: Array<{ id: string; amount: number; failed: boolean }> = [];
  const done: Array<() => Promise<{ created: boolean }>> = [];
  let refundNo = 0;

  for (const o of ops) {
    if (o.op === 'capture') {
      const s = m[o.b]!;
      if (s.captured || s.released) continue; // one capture (or fee capture) per booking
      const fee = Math.min(o.fee, o.amount);
      const input = { bookingId: ids[o.b]!, customerId, currency, amount: o.amount, processorFee: fee };
      const call = () => (o.asFee ? money.captureFee(input) : money.capture(input));
      expect((await call()).created).toBe(true);
      done.push(call);
      Object.assign(s, { captured: o.amount, escrow: o.amount, fees: fee });
    } else if (o.op === 'refund') {
      const s = m[o.b]!;
      const refundable = s.released ? s.vendor + s.commission : s.escrow;
      const amount = Math.floor((refundable * o.share) / 100);
      if (amount === 0) continue;
      const key = `r${refundNo++}`;
      const call = () => money.refund({ bookingId: ids[o.b]!, key, workshopId, currency, amount });
      expect((await call()).created).toBe(true);
      done.push(call);
      if (s.released) {
        const fromRevenue = mulDivHalfEven(amount, s.commission, s.vendor + s.commission);
        s.commission -= fromRevenue;
        s.vendor -= amount - fromRevenue;
        payable -= amount - fromRevenue;
      } else s.escrow -= amount;
      s.refunds += amount;
    } else if (o.op === 'release') {
      const s = m[o.b]!;
      const call = () => money.release({ bookingId: ids[o.b]!, workshopId, currency, commissionBps: o.bps });
      const r = await call();
      if (s.released) expect(r?.created).toBe(false);
      else if (s.escrow === 0) expect(r).toBeNull();
      else {
        expect(r?.created).toBe(true);
        const commission = percentHalfEven(s.escrow, o.bps);
        Object.assign(s, { released: true, vendor: s.escrow - commission, commission, escrow: 0 });
        payable += s.vendor;
        done.push(async () => (await call())!);
      }
    } else if (o.op === 'payout') {
      const amount = Math.floor((payable * o.share) / 100);
      if (amount <= 0) continue;
      const p = { payoutId: `${currency}-${payouts.length}`, workshopId, currency, amount };
      expect((await money.payout(p)).created).toBe(true);
      payouts.push({ id: p.payoutId, amount, failed: false });
      done.push(() => money.payout(p));
      payable -= amount;
      paidOut += amount;
    } else if (o.op === 'payoutFails') {
      const p = payouts.filter((x) => !x.failed)[o.pick % Math.max(1, payouts.length)];
      if (!p) continue;
      expect((await money.payoutFailed({ payoutId: p.id, workshopId, currency, amount: p.amount })).created).toBe(true);
      p.failed = true;
      payable += p.amount;
      paidOut -= p.amount;
    } else if (done.length) {
      expect((await done[o.pick % done.length]!()).created).toBe(false);
    }
  }

  const bal = (a: AccountRef) => ledger.balance(a, currency);
  const sum = (f: (s: (typeof m)[number]) => number) => m.reduce((t, s) => t + f(s), 0);
  expect((await ledger.imbalance()).find((i) => i.currency === currency)?.sum ?? 0).toBe(0);
  // Escrow is exactly what was captured and neither released nor refunded.
  expect(await bal({ kind: 'platform_escrow' })).toBe(sum((s) => (s.released ? 0 : s.escrow)));
  expect(await bal({ kind: 'vendor_payable', ownerId: workshopId })).toBe(payable);
  expect(await bal({ kind: 'vendor_payouts', ownerId: workshopId })).toBe(paidOut);
  expect(await bal({ kind: 'platform_revenue' })).toBe(sum((s) => s.commission - s.fees));
  expect(await bal({ kind: 'processor_fees' })).toBe(sum((s) => s.fees));
  expect(await bal({ kind: 'refunds' })).toBe(sum((s) => s.refunds));
  expect(await bal({ kind: 'customer_funds', ownerId: customerId })).toBe(0 - sum((s) => s.captured) || 0);
  for (const [i, s] of m.entries()) {
    const pos = await money.position(ids[i]!);
    expect({ escrowed: pos.escrowed, vendorShare: pos.vendorShare, commission: pos.commission, refunded: pos.refunded, released: pos.releaseTxnId !== null })
      .toEqual({ escrowed: s.released ? 0 : s.escrow, vendorShare: s.vendor, commission: s.commission, refunded: s.refunds, released: s.released });
  }
}

let scenarios = 0;
/** A currency code of its own for each scenario in this process (QAA, QAB, …; 676 of them). */
export function scenarioCurrency(): string {
  const n = scenarios++;
  return `Q${String.fromCharCode(65 + (Math.floor(n / 26) % 26))}${String.fromCharCode(65 + (n % 26))}`;
}
