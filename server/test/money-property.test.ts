import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoneyPolicyInput } from '@shared/schemas/money-policy';
import type { SlotRow } from '../domain/catalog-ports';
import { manualClock } from '../domain/clock';
import { createBookingTransitions } from '../domain/booking-transitions';
import { createPaymentFlow } from '../domain/money/payment-flow';
import { percentHalfEven } from '../domain/money/minor-units';
import { expectStatus, useOwnDatabase } from './harness';
import { atInstant, holdAs, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * Model-based property over the whole money flow on a real server (Postgres, Redis, the simulated
 * processor): random bookings at three workshops (full prepayment with fees, deposit with fees, full
 * without fees) each take a random path — decline, expiry, early (free) or late cancellation,
 * no-show, completion — maybe captured early on the way (the sweep's capture of an authorization
 * about to lapse: the part above the fee owed then goes back when the booking ends without
 * completion), then, for a completion or a charged fee, maybe a dispute resolved by a full or partial
 * refund or a release, and the escrow release after the dispute window counted from the booking's
 * end (completion, cancellation, no-show) — with daily settlements (payouts) in between. After
 * every step the database must agree with a model: each booking's payment row and ledger position
 * match its state and path; every ledger transaction of these bookings and workshops sums to 0 and
 * the /metrics imbalance gauge reads 0; this test's escrow equals its captures not yet released or
 * refunded; payable and payouts per workshop are what the releases and settlements say; and money
 * is conserved (payable + payouts + revenue + refunds + processor fees + escrow = captured).
 *
 * The seed is printed and can be set with MONEY_PROPERTY_SEED. Dates are fixed in 2033, away from
 * other files' (the release and expiry jobs scan the whole shared database, so this file runs its
 * own copies of them restricted to its own bookings).
 */

const SEED = Number(process.env.MONEY_PROPERTY_SEED ?? 2033);
const BOOKINGS = 36;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW_HOURS = 48;
const T0 = Date.UTC(2033, 2, 1, 7, 0);
const PRICE = 5000;
const COMMISSION_BPS = 1000;

// A database of its own: this file sweeps the whole database (accept SLA, orphaned payments) on a
// clock far from the real one, which on the shared database would act on other files' bookings.
const database = useOwnDatabase('money_property');
const clock = manualClock(T0);
let es: EngineServer;
let db: pg.Client;
let customer: Account;
let admin: Account;

type ShopName = 'full' | 'deposit' | 'noFee';
const POLICIES: Record<ShopName, MoneyPolicyInput> = {
  full: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 },
  deposit: { paymentMode: 'deposit', depositBps: 2500, freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 },
  noFee: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 },
};
// What bookingMoney() gives for a 50.00 booking under each policy (fees: % of the price, rounded down, capped at the authorization).
const TERMS: Record<ShopName, { authorize: number; lateFee: number; noShowFee: number }> = {
  full: { authorize: 5000, lateFee: 1000, noShowFee: 2500 },
  deposit: { authorize: 1250, lateFee: 1000, noShowFee: 1250 },
  noFee: { authorize: 5000, lateFee: 0, noShowFee: 0 },
};
const shops = {} as Record<ShopName, { w: Awaited<ReturnType<typeof quickWorkshop>>; slots: SlotRow[]; next: number; payable: number; paidOut: number }>;

// ---- the plan (random) -------------------------------------------------------------------------

type Dispute = { outcome: 'full_refund' } | { outcome: 'partial_refund'; percent: number } | { outcome: 'release' } | null;
type Path =
  | { kind: 'decline' | 'expire' | 'cancel_pending' }
  | { kind: 'cancel_early' }
  | { kind: 'cancel_late' | 'no_show' | 'complete'; dispute: Dispute; peekBeforeWindow: boolean };
/** `early`: the sweep captures the whole authorization before the booking ends (its authorization was about to lapse). */
interface Plan { shop: ShopName; path: Path; early: boolean; settleAfter: boolean }

const disputeArb: fc.Arbitrary<Dispute> = fc.oneof(
  fc.constant(null),
  fc.constant({ outcome: 'full_refund' as const }),
  fc.record({ outcome: fc.constant('partial_refund' as const), percent: fc.integer({ min: 1, max: 99 }) }),
  fc.constant({ outcome: 'release' as const }),
);
const planArb: fc.Arbitrary<Plan> = fc.record({
  shop: fc.constantFrom<ShopName>('full', 'deposit', 'noFee'),
  path: fc.oneof(
    fc.record({ kind: fc.constantFrom('decline' as const, 'expire' as const, 'cancel_pending' as const) }),
    fc.record({ kind: fc.constant('cancel_early' as const) }),
    fc.record({ kind: fc.constantFrom('cancel_late' as const, 'no_show' as const, 'complete' as const), dispute: disputeArb, peekBeforeWindow: fc.boolean() }),
  ),
  early: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  settleAfter: fc.boolean(),
});

// ---- the model ---------------------------------------------------------------------------------

interface Model {
  id: string;
  shop: ShopName;
  status: string;
  paymentStatus: string;
  captured: number;
  fee: number;
  refunded: number;
  released: boolean;
  /** Commission and vendor share fixed at release. */
  commission: number;
  vendorShare: number;
}
const models: Model[] = [];
const log: string[] = [];

// ---- wiring ------------------------------------------------------------------------------------

beforeAll(async () => {
  es = await startEngineServer({
    clock,
    sweepers: false,
    env: { DATABASE_URL: database(), DISPUTE_WINDOW_HOURS: String(WINDOW_HOURS), SIMULATED_AUTHORIZATION_TTL_HOURS: String(31 * 24), COMMISSION_DEFAULT_BPS: String(COMMISSION_BPS) },
  });
  db = new pg.Client({ connectionString: database() });
  await db.connect();
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
  for (const name of Object.keys(POLICIES) as ShopName[]) {
    const w = await quickWorkshop(es, { bays: 2, money: POLICIES[name] });
    const slots = await es.server.services.stores.slots.list(w.workshop.id, new Date(T0 + 3 * DAY), new Date(T0 + 14 * DAY));
    shops[name] = { w, slots, next: 0, payable: 0, paidOut: 0 };
  }
});
afterAll(async () => {
  await db?.end();
  await es?.server.close();
});

const mine = () => models.map((m) => m.id);
const workshopIds = () => Object.values(shops).map((s) => s.w.workshop.id);

/** The accept-SLA expiry, restricted to one booking (the shared database holds other files' pending bookings). */
function expireOnly(bookingId: string) {
  const s = es.server.services;
  const bookings = { ...s.stores.bookings, overduePending: async (now: Date, limit: number) => (await s.stores.bookings.overduePending(now, 100_000)).filter((id) => id === bookingId).slice(0, limit) };
  return createBookingTransitions({
    workshops: s.stores.workshops, bookings, live: s.live, clock, publisher: { bookingChanged: () => undefined },
    payments: { find: s.bookingPayments.store.findBookingPayment, run: s.bookingPayments.flow.run },
  }).expireOverdue();
}

/**
 * The sweep's early capture (payment-flow captureBeforeLapse) of one booking, as when its
 * authorization is about to lapse. Which authorizations lapse when is covered by
 * booking-payments.test.ts; here the sweep is told this one does (this file's authorizations live
 * 31 days, so that the other paths never meet a lapsed one).
 */
function captureEarly(bookingId: string) {
  const s = es.server.services;
  return createPaymentFlow({
    provider: s.payments.provider, ledger: s.ledger, clock, disputeWindowHours: WINDOW_HOURS,
    store: { ...s.bookingPayments.store, lapsingAuthorizations: async () => [bookingId] },
    hasOpenDispute: (id) => s.disputes.hasOpenDispute(id),
    bookingOf: (id) => s.stores.bookings.findById(id),
  }).captureBeforeLapse();
}

/** The escrow release job, restricted to this file's bookings. */
function releaseMine() {
  const s = es.server.services;
  const store = s.bookingPayments.store;
  const ids = new Set(mine());
  return createPaymentFlow({
    provider: s.payments.provider, ledger: s.ledger, clock, disputeWindowHours: WINDOW_HOURS,
    store: { ...store, unreleased: async (before: Date, limit: number) => (await store.unreleased(before, 100_000)).filter((u) => ids.has(u.payment.bookingId)).slice(0, limit) },
    hasOpenDispute: (id) => s.disputes.hasOpenDispute(id),
    bookingOf: (id) => s.stores.bookings.findById(id),
  }).releaseDue();
}

const at = <T>(ms: number, fn: () => Promise<T>) => atInstant(clock, ms, fn);

const act = async (id: string, action: 'accept' | 'decline' | 'cancel' | 'start' | 'complete' | 'no-show', who: Account) => {
  const r = await es.api.typed(who.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action } }, body: {} });
  expect(r.response.status, `${action} ${id}: ${JSON.stringify(r.error)}`).toBe(200);
};

// ---- the invariants ----------------------------------------------------------------------------

/** One booking's payment row, ledger position and status against the model. */
async function checkBooking(m: Model, label: string) {
  const where = `${label} booking ${m.id} (${m.shop}) model=${JSON.stringify(m)}`;
  const [p, pos, row] = await Promise.all([
    es.server.services.bookingPayments.store.findBookingPayment(m.id),
    es.server.services.ledger.position(m.id),
    db.query<{ status: string }>('select status from booking where id = $1', [m.id]),
  ]);
  expect(row.rows[0]?.status, where).toBe(m.status);
  expect(p, where).toMatchObject({ status: m.paymentStatus, authorized: TERMS[m.shop].authorize, captured: m.captured, fee: m.fee, refunded: m.refunded, pending: null });
  expect(p!.releasedAt !== null, where).toBe(m.released);
  expect(m.refunded, where).toBeLessThanOrEqual(m.captured);
  expect({ captured: pos.captured, refunded: pos.refunded, escrowed: pos.escrowed, released: pos.releaseTxnId !== null, commission: pos.commission, vendorShare: pos.vendorShare }, where).toEqual({
    captured: m.captured, refunded: m.refunded, escrowed: m.released ? 0 : m.captured - m.refunded, released: m.released, commission: m.commission, vendorShare: m.vendorShare,
  });
}

/** The ledger-wide invariants, scoped to this file's bookings and workshops. */
async function checkLedger(label: string) {
  const where = `${label}`;
  const bookings = mine();
  const ws = workshopIds();
  // Every transaction of these bookings, and every payout (reversal) of these workshops, balances.
  const unbalanced = await db.query(
    `select t.id, t.kind, sum(e.amount)::bigint::text as sum from ledger_txn t join ledger_entry e on e.txn_id = t.id
      where t.booking_id = any($1::uuid[])
         or t.id in (select e2.txn_id from ledger_entry e2 join ledger_account a2 on a2.id = e2.account_id where a2.owner_id = any($2::uuid[]))
      group by t.id, t.kind having sum(e.amount) <> 0`,
    [bookings, ws],
  );
  expect(unbalanced.rows, where).toEqual([]);
  const metrics = await (await fetch(`${es.server.url}/metrics`)).text();
  const gauge = [...metrics.matchAll(/^holdfast_ledger_imbalance_minor\{currency="([A-Z]{3})"\} (\S+)$/gm)];
  for (const [, currency, value] of gauge) expect(Number(value), `${where}: imbalance ${currency}`).toBe(0);

  // Sums per account kind over these bookings' transactions.
  const kinds = new Map((await db.query<{ kind: string; sum: string }>(
    `select a.kind, sum(e.amount)::bigint::text as sum from ledger_entry e join ledger_txn t on t.id = e.txn_id join ledger_account a on a.id = e.account_id
      where t.booking_id = any($1::uuid[]) group by a.kind`,
    [bookings],
  )).rows.map((r) => [r.kind, Number(r.sum)]));
  const k = (kind: string) => kinds.get(kind) ?? 0;
  const captured = models.reduce((s, m) => s + m.captured, 0);
  // Once this test has captured money, the gauge has a GBP line (read above: 0).
  if (captured > 0) expect(gauge.map(([, c]) => c), `${where}: the imbalance gauge is exported`).toContain('GBP');
  expect(0 - k('customer_funds'), `${where}: captured`).toBe(captured);
  expect(k('platform_escrow'), `${where}: escrow = captures not yet released or refunded`).toBe(models.reduce((s, m) => s + (m.released ? 0 : m.captured - m.refunded), 0));
  expect(k('refunds'), `${where}: refunds`).toBe(models.reduce((s, m) => s + m.refunded, 0));
  expect(k('processor_fees'), `${where}: processor fees (the simulated processor reports none)`).toBe(0);
  expect(k('platform_revenue'), `${where}: commission`).toBe(models.reduce((s, m) => s + m.commission, 0));

  // Payable and payouts per workshop (their accounts are the workshop's own).
  let payable = 0;
  let paidOut = 0;
  for (const [name, s] of Object.entries(shops)) {
    const bal = await es.server.services.stores.ledger.balance({ kind: 'vendor_payable', ownerId: s.w.workshop.id }, 'GBP');
    const out = await es.server.services.stores.ledger.balance({ kind: 'vendor_payouts', ownerId: s.w.workshop.id }, 'GBP');
    expect({ payable: bal, paidOut: out }, `${where}: workshop ${name}`).toEqual({ payable: s.payable, paidOut: s.paidOut });
    expect(bal, `${where}: payouts never exceed what ${name} was owed`).toBeGreaterThanOrEqual(0);
    const shares = models.filter((m) => m.shop === name).reduce((sum, m) => sum + m.vendorShare, 0);
    expect(bal + out, `${where}: ${name} payable + payouts = its released shares`).toBe(shares);
    payable += bal;
    paidOut += out;
  }
  // Conservation: every unit captured sits in exactly one place.
  expect(payable + paidOut + k('platform_revenue') + k('refunds') + k('processor_fees') + k('platform_escrow'), `${where}: conservation`).toBe(captured);
}

// ---- the steps ---------------------------------------------------------------------------------

async function step(label: string, m: Model | null, fn: () => Promise<void>) {
  log.push(label);
  await fn();
  if (m) await checkBooking(m, label);
  await checkLedger(label);
}

function release(m: Model) {
  const escrow = m.captured - m.refunded;
  m.released = true;
  m.commission = percentHalfEven(escrow, COMMISSION_BPS);
  m.vendorShare = escrow - m.commission;
  shops[m.shop].payable += m.vendorShare;
}

async function runPlan(i: number, plan: Plan) {
  const s = shops[plan.shop];
  const slot = s.slots[s.next++]!;
  const start = slot.startsAt.getTime();
  const terms = TERMS[plan.shop];
  const tag = `#${i} ${plan.shop} ${JSON.stringify(plan.path)}`;

  const holdId = await holdAs(es, s.w, customer, slot.id);
  const made = expectStatus(await es.api.typed(customer.token).POST('/api/v1/bookings', { body: { holdId, paymentMethod: 'pm_card_visa' } }), 201);
  const m: Model = { id: made.booking.id, shop: plan.shop, status: 'pending', paymentStatus: 'authorized', captured: 0, fee: 0, refunded: 0, released: false, commission: 0, vendorShare: 0 };
  models.push(m);
  await step(`${tag}: confirm ${m.id}`, m, async () => undefined);

  const path = plan.path;
  /** The booking ends: a fee (or nothing) is kept; an early capture gives the rest back. */
  const ended = (status: string, fee: number) => {
    m.status = status;
    if (m.captured > 0) {
      // Captured early: everything above the fee owed is refunded.
      Object.assign(m, { fee, refunded: m.captured - fee, paymentStatus: fee > 0 ? 'captured' : 'refunded' });
    } else if (fee > 0) Object.assign(m, { paymentStatus: 'captured', captured: fee, fee });
    else m.paymentStatus = 'voided';
  };
  const early = async () => {
    if (!plan.early) return;
    await step(`${tag}: early capture`, m, async () => {
      expect(await captureEarly(m.id)).toBe(1);
      Object.assign(m, { paymentStatus: 'captured', captured: terms.authorize });
    });
  };
  await early();
  switch (path.kind) {
    case 'decline':
      await step(`${tag}: decline`, m, async () => { await act(m.id, 'decline', s.w.vendor); ended('declined', 0); });
      break;
    case 'expire':
      await step(`${tag}: expire`, m, async () => { expect(await at(T0 + 2 * DAY, () => expireOnly(m.id))).toBe(1); ended('expired', 0); });
      break;
    case 'cancel_pending':
      await step(`${tag}: cancel (pending, free)`, m, async () => { await act(m.id, 'cancel', customer); ended('cancelled', 0); });
      break;
    default: {
      await step(`${tag}: accept`, m, async () => { await act(m.id, 'accept', s.w.vendor); m.status = 'accepted'; });
      let end: number;
      if (path.kind === 'cancel_early') {
        await step(`${tag}: cancel early`, m, async () => { await at(start - 24 * HOUR, () => act(m.id, 'cancel', customer)); ended('cancelled', 0); });
        break;
      } else if (path.kind === 'cancel_late') {
        end = start - 2 * HOUR;
        await step(`${tag}: cancel late`, m, async () => { await at(end, () => act(m.id, 'cancel', customer)); ended('cancelled', terms.lateFee); });
      } else if (path.kind === 'no_show') {
        end = start + 20 * 60_000;
        await step(`${tag}: no-show`, m, async () => { await at(end, () => act(m.id, 'no-show', s.w.vendor)); ended('no_show', terms.noShowFee); });
      } else {
        end = start;
        await step(`${tag}: start + complete`, m, async () => {
          await at(start, async () => { await act(m.id, 'start', s.w.vendor); await act(m.id, 'complete', s.w.vendor); });
          Object.assign(m, { status: 'completed', paymentStatus: 'captured', captured: terms.authorize });
        });
      }
      await afterEnd(m, tag, end, path.dispute, path.peekBeforeWindow);
    }
  }
  if (plan.settleAfter) await settle(`${tag}: settlement`);
}

/**
 * After a booking ended keeping money (a completion, a late-cancellation or no-show fee) at `end`:
 * maybe a dispute (refused when nothing is kept), then the release job after the window counted from `end`.
 */
async function afterEnd(m: Model, tag: string, end: number, d: Dispute, peekBeforeWindow: boolean) {
  const kept = () => m.captured - m.refunded;
  if (peekBeforeWindow) {
    await step(`${tag}: release job before the window`, m, async () => { expect(await at(end + (WINDOW_HOURS - 1) * HOUR, releaseMine)).toBe(0); });
  }
  if (d && kept() === 0) {
    await step(`${tag}: dispute refused (nothing kept)`, m, async () => {
      const r = await at(end + HOUR, () => es.api.post(`/api/v1/bookings/${m.id}/dispute`, { reason: 'other', text: 'I was there on time, the door was locked.' }, customer.token));
      expect([r.status, r.body.error?.code], JSON.stringify(r.body)).toEqual([422, 'NOTHING_CAPTURED']);
    });
  } else if (d) {
    let disputeId = '';
    await step(`${tag}: dispute`, m, async () => {
      const r = await at(end + HOUR, () => es.api.post(`/api/v1/bookings/${m.id}/dispute`, { reason: 'poor_quality', text: 'The brakes still squeal after the job.' }, customer.token));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      disputeId = r.body.dispute.id;
    });
    await step(`${tag}: release job while the dispute is open`, m, async () => { expect(await at(end + (WINDOW_HOURS + 1) * HOUR, releaseMine)).toBe(0); });
    const amount = d.outcome === 'partial_refund' ? Math.max(1, Math.floor((kept() * d.percent) / 100)) : undefined;
    await step(`${tag}: resolve ${d.outcome}${amount ? ` ${amount}` : ''}`, m, async () => {
      const body = amount !== undefined ? { outcome: d.outcome, amountMinor: amount } : { outcome: d.outcome };
      const r = await at(end + 2 * HOUR, () => es.api.post(`/api/v1/admin/disputes/${disputeId}/resolve`, body, admin.token));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      if (d.outcome === 'release') release(m);
      else {
        m.refunded = d.outcome === 'full_refund' ? m.captured : m.refunded + amount!;
        if (m.refunded === m.captured) m.paymentStatus = 'refunded';
      }
    });
  }
  await step(`${tag}: release job after the window`, m, async () => {
    const n = await at(end + (WINDOW_HOURS + 1) * HOUR, releaseMine);
    const due = !m.released && m.captured > m.refunded;
    expect(n).toBe(due ? 1 : 0);
    if (due) release(m);
  });
}

let settlementDay = Date.UTC(2033, 5, 1);
async function settle(label: string) {
  const period = new Date(settlementDay).toISOString().slice(0, 10);
  settlementDay += DAY;
  await step(`${label} ${period}`, null, async () => {
    const r = await at(Date.parse(`${period}T06:30:00Z`), () => es.server.services.payouts.settle(period, { only: workshopIds() }));
    expect([r.failed, r.pending]).toEqual([[], []]);
    for (const s of Object.values(shops)) {
      const paid = r.paid.filter((p) => p.workshopId === s.w.workshop.id);
      const expected = s.payable >= 1000 ? [s.payable] : [];
      expect(paid.map((p) => p.amount), `payout of ${s.w.workshop.id}`).toEqual(expected);
      if (expected.length) {
        s.paidOut += s.payable;
        s.payable = 0;
      }
    }
  });
}

describe('money: model-based property over random booking paths', () => {
  it(`${BOOKINGS} random bookings through confirm, accept, decline, expire, cancel, no-show, complete, dispute, refund, release and payout keep the money consistent`, async () => {
    const [plans] = fc.sample(fc.array(planArb, { minLength: BOOKINGS, maxLength: BOOKINGS }), { seed: SEED, numRuns: 1 });
    console.info(`money-property: seed ${SEED} (set MONEY_PROPERTY_SEED to replay), ${plans!.length} bookings`);
    try {
      for (const [i, plan] of plans!.entries()) await runPlan(i, plan);
      // Eventually everything kept is released: nothing is left in escrow, and the job finds nothing more.
      await step('release job long after every booking ended', null, async () => {
        expect(await at(T0 + 90 * DAY, releaseMine)).toBe(0);
        expect(models.filter((m) => !m.released && m.captured > m.refunded).map((m) => m.id)).toEqual([]);
      });
      await settle('final settlement');
      for (const m of models) await checkBooking(m, 'final');
    } catch (err) {
      (err as Error).message = `${(err as Error).message}\nseed ${SEED}; steps:\n${log.join('\n')}`;
      throw err;
    }
    console.info(`money-property: ${log.length} steps`);
    // The property covered what it claims to.
    const paths = new Set(plans!.map((p) => p.path.kind));
    expect(paths.size, [...paths].join(',')).toBeGreaterThanOrEqual(6);
    const feeReleases = models.filter((m) => m.status !== 'completed' && m.released).length;
    const earlyRefunds = plans!.filter((p) => p.early && p.path.kind !== 'complete').length;
    console.info(`money-property: ${feeReleases} fee-charged bookings released, ${earlyRefunds} early captures then ended without completion`);
    expect(plans!.filter((p) => p.early).length, 'some bookings are captured early').toBeGreaterThan(0);
  }, 120_000);
});
