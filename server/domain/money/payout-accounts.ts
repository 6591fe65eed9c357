import type { PayoutAccountView } from '@shared/schemas/payout-accounts';
import type { Principal } from '../actor';
import type { Clock } from '../clock';
import { PaymentError } from '../payment-errors';
import { providerIdempotencyKey } from '../payment-keys';
import type { AccountStatus, PaymentProvider } from '../payment-ports';
import type { PayoutAccountRecord, PayoutStore } from './payout-ports';
import { ownerOrAdmin, type WorkshopAccess } from './workshop-access';

/*
 * Workshops' payout accounts (docs/payments.md, Connect onboarding). In stripe mode (`hosted`
 * onboarding) the workshop's owner opens a Stripe Connect account from the desk's Money tab and is
 * sent to Stripe's hosted onboarding (an account link); Stripe sends them back to the desk, and
 * the account's status (details submitted, charges and payouts enabled) is kept from the
 * `account.updated` webhook and from reads while it is not enabled yet. Payouts skip a workshop
 * with no payouts-enabled account (they never open a Stripe account themselves). The simulated
 * processor (`instant`) enables an account the moment it exists, so payouts open it when needed.
 */

export interface PayoutAccountsConfig {
  /** PAYOUT_ACCOUNT_COUNTRY. */
  accountCountry: string;
  /** Where the provider sends the owner back (return and refresh): the desk's Money tab. */
  returnUrl: string;
}

/** Why a workshop cannot be paid now (`account_unavailable`: the provider could not be asked; the next run tries again). */
export type NotPayable = 'no_account' | 'payouts_not_enabled' | 'account_unavailable';

export const payoutAccountKey = (workshopId: string) => providerIdempotencyKey('workshop', workshopId, 'payout-account');

const stateOf = (r: PayoutAccountRecord | null): PayoutAccountView['state'] =>
  !r ? 'none' : r.payoutsEnabled ? 'enabled' : r.detailsSubmitted ? 'pending' : 'incomplete';

export function createPayoutAccounts(deps: {
  store: PayoutStore;
  provider: PaymentProvider;
  access: WorkshopAccess;
  clock: Clock;
  config: PayoutAccountsConfig;
  /** The workshop's contact email for its provider account, if any. */
  emailOf?: (workshopId: string) => Promise<string | null>;
}) {
  const { store, provider, clock, config } = deps;
  const now = () => new Date(clock.now());

  const view = (workshopId: string, r: PayoutAccountRecord | null): PayoutAccountView => ({
    workshopId,
    provider: provider.name,
    state: stateOf(r),
    accountId: r?.accountId ?? null,
    detailsSubmitted: r?.detailsSubmitted ?? false,
    chargesEnabled: r?.chargesEnabled ?? false,
    payoutsEnabled: r?.payoutsEnabled ?? false,
    statusAt: r?.statusAt?.toISOString() ?? null,
  });

  /** Opens the workshop's account at the provider (same key every time: one account per workshop). */
  async function open(workshopId: string): Promise<PayoutAccountRecord> {
    const email = (await deps.emailOf?.(workshopId)) ?? undefined;
    const made = await provider.createConnectedAccount({ idempotencyKey: payoutAccountKey(workshopId), workshopId, country: config.accountCountry, ...(email ? { email } : {}) });
    return store.saveAccount(workshopId, provider.name, made.accountId, made, now());
  }

  /** Reads the account's status from the provider and stores it; the stored record when the provider cannot answer (or no longer knows it). */
  async function refresh(r: PayoutAccountRecord): Promise<PayoutAccountRecord> {
    let status: AccountStatus;
    try {
      status = await provider.retrieveAccount(r.accountId);
    } catch (err) {
      if (err instanceof PaymentError) return r;
      throw err;
    }
    return (await store.saveAccountStatus(provider.name, r.accountId, status, now())) ?? r;
  }

  return {
    /** The workshop's account as its owner (or an admin) sees it; a not-yet-enabled one is re-read from the provider first. */
    async view(actor: Principal, workshopId: string): Promise<PayoutAccountView> {
      await ownerOrAdmin(deps.access, actor, workshopId, "the workshop's payout account");
      let r = await store.account(workshopId, provider.name);
      if (r && !r.payoutsEnabled) r = await refresh(r);
      return view(workshopId, r);
    },

    /** "Set up payouts": opens the account if needed and answers where to send the owner (the provider's onboarding). */
    async link(actor: Principal, workshopId: string): Promise<{ url: string; expiresAt: string; account: PayoutAccountView }> {
      await ownerOrAdmin(deps.access, actor, workshopId, "the workshop's payout account");
      const r = (await store.account(workshopId, provider.name)) ?? (await open(workshopId));
      const link = await provider.accountLink({ accountId: r.accountId, returnUrl: config.returnUrl, refreshUrl: config.returnUrl });
      return { url: link.url, expiresAt: new Date(link.expiresAt).toISOString(), account: view(workshopId, r) };
    },

    /** An `account.updated` event (verified): stores the status unless a newer one is known. Null: not one of our workshops' accounts. */
    accountUpdated(status: AccountStatus, at: number): Promise<PayoutAccountRecord | null> {
      return store.saveAccountStatus(provider.name, status.accountId, status, new Date(at));
    },

    /**
     * Where the workshop's payouts go now, or why they cannot. An `instant` provider's account is
     * opened here when missing; a `hosted` one must have been set up by the owner, and its status
     * is read from the provider when it was never learnt.
     */
    async payable(workshopId: string): Promise<{ accountId: string } | { skip: NotPayable }> {
      let r = await store.account(workshopId, provider.name);
      if (!r) {
        if (provider.onboarding !== 'instant') return { skip: 'no_account' };
        try {
          r = await open(workshopId);
        } catch (err) {
          if (err instanceof PaymentError) return { skip: 'account_unavailable' };
          throw err;
        }
      }
      if (!r.statusAt) {
        r = await refresh(r);
        if (!r.statusAt) return { skip: 'account_unavailable' };
      }
      return r.payoutsEnabled ? { accountId: r.accountId } : { skip: 'payouts_not_enabled' };
    },
  };
}

export type PayoutAccounts = ReturnType<typeof createPayoutAccounts>;
