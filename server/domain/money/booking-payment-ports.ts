import type { PaymentMode } from '@shared/schemas/money-policy';
import type { PaymentProviderName } from '../payment-ports';

/*
 * A booking's payment: what the card processor holds for one booking (table `booking_payment`,
 * Migration20261201090000). One row per booking, written in the booking's own transaction at
 * confirm. Amounts are integer minor units; `currency` is the booking's (ISO 4217, upper case).
 * Other money work (refunds, disputes, payouts) reads it through `findBookingPayment` and changes
 * it only through this port.
 */

export type BookingPaymentStatus =
  /** Paid at the workshop: no card, nothing authorized, nothing the platform can capture. */
  | 'at_workshop'
  /** Money reserved on the card (until `authorizationExpiresAt`). */
  | 'authorized'
  /** Some or all of it taken (the price, the deposit, or a fee); the rest was released. */
  | 'captured'
  /** The authorization was released without taking anything. */
  | 'voided'
  /** The authorization lapsed at the processor before anything was captured. */
  | 'expired'
  /** Everything captured was given back. */
  | 'refunded';

/**
 * A provider call decided by a booking's state change and not yet done (retried by the payment sweep).
 * `refund`: a booking captured early (its authorization about to lapse) ended without completion;
 * everything above the fee it owes goes back to the customer.
 */
export type PendingPaymentAction = 'capture' | 'fee_capture' | 'void' | 'refund';

export interface PendingPayment {
  action: PendingPaymentAction;
  /** Minor units to capture (capture, fee_capture) or refund (refund); null for a void. */
  amount: number | null;
  /** The booking event that caused it (the ledger transaction names it). */
  eventId: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date | null;
}

export interface BookingPayment {
  bookingId: string;
  mode: PaymentMode;
  /** Null when paying at the workshop. */
  provider: PaymentProviderName | null;
  /** The provider's payment id (a PaymentIntent at Stripe); null when paying at the workshop. */
  paymentId: string | null;
  currency: string;
  price: number;
  authorized: number;
  /** Everything captured (the price or deposit, or a fee). */
  captured: number;
  /** The part of `captured` that is a late-cancellation or no-show fee. */
  fee: number;
  refunded: number;
  /** Terms fixed at confirm (a later policy change does not touch an existing booking). */
  commissionBps: number;
  lateCancelFee: number;
  noShowFee: number;
  /** Free cancellation until the start minus this many hours (follows the booking when it moves). */
  freeCancelHours: number;
  /** As computed at confirm, for the booking's start then. */
  freeCancelUntil: Date;
  status: BookingPaymentStatus;
  authorizationExpiresAt: Date | null;
  pending: PendingPayment | null;
  /** When the booking was completed (the domain clock's time). */
  completedAt: Date | null;
  /**
   * When the booking reached its final state (completed, cancelled, no-show, declined, expired; the
   * domain clock's time): the dispute window and the release of whatever it keeps run from here.
   */
  endedAt: Date | null;
  /**
   * The fee owed under the booking's terms when it ended other than by completion (0: a free
   * cancellation, a decline, an expiry); null while it is open and after a completion. Anything
   * captured above it goes back to the customer (`refund`).
   */
  feeOwed: number | null;
  /** When its escrow was released to the workshop's payable. */
  releasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The payment row written with a booking at confirm (booking_id is the new booking's). */
export type NewBookingPayment = Pick<BookingPayment,
  'mode' | 'provider' | 'paymentId' | 'currency' | 'price' | 'authorized' | 'commissionBps' | 'lateCancelFee' | 'noShowFee'
  | 'freeCancelHours' | 'freeCancelUntil' | 'authorizationExpiresAt'> & {
  /** The payment_attempt row this authorization was recorded under (deleted in the booking's transaction). */
  attemptKey: string | null;
};

/** An authorization about to be made before its booking exists (payment_attempt). */
export interface PaymentAttempt {
  idempotencyKey: string;
  holdId: string;
  customerId: string;
  provider: PaymentProviderName;
  paymentMethod: string;
  amount: number;
  currency: string;
  paymentId: string | null;
  createdAt: Date;
}

/** An ended booking (completed, or a fee kept) whose captured money still sits in escrow. */
export interface UnreleasedPayment {
  payment: BookingPayment;
  workshopId: string;
  /** When the booking ended: the dispute window runs from here. */
  endedAt: Date;
}

/** Port: booking payments (server/db/booking-payment.repository.ts). */
export interface BookingPaymentStore {
  /** The booking's payment, or null (bookings made before payments were wired, or move requests not yet accepted). */
  findBookingPayment(bookingId: string): Promise<BookingPayment | null>;
  /**
   * Records a provider call to make for the booking (unless one is already pending); returns false
   * when the payment is not `authorized` (nothing to capture or void).
   */
  schedule(bookingId: string, action: PendingPaymentAction, amount: number | null, eventId: string | null, at: Date): Promise<boolean>;
  /**
   * The pending `action` succeeded: the new amounts and status, the pending call cleared (one
   * statement; nothing when that call is no longer the pending one, e.g. a second process settled it).
   */
  settle(bookingId: string, action: PendingPaymentAction, s: { status: BookingPaymentStatus; captured?: number; fee?: number }): Promise<void>;
  /**
   * The pending `refund` succeeded: adds it to the refunded total (status `refunded` once everything
   * captured is back) and clears the call, once (a second settle of the same refund changes nothing).
   */
  settleRefund(bookingId: string, amount: number): Promise<void>;
  /** The pending `action` failed and will be retried at `retryAt` (null: never; the error stays for an admin). */
  failed(bookingId: string, action: PendingPaymentAction, error: string, retryAt: Date | null): Promise<void>;
  /**
   * An ended booking holding more than the fee it owes (captured early, then cancelled, declined,
   * expired or a no-show, possibly while that capture was still being made) with no call pending:
   * records the `refund` of the rest (and the fee as the row's fee). False when nothing is owed back.
   */
  scheduleOwedRefund(bookingId: string, at: Date): Promise<boolean>;
  /** Bookings for which `scheduleOwedRefund` would record a refund (a process stopped between the capture and it). */
  owedRefunds(limit: number): Promise<string[]>;
  /** Open bookings (pending, accepted, in progress) whose authorization lapses before `before`, with no call pending. */
  lapsingAuthorizations(before: Date, limit: number): Promise<string[]>;
  /** Bookings whose pending call is due. */
  duePending(now: Date, limit: number): Promise<string[]>;
  /**
   * Ended bookings with captured money not yet released, ended at or before `endedBefore`, with no
   * call pending and nothing owed back (a completion, or a fee kept): what escrow holds is theirs to release.
   */
  unreleased(endedBefore: Date, limit: number): Promise<UnreleasedPayment[]>;
  markReleased(bookingId: string, at: Date): Promise<void>;
  /** Adds a refund to the booking's totals (status `refunded` once all of the capture is back). */
  recordRefund(bookingId: string, amount: number): Promise<void>;
  /** Before authorizing at confirm; returns the stored attempt when the key was recorded before. */
  recordAttempt(a: Omit<PaymentAttempt, 'paymentId'>): Promise<PaymentAttempt>;
  attemptAuthorized(idempotencyKey: string, paymentId: string): Promise<void>;
  dropAttempt(idempotencyKey: string): Promise<void>;
  /** Deletes the attempt if no booking took it; false when it was gone (waits for a booking transaction deleting it right now). */
  takeAttempt(idempotencyKey: string): Promise<boolean>;
  /** Puts an attempt back (its void failed: the sweep retries it). */
  restoreAttempt(a: PaymentAttempt): Promise<void>;
  /** Attempts recorded before `before` that no booking took (their authorizations are orphans). */
  staleAttempts(before: Date, limit: number): Promise<PaymentAttempt[]>;
}
