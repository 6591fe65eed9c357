import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock';
import { paymentError } from '../payment-errors';
import type { PaymentProvider } from '../payment-ports';
import type { PayoutRecord, PayoutStore } from './payout-ports';
import { createPayouts } from './payouts';

/*
 * The scheduler's tick, against an in-memory store: it settles the due day once per process (and
 * a day only from PAYOUT_HOUR_UTC), and on the other ticks only retries pending transfers.
 */

function memoryStore(balances: Map<string, number>) {
  const rows: PayoutRecord[] = [];
  const calls: string[] = [];
  const store: PayoutStore = {
    async due(period, minimum) {
      calls.push(`due ${period}`);
      return [...balances].filter(([w, b]) => b >= minimum && !rows.some((r) => r.workshopId === w && r.period === period)).map(([workshopId, balance]) => ({ workshopId, currency: 'GBP', balance }));
    },
    async open(i) {
      const balance = balances.get(i.workshopId) ?? 0;
      if (balance < i.minimum || rows.some((r) => r.workshopId === i.workshopId && r.period === i.period)) return null;
      const p: PayoutRecord = { id: `p${rows.length + 1}`, workshopId: i.workshopId, currency: i.currency, amount: balance, status: 'pending', period: i.period, provider: i.provider, providerAccountId: null, providerTransferId: null, failureReason: null, createdAt: i.at, settledAt: null };
      rows.push(p);
      balances.set(i.workshopId, 0);
      return p;
    },
    async pending(provider, before) {
      calls.push('pending');
      return rows.filter((r) => r.status === 'pending' && r.provider === provider && r.createdAt < before);
    },
    async markPaid(id, d) {
      const r = rows.find((x) => x.id === id)!;
      Object.assign(r, { status: 'paid', providerTransferId: d.transferId, settledAt: d.at });
      return true;
    },
    async markFailed(id, d) {
      const r = rows.find((x) => x.id === id)!;
      Object.assign(r, { status: 'failed', failureReason: d.reason, settledAt: d.at });
      balances.set(r.workshopId, (balances.get(r.workshopId) ?? 0) + r.amount);
      return true;
    },
    account: async () => null,
    saveAccount: async () => { throw new Error('not used'); },
    saveAccountStatus: async () => null,
    list: async () => rows,
  };
  return { store, rows, calls };
}

function provider(answers: Array<'ok' | 'down'>): PaymentProvider {
  let n = 0;
  return {
    name: 'simulated',
    async transfer(i) {
      if ((answers[n++] ?? 'ok') === 'down') throw paymentError('provider_unavailable', 'try later');
      return { transferId: `tr_${n}`, accountId: i.accountId, amount: i.amount, currency: i.currency, replayed: false };
    },
  } as PaymentProvider;
}

describe('payout tick', () => {
  it('settles the due day once per process, from the payout hour, and retries a pending transfer on later ticks', async () => {
    const clock = manualClock(Date.parse('2031-05-02T05:00:00Z'));
    const balances = new Map([['w1', 5000]]);
    const { store, rows, calls } = memoryStore(balances);
    const payouts = createPayouts({ store, provider: provider(['down', 'ok']), clock, config: { minimumMinor: 1000, hourUtc: 6, accountCountry: 'GB' }, accounts: { payable: async () => ({ accountId: 'acct_1' }) } });

    // 05:00 on 2 May: the 1 May settlement is due (this process has not run it).
    const first = await payouts.tick();
    expect(first?.period).toBe('2031-05-01');
    expect(first?.pending.map((p) => p.id)).toEqual(['p1']);

    // Still 1 May's turn: no new opening, only the pending retry, which now succeeds.
    calls.length = 0;
    clock.set(Date.parse('2031-05-02T05:30:00Z'));
    const retry = await payouts.tick();
    expect(calls).toEqual(['pending']);
    expect(retry?.paid.map((p) => [p.id, p.status])).toEqual([['p1', 'paid']]);
    expect(await payouts.tick()).toBeNull();

    // 06:00: 2 May is due; what the workshop earned since is paid under the new period, once.
    balances.set('w1', 2000);
    clock.set(Date.parse('2031-05-02T06:00:00Z'));
    const next = await payouts.tick();
    expect(next?.paid.map((p) => [p.id, p.period, p.amount])).toEqual([['p2', '2031-05-02', 2000]]);
    balances.set('w1', 3000);
    clock.set(Date.parse('2031-05-02T23:00:00Z'));
    expect(await payouts.tick()).toBeNull();
    expect(rows).toHaveLength(2);
  });
});
