import type { PayoutStatus } from '@shared/schemas/payouts';
import type { Posting, TxnKind } from './ledger-ports';

/** A payout as stored. */
export interface PayoutRecord {
  id: string;
  workshopId: string;
  currency: string;
  amount: number;
  status: PayoutStatus;
  /** The settlement day, `YYYY-MM-DD` (UTC). */
  period: string;
  provider: string;
  providerAccountId: string | null;
  providerTransferId: string | null;
  failureReason: string | null;
  createdAt: Date;
  settledAt: Date | null;
}

/** A workshop's account at the provider and its onboarding status as last learnt. */
export interface PayoutAccountRecord {
  workshopId: string;
  provider: string;
  accountId: string;
  detailsSubmitted: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  /** When the status was learnt (an event's time or a read); null: never (an account opened before onboarding existed). */
  statusAt: Date | null;
  createdAt: Date;
}

/** The status flags as the provider reports them. */
export interface AccountFlags {
  detailsSubmitted: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
}

/** A workshop's payable balance in one currency. */
export interface PayableBalance {
  workshopId: string;
  currency: string;
  balance: number;
}

/** Port: payout records, the workshops' provider accounts, and the payable balances they settle. */
export interface PayoutStore {
  /** Payable balances ≥ `minimum` with no payout for `period` yet (only these workshops when `only` is given). */
  due(period: string, minimum: number, only?: readonly string[]): Promise<PayableBalance[]>;
  /**
   * In one store transaction: reads the workshop's payable balance; when it is ≥ `minimum`, inserts
   * the pending payout of `period` for all of it (nothing when the period has one: exactly once per
   * workshop, currency and day whatever else runs) and posts `posting(payout)`. Null when nothing was
   * opened. A balance above `maximum` is paid `maximum` now and the rest on later days.
   */
  open(input: { workshopId: string; currency: string; period: string; minimum: number; maximum: number; provider: string; at: Date }, posting: (p: PayoutRecord) => Posting): Promise<PayoutRecord | null>;
  /**
   * Pending payouts opened with `provider` before `before`, oldest first. Only the provider that
   * opened a transfer may finish it: after a switch of provider, another one "paying" it would mark
   * money as sent that never left.
   */
  pending(provider: string, before: Date, only?: readonly string[]): Promise<PayoutRecord[]>;
  /** pending → paid; false when it was not pending. */
  markPaid(id: string, done: { accountId: string; transferId: string; at: Date }): Promise<boolean>;
  /** In one store transaction: pending → failed and the reversal posted; false (nothing posted) when it was not pending. */
  markFailed(id: string, done: { accountId: string | null; reason: string; at: Date }, reversal: Posting): Promise<boolean>;
  /** The workshop's account at the provider and its status, if it has one. */
  account(workshopId: string, provider: string): Promise<PayoutAccountRecord | null>;
  /** Keeps the first account saved for the workshop and provider (with its status as of `at`); returns the one kept. */
  saveAccount(workshopId: string, provider: string, accountId: string, flags: AccountFlags, at: Date): Promise<PayoutAccountRecord>;
  /**
   * The account's status as of `at`, unless a newer one is stored (events may arrive out of order);
   * the record as it stands after, null when no workshop has this account.
   */
  saveAccountStatus(provider: string, accountId: string, flags: AccountFlags, at: Date): Promise<PayoutAccountRecord | null>;
  /** The workshop's payouts, newest first. */
  list(workshopId: string, limit: number): Promise<PayoutRecord[]>;
}

/** One ledger transaction that moved a workshop's payable. */
export interface VendorLine {
  txnId: string;
  at: Date;
  kind: TxnKind;
  currency: string;
  bookingId: string | null;
  /** The booked service's name, when the line is about a booking. */
  service: string | null;
  /** What the transaction moved in or out of the payable. */
  net: number;
  /** Platform revenue of the same transaction: commission at release, the commission returned by a refund after it. */
  commission: number;
}

/** Per currency, over a range of transactions' times. */
export interface LedgerFigures {
  currency: string;
  gmv: number;
  commission: number;
  processorFees: number;
  refunds: number;
  /** Escrow's balance at the end of the range. */
  escrowBalance: number;
}

export interface PayoutTally {
  currency: string;
  status: PayoutStatus;
  count: number;
  amount: number;
}

/** Port: reads for statements and the finance figures. */
export interface MoneyReportStore {
  /** Every transaction that moved the workshop's payable, oldest first. */
  vendorLines(workshopId: string): Promise<VendorLine[]>;
  /** Ledger sums per currency for transactions in [from, to); escrow is its balance at `to`. */
  figures(from: Date, to: Date): Promise<LedgerFigures[]>;
  /** Payable balances ≥ minimum, per currency (count of workshops and the sum). */
  due(minimum: number): Promise<Array<{ currency: string; count: number; amount: number }>>;
  /** Payouts per currency and status: pending ones whatever their day, the others with a settlement day in [fromDay, toDay]. */
  payoutTallies(fromDay: string, toDay: string): Promise<PayoutTally[]>;
}
