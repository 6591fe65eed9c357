import type { Clock } from '../clock';
import { PaymentError, paymentError } from '../payment-errors';
import { providerIdempotencyKey } from '../payment-keys';
import type { PaymentProvider } from '../payment-ports';
import type { NotPayable, PayoutAccounts } from './payout-accounts';
import type { PayoutRecord, PayoutStore } from './payout-ports';
import { payoutPosting, payoutReversalPosting } from './postings';

/*
 * Daily settlement (docs/money.md, Payouts). Once a day, from PAYOUT_HOUR_UTC on, every workshop
 * whose payable balance is at least PAYOUT_MINIMUM_MINOR gets one payout of all of it: the payout
 * row and its ledger movement (`payout:<id>`) are written in one store transaction, keyed by
 * (workshop, currency, day) so two processes settling at once open it once; then the provider
 * transfers the money to the workshop's account under a key derived from the payout id, so a retry
 * never pays twice. A refused transfer marks the payout failed and posts the reversal (the money is
 * the workshop's payable again, paid by the next day's settlement); a transfer that may or may not
 * have happened (the provider unreachable, a crash) leaves it pending, and every run retries
 * pending payouts with the same key until the provider gives a final answer. A workshop with no
 * payouts-enabled account (stripe mode: its owner has not finished Connect onboarding) is skipped
 * and reported: nothing is opened, its balance waits for a later day.
 */

export interface PayoutConfig {
  /** PAYOUT_MINIMUM_MINOR: smaller balances wait for a later day. */
  minimumMinor: number;
  /** PAYOUT_HOUR_UTC: the settlement of day D runs from this hour of D (UTC). */
  hourUtc: number;
  /** PAYOUT_ACCOUNT_COUNTRY: the country a workshop's provider account is opened in. */
  accountCountry: string;
}

/** The most one transfer may carry (the providers' limit); a larger balance is paid over several days. */
export const MAX_PAYOUT_MINOR = 99_999_999;

/**
 * A pending payout is retried only once it is this old, so a retry never races the first attempt
 * still in flight in another process (provider calls time out well before).
 */
export const PENDING_RETRY_AFTER_MS = 5 * 60_000;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** `YYYY-MM-DD` of an instant, in UTC. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The settlement day due at `now`: today once its hour has come, else yesterday. */
export function dueDay(now: number, hourUtc: number): string {
  const startOfToday = Math.floor(now / DAY_MS) * DAY_MS;
  return utcDay(now >= startOfToday + hourUtc * HOUR_MS ? now : now - DAY_MS);
}

/** When the next settlement after `now` runs (today's hour if still ahead, else tomorrow's). */
export function nextSettlementAt(now: number, hourUtc: number): number {
  const today = Math.floor(now / DAY_MS) * DAY_MS + hourUtc * HOUR_MS;
  return now < today ? today : today + DAY_MS;
}

export interface SettlementResult {
  period: string;
  paid: PayoutRecord[];
  failed: PayoutRecord[];
  /** Still waiting for a final answer from the provider (retried by the next run). */
  pending: PayoutRecord[];
  /** Balances not paid because the workshop has no account payouts can reach (nothing opened or posted). */
  skipped: Array<{ workshopId: string; currency: string; balance: number; reason: NotPayable }>;
}

const SKIP_REASON: Record<NotPayable, string> = {
  no_account: 'the workshop has no payout account: its owner sets one up from the Money tab',
  payouts_not_enabled: 'the payout account cannot receive payouts yet: its owner finishes the provider\'s onboarding from the Money tab',
  account_unavailable: 'the payment provider could not be asked about the payout account: tried again next run',
};

export function createPayouts(deps: {
  store: PayoutStore;
  provider: PaymentProvider;
  clock: Clock;
  config: PayoutConfig;
  /** Where each workshop's payouts go (payout-accounts.ts). */
  accounts: Pick<PayoutAccounts, 'payable'>;
}) {
  const { store, provider, clock, config } = deps;
  const now = () => new Date(clock.now());
  const retryBefore = () => new Date(clock.now() - PENDING_RETRY_AFTER_MS);
  /** The last day this process settled completely: later runs that day only retry pending payouts. */
  let settledDay: string | null = null;

  /** Sends one pending payout: its outcome, null when another process recorded it first; throws while it stays pending. */
  async function send(p: PayoutRecord): Promise<PayoutRecord | null> {
    let accountId: string | null = null;
    try {
      const target = await deps.accounts.payable(p.workshopId);
      if ('skip' in target) {
        // The provider could not be asked: stays pending, retried next run.
        if (target.skip === 'account_unavailable') throw paymentError('provider_unavailable', SKIP_REASON[target.skip]);
        // The account was disabled since the payout was opened: give the balance back (a later day pays it).
        throw paymentError('invalid_state', SKIP_REASON[target.skip]);
      }
      accountId = target.accountId;
      const t = await provider.transfer({
        idempotencyKey: providerIdempotencyKey('payout', p.id, 'transfer'),
        accountId,
        amount: p.amount,
        currency: p.currency.toLowerCase(),
        transferGroup: `payout:${p.id}`,
        metadata: { payout_id: p.id, workshop_id: p.workshopId, period: p.period },
      });
      const at = now();
      // False: another process recorded the outcome first (it sent the same key: the same transfer).
      if (!(await store.markPaid(p.id, { accountId, transferId: t.transferId, at }))) return null;
      return { ...p, status: 'paid', providerAccountId: accountId, providerTransferId: t.transferId, settledAt: at };
    } catch (err) {
      // Not a final answer (the provider unreachable, throttling, our own fault, or the key in use by
      // another attempt): the same key is tried again next run. Never reverse a payout unless the
      // provider said no to this transfer.
      if (!(err instanceof PaymentError) || err.retryable || err.failure === 'idempotency_conflict') throw err;
      const at = now();
      const reason = `${err.failure}: ${err.message}`.slice(0, 500);
      if (!(await store.markFailed(p.id, { accountId, reason, at }, payoutReversalPosting({ payoutId: p.id, workshopId: p.workshopId, currency: p.currency, amount: p.amount })))) return null;
      return { ...p, status: 'failed', providerAccountId: accountId, failureReason: reason, settledAt: at };
    }
  }

  async function sendAll(list: PayoutRecord[], result: SettlementResult, onError: (err: unknown, p: PayoutRecord) => void) {
    for (const p of list) {
      try {
        const done = await send(p);
        if (done) (done.status === 'paid' ? result.paid : result.failed).push(done);
      } catch (err) {
        onError(err, p);
        result.pending.push(p);
      }
    }
  }

  /**
   * Settles `period`: retries pending payouts, then opens and sends one payout per workshop and
   * currency whose balance is at least the minimum and that has none for the period. Safe to run
   * again and from several processes at once. `only` limits the run to some workshops.
   */
  async function settle(period: string, opts: { only?: readonly string[]; onError?: (err: unknown, p: PayoutRecord) => void } = {}): Promise<SettlementResult> {
    const onError = opts.onError ?? (() => undefined);
    const result: SettlementResult = { period, paid: [], failed: [], pending: [], skipped: [] };
    await sendAll(await store.pending(provider.name, retryBefore(), opts.only), result, onError);
    for (const due of await store.due(period, config.minimumMinor, opts.only)) {
      const target = await deps.accounts.payable(due.workshopId);
      if ('skip' in target) {
        result.skipped.push({ workshopId: due.workshopId, currency: due.currency, balance: due.balance, reason: target.skip });
        continue;
      }
      const opened = await store.open(
        { workshopId: due.workshopId, currency: due.currency, period, minimum: config.minimumMinor, maximum: MAX_PAYOUT_MINOR, provider: provider.name, at: now() },
        (p) => payoutPosting({ payoutId: p.id, workshopId: p.workshopId, currency: p.currency, amount: p.amount }),
      );
      if (opened) await sendAll([opened], result, onError);
    }
    return result;
  }

  return {
    settle,

    /**
     * The scheduler's tick (runtime.ts runs it every minute): settles the day due now once per
     * process, and retries pending payouts on the other ticks. Null when there was nothing to do.
     */
    async tick(onError?: (err: unknown, p: PayoutRecord) => void): Promise<SettlementResult | null> {
      const period = dueDay(clock.now(), config.hourUtc);
      if (period === settledDay) {
        const pending = await store.pending(provider.name, retryBefore());
        if (!pending.length) return null;
        const result: SettlementResult = { period, paid: [], failed: [], pending: [], skipped: [] };
        await sendAll(pending, result, onError ?? (() => undefined));
        return result;
      }
      const result = await settle(period, { onError });
      settledDay = period;
      return result;
    },

    /** When the next settlement runs, from now. */
    nextAt: () => nextSettlementAt(clock.now(), config.hourUtc),
    config,
  };
}

export type Payouts = ReturnType<typeof createPayouts>;
