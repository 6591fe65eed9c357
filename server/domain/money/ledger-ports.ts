/*
 * The ledger as the domain sees it. Every account is read as a place where money sits: an entry's
 * amount is positive when money arrives there (a debit) and negative when it leaves (a credit), so
 * an account's balance is what sits there now, and every transaction sums to zero.
 * See docs/money.md for the accounts and each movement.
 */

/** Accounts that exist once per currency. */
export const PLATFORM_ACCOUNTS = ['platform_escrow', 'platform_revenue', 'processor_fees', 'refunds'] as const;
/** Accounts that exist per owner (a customer's or a workshop's id) and currency. */
export const OWNED_ACCOUNTS = ['customer_funds', 'vendor_payable', 'vendor_payouts'] as const;
export type PlatformAccountKind = (typeof PLATFORM_ACCOUNTS)[number];
export type OwnedAccountKind = (typeof OWNED_ACCOUNTS)[number];
export type AccountKind = PlatformAccountKind | OwnedAccountKind;

/** An account by name (the store creates it on first use). */
export type AccountRef = { kind: PlatformAccountKind; ownerId?: undefined } | { kind: OwnedAccountKind; ownerId: string };

export const TXN_KINDS = ['capture', 'fee_capture', 'release', 'refund', 'payout', 'payout_reversal'] as const;
export type TxnKind = (typeof TXN_KINDS)[number];

export interface PostingEntry {
  account: AccountRef;
  /** Minor units; + money arrives in the account (debit), − it leaves (credit); never 0. */
  amount: number;
}

/** One balanced transaction to record. */
export interface Posting {
  kind: TxnKind;
  /** ISO 4217; every account of the transaction is in this currency. */
  currency: string;
  /** Idempotency key: what made this movement (`booking:<id>:capture`); a second post of it records nothing. */
  cause: string;
  bookingId?: string | null;
  bookingEventId?: string | null;
  entries: PostingEntry[];
}

export interface PostedTxn {
  txnId: string;
  /** False: the cause was posted before (the same entries), nothing new was written. */
  created: boolean;
}

/** One entry of a booking's transactions, as the store reads it back. */
export interface BookingEntry {
  txnId: string;
  txnKind: TxnKind;
  cause: string;
  account: AccountRef;
  currency: string;
  amount: number;
}

/** Reads and writes inside one store transaction that holds the booking's ledger lock. */
export interface LedgerTx {
  /** Every entry of the booking's transactions so far. */
  bookingEntries(bookingId: string): Promise<BookingEntry[]>;
  post(posting: Posting): Promise<PostedTxn>;
}

/** Port: the double-entry journal. */
export interface LedgerPort {
  /** Records one posting in its own store transaction (the store refuses it unless balanced). */
  post(posting: Posting): Promise<PostedTxn>;
  /**
   * Runs `fn` in one store transaction holding a lock on the booking's ledger, so reading its
   * position and posting from it cannot race another movement of the same booking.
   */
  forBooking<T>(bookingId: string, fn: (tx: LedgerTx) => Promise<T>): Promise<T>;
  /** Balance of one account (0 when it has never been used). */
  balance(account: AccountRef, currency: string): Promise<number>;
  /** Sum of every entry, per currency: 0 for each while the ledger balances. */
  imbalance(): Promise<Array<{ currency: string; sum: number }>>;
}
