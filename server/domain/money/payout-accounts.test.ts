import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock';
import { paymentError } from '../payment-errors';
import type { PaymentProvider } from '../payment-ports';
import { fakePaymentProvider } from '../testing/fake-payments';
import { createPayoutAccounts } from './payout-accounts';
import type { AccountFlags, PayoutAccountRecord, PayoutStore } from './payout-ports';

/*
 * Where a workshop's payouts can go, against an in-memory account store: an `instant` provider's
 * account is opened when missing; a `hosted` one is never opened by payouts, is read once when its
 * status was never learnt, and is skipped with a reason until its payouts are enabled; a provider
 * that cannot answer makes the workshop wait (`account_unavailable`), never fails the run.
 */

function memoryAccounts() {
  const rows = new Map<string, PayoutAccountRecord>();
  const store = {
    account: async (w: string) => rows.get(w) ?? null,
    async saveAccount(workshopId: string, provider: string, accountId: string, flags: AccountFlags, at: Date) {
      if (!rows.has(workshopId)) rows.set(workshopId, { workshopId, provider, accountId, ...flags, statusAt: at, createdAt: at });
      return rows.get(workshopId)!;
    },
    async saveAccountStatus(_provider: string, accountId: string, flags: AccountFlags, at: Date) {
      const r = [...rows.values()].find((x) => x.accountId === accountId);
      if (r && (!r.statusAt || r.statusAt <= at)) Object.assign(r, { detailsSubmitted: flags.detailsSubmitted, chargesEnabled: flags.chargesEnabled, payoutsEnabled: flags.payoutsEnabled, statusAt: at });
      return r ?? null;
    },
  } as unknown as PayoutStore;
  return { store, rows };
}

const config = { accountCountry: 'GB', returnUrl: 'https://holdfast.example/#/vendor/money' };
const access = { owned: async () => { throw new Error('unused'); }, findWorkshop: async () => null };

describe('payout accounts: payable', () => {
  it('instant (simulated): opens an enabled account when missing, once; an opening the provider cannot make now is account_unavailable', async () => {
    const clock = manualClock(Date.parse('2031-05-01T06:00:00Z'));
    const provider = fakePaymentProvider(clock);
    const { store, rows } = memoryAccounts();
    const accounts = createPayoutAccounts({ store, provider, access, clock, config });
    provider.failNext('createConnectedAccount', 'provider_unavailable');
    expect(await accounts.payable('w1')).toEqual({ skip: 'account_unavailable' });
    const first = await accounts.payable('w1');
    expect(first).toEqual({ accountId: rows.get('w1')!.accountId });
    expect(await accounts.payable('w1')).toEqual(first);
    expect(provider.calls.filter((c) => c.method === 'createConnectedAccount').map((c) => c.idempotencyKey)).toEqual(['workshop:w1:payout-account:v1', 'workshop:w1:payout-account:v1']);
  });

  it('hosted (Stripe): never opens one; reads a never-learnt status once; skips until payouts are enabled', async () => {
    const clock = manualClock(Date.parse('2031-05-01T06:00:00Z'));
    let answer: 'down' | 'pending' | 'enabled' = 'down';
    let reads = 0;
    const provider = {
      ...fakePaymentProvider(clock),
      onboarding: 'hosted',
      async retrieveAccount(accountId: string) {
        reads++;
        if (answer === 'down') throw paymentError('provider_unavailable', 'down');
        return { accountId, detailsSubmitted: true, chargesEnabled: answer === 'enabled', payoutsEnabled: answer === 'enabled' };
      },
    } as PaymentProvider;
    const { store, rows } = memoryAccounts();
    const accounts = createPayoutAccounts({ store, provider, access, clock, config });
    expect(await accounts.payable('w1')).toEqual({ skip: 'no_account' });
    expect(rows.size).toBe(0);

    // An account opened before onboarding existed: its status was never learnt.
    rows.set('w1', { workshopId: 'w1', provider: 'stripe', accountId: 'acct_old', detailsSubmitted: false, chargesEnabled: false, payoutsEnabled: false, statusAt: null, createdAt: new Date(0) });
    expect(await accounts.payable('w1')).toEqual({ skip: 'account_unavailable' });
    answer = 'pending';
    expect(await accounts.payable('w1')).toEqual({ skip: 'payouts_not_enabled' });
    expect(reads).toBe(2);
    // Learnt now: not read again by payouts (the webhook and the owner's views keep it fresh).
    answer = 'enabled';
    expect(await accounts.payable('w1')).toEqual({ skip: 'payouts_not_enabled' });
    expect(reads).toBe(2);
    await accounts.accountUpdated({ accountId: 'acct_old', detailsSubmitted: true, chargesEnabled: true, payoutsEnabled: true }, clock.now() + 1000);
    expect(await accounts.payable('w1')).toEqual({ accountId: 'acct_old' });
    // An older event delivered late does not undo it.
    await accounts.accountUpdated({ accountId: 'acct_old', detailsSubmitted: true, chargesEnabled: false, payoutsEnabled: false }, clock.now() - 1000);
    expect(await accounts.payable('w1')).toEqual({ accountId: 'acct_old' });
  });
});
