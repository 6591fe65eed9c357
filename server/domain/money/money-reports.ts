import type { Finance, PayoutView, ReportRangeQuery, VendorMoney } from '@shared/schemas/payouts';
import type { Principal } from '../actor';
import type { Clock } from '../clock';
import type { TxnKind } from './ledger-ports';
import { BPS_WHOLE, mulDivHalfEven } from './minor-units';
import type { MoneyReportStore, PayoutRecord, PayoutStore } from './payout-ports';
import { ownerOrAdmin, type WorkshopAccess } from './workshop-access';
import { MAX_PAYOUT_MINOR, nextSettlementAt, utcDay, type PayoutConfig } from './payouts';

/*
 * What the money looks like from outside the ledger: a workshop's balance, next payout, totals and
 * statement (its owner and admins), and the platform's finance figures (admins). Reads only.
 */

const DAY_MS = 86_400_000;
const RECENT_PAYOUTS = 20;
/** A range with no `from` starts this many days before `to`. */
export const DEFAULT_REPORT_DAYS = 30;

/** One statement line: a transaction that moved the workshop's payable, with the balance after it. */
export interface StatementLine {
  at: Date;
  currency: string;
  bookingId: string | null;
  service: string | null;
  kind: TxnKind | 'opening_balance';
  gross: number;
  commission: number;
  net: number;
  balance: number;
}

export interface Statement {
  from: string;
  to: string;
  lines: StatementLine[];
}

export const payoutView = (p: PayoutRecord): PayoutView => ({
  id: p.id,
  currency: p.currency,
  amount: p.amount,
  status: p.status,
  period: p.period,
  transferId: p.providerTransferId,
  failureReason: p.failureReason,
  createdAt: p.createdAt.toISOString(),
  settledAt: p.settledAt?.toISOString() ?? null,
});

/** commission ÷ gmv in basis points, half to even (either may be negative after refunds). */
function takeRate(commission: number, gmv: number): number | null {
  if (gmv <= 0) return null;
  const bps = mulDivHalfEven(Math.abs(commission), BPS_WHOLE, gmv);
  return commission < 0 ? -bps : bps;
}

export function createMoneyReports(deps: {
  reports: MoneyReportStore;
  payouts: PayoutStore;
  clock: Clock;
  config: PayoutConfig;
} & WorkshopAccess) {
  const { reports, config } = deps;

  const readable = (actor: Principal, workshopId: string) => ownerOrAdmin(deps, actor, workshopId, 'its money');

  /** `from`/`to` as days (UTC, both included): `to` defaults to today, `from` to DEFAULT_REPORT_DAYS before it. */
  function rangeOf(q: ReportRangeQuery): { from: string; to: string; fromMs: number; toMs: number } {
    const to = q.to ?? utcDay(deps.clock.now());
    const from = q.from ?? utcDay(Date.parse(to) - (DEFAULT_REPORT_DAYS - 1) * DAY_MS);
    return { from, to, fromMs: Date.parse(from), toMs: Date.parse(to) + DAY_MS };
  }

  /** Every line of the workshop's payable with its running balance per currency, oldest first. */
  async function allLines(workshopId: string): Promise<StatementLine[]> {
    const balances = new Map<string, number>();
    return (await reports.vendorLines(workshopId)).map((l) => {
      const balance = (balances.get(l.currency) ?? 0) + l.net;
      balances.set(l.currency, balance);
      return { at: l.at, currency: l.currency, bookingId: l.bookingId, service: l.service, kind: l.kind, gross: l.net + l.commission, commission: l.commission, net: l.net, balance };
    });
  }

  return {
    /** The Money tab: balance, next payout and totals per currency, and the latest payouts. */
    async vendorMoney(actor: Principal, workshopId: string): Promise<VendorMoney> {
      await readable(actor, workshopId);
      const [lines, payouts] = await Promise.all([allLines(workshopId), deps.payouts.list(workshopId, RECENT_PAYOUTS)]);
      const byCurrency = new Map<string, VendorMoney['currencies'][number]>();
      const nextAt = new Date(nextSettlementAt(deps.clock.now(), config.hourUtc)).toISOString();
      for (const l of lines) {
        const c = byCurrency.get(l.currency) ?? { currency: l.currency, balance: 0, nextPayout: { at: nextAt, estimate: 0 }, totals: { gross: 0, commission: 0, refunded: 0, net: 0, paidOut: 0 } };
        byCurrency.set(l.currency, c);
        c.balance = l.balance;
        if (l.kind === 'release') {
          c.totals.gross += l.gross;
          c.totals.commission += l.commission;
          c.totals.net += l.net;
        } else if (l.kind === 'refund') {
          c.totals.refunded -= l.gross;
          c.totals.commission += l.commission;
          c.totals.net += l.net;
        } else if (l.kind === 'payout' || l.kind === 'payout_reversal') {
          c.totals.paidOut -= l.net;
        }
      }
      for (const c of byCurrency.values()) c.nextPayout.estimate = c.balance >= config.minimumMinor ? Math.min(c.balance, MAX_PAYOUT_MINOR) : 0;
      return {
        workshopId,
        minimumPayout: config.minimumMinor,
        payoutHourUtc: config.hourUtc,
        currencies: [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
        payouts: payouts.map(payoutView),
      };
    },

    /**
     * The statement for days `from`..`to` (UTC): an opening balance per currency that moved before
     * `from`, then every line in the range with the running balance.
     */
    async statement(actor: Principal, workshopId: string, q: ReportRangeQuery): Promise<Statement> {
      await readable(actor, workshopId);
      const range = rangeOf(q);
      const lines = await allLines(workshopId);
      const opening = new Map<string, number>();
      for (const l of lines) if (l.at.getTime() < range.fromMs) opening.set(l.currency, l.balance);
      const openingLines: StatementLine[] = [...opening].sort(([a], [b]) => a.localeCompare(b)).map(([currency, balance]) => ({
        at: new Date(range.fromMs), currency, bookingId: null, service: null, kind: 'opening_balance', gross: 0, commission: 0, net: 0, balance,
      }));
      const inRange = lines.filter((l) => l.at.getTime() >= range.fromMs && l.at.getTime() < range.toMs);
      return { from: range.from, to: range.to, lines: [...openingLines, ...inRange] };
    },

    /** The platform's figures per currency for days `from`..`to` (UTC), admins only (the route checks the role). */
    async finance(q: ReportRangeQuery): Promise<Finance> {
      const range = rangeOf(q);
      const [figures, due, tallies] = await Promise.all([
        reports.figures(new Date(range.fromMs), new Date(range.toMs)),
        reports.due(config.minimumMinor),
        reports.payoutTallies(range.from, range.to),
      ]);
      const currencies = new Set([...figures.map((f) => f.currency), ...due.map((d) => d.currency), ...tallies.map((t) => t.currency)]);
      const tally = (currency: string, status: string) => {
        const t = tallies.find((x) => x.currency === currency && x.status === status);
        return { count: t?.count ?? 0, amount: t?.amount ?? 0 };
      };
      return {
        from: range.from,
        to: range.to,
        currencies: [...currencies].sort().map((currency) => {
          const f = figures.find((x) => x.currency === currency) ?? { gmv: 0, commission: 0, processorFees: 0, refunds: 0, escrowBalance: 0 };
          const d = due.find((x) => x.currency === currency);
          return {
            currency,
            gmv: f.gmv,
            commission: f.commission,
            takeRateBps: takeRate(f.commission, f.gmv),
            processorFees: f.processorFees,
            refunds: f.refunds,
            escrowBalance: f.escrowBalance,
            payouts: { due: { count: d?.count ?? 0, amount: d?.amount ?? 0 }, pending: tally(currency, 'pending'), paid: tally(currency, 'paid'), failed: tally(currency, 'failed') },
          };
        }),
      };
    },
  };
}

export type MoneyReports = ReturnType<typeof createMoneyReports>;
