import type { ReconciliationReport } from '@shared/schemas/reconciliation';
import type { Clock } from '../clock';
import { PaymentError } from '../payment-errors';

/*
 * Reconciliation: for each booking with money, three records of the same amounts should agree —
 * the ledger (what we booked), the booking's payment row (what we believe the provider holds) and
 * the provider itself (what it really did). A difference means a step was lost half-way (a refund
 * the provider made whose ledger posting never happened, a capture recorded twice, a hand-edited
 * row…). The job only reports: correcting money is an admin's decision (docs/money.md).
 */

/** One booking's amounts as our own tables have them (minor units). */
export interface OwnRecord {
  bookingId: string;
  /** The provider's payment id (null: the ledger has money for a booking without a payment row). */
  paymentId: string | null;
  /** Which provider made the payment (null: no payment row, or no payment at a provider). */
  provider: string | null;
  currency: string;
  ledger: { captured: number; refunded: number };
  /** booking_payment's totals; null when the booking has no payment row. */
  payment: { captured: number; refunded: number } | null;
}

/** Port: our side, read in one pass (ledger positions joined with booking payments). */
export interface ReconciliationSource {
  /** Bookings with money in the ledger or a payment row with money, most recently changed first. */
  ownRecords(limit: number): Promise<OwnRecord[]>;
}

/**
 * Port: the provider's side (the payment provider's `paymentRecords`: the simulated processor's
 * table, or Stripe's PaymentIntents and their charges' refunds). `null` for a payment the provider
 * does not know (a missing intent). Only payments this provider made are asked about: those of
 * another (PAYMENT_PROVIDER changed) are compared between our two records only. When the provider
 * cannot answer now, the run compares our two records and says so (`providerChecked: false`).
 */
export interface ProviderRecords {
  /** The provider's name as booking payments record it. */
  name: string;
  records(paymentIds: string[]): Promise<Map<string, { captured: number; refunded: number } | null>>;
}

const FIELDS = ['captured', 'refunded'] as const;

export function createReconciliation(deps: {
  source: ReconciliationSource;
  provider: ProviderRecords | null;
  clock: Clock;
  /** Most bookings one run compares (the most recently changed first). */
  limit?: number;
  /** Told every report (the runtime sets the differences gauge and logs them). */
  onReport?: (r: ReconciliationReport) => void;
}) {
  const limit = deps.limit ?? 5000;
  return {
    /** Compares every booking's records and lists where they disagree. */
    async run(): Promise<ReconciliationReport> {
      const own = await deps.source.ownRecords(limit);
      const mine = (r: OwnRecord) => !!r.paymentId && r.provider === deps.provider?.name;
      const ids = own.flatMap((r) => (mine(r) ? [r.paymentId!] : []));
      let provider: Map<string, { captured: number; refunded: number } | null> | null = null;
      let providerChecked = deps.provider !== null;
      try {
        provider = deps.provider && ids.length ? await deps.provider.records(ids) : null;
      } catch (err) {
        // The provider is down or refused us: report our side now, the next run tries again.
        if (!(err instanceof PaymentError)) throw err;
        providerChecked = false;
      }
      const differences: ReconciliationReport['differences'] = [];
      for (const r of own) {
        const atProvider = provider && mine(r) ? (provider.get(r.paymentId!) ?? null) : undefined;
        for (const field of FIELDS) {
          const ledger = r.ledger[field];
          const payment = r.payment ? r.payment[field] : null;
          const prov = atProvider === undefined ? undefined : atProvider ? atProvider[field] : null;
          const values = [ledger, payment, ...(prov === undefined ? [] : [prov])];
          if (values.every((v) => v === ledger)) continue;
          differences.push({ bookingId: r.bookingId, paymentId: r.paymentId, currency: r.currency, field, ledger, payment, provider: prov ?? null });
        }
      }
      const report = { checkedAt: new Date(deps.clock.now()).toISOString(), checked: own.length, providerChecked, differences };
      deps.onReport?.(report);
      return report;
    },
  };
}

export type Reconciliation = ReturnType<typeof createReconciliation>;
