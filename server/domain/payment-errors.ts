import type { ErrorCode } from '@shared/errors';
import { DomainError } from './errors';

/** Why a provider call failed, in our words whichever adapter answered. */
export const PAYMENT_FAILURES = [
  /** The card was refused (`declineCode` says why, e.g. `generic_decline`, `expired_card`). */
  'declined',
  'insufficient_funds',
  /** The provider throttled us: retry later with the same idempotency key. */
  'rate_limited',
  /** The provider or the card network is down or failed mid-way: retry later with the same key. */
  'provider_unavailable',
  /** The idempotency key was used before for a different request. */
  'idempotency_conflict',
  /** The authorization lapsed before it was captured (or voided). */
  'authorization_expired',
  /** The payment is not in a state that allows this (capture after a void, refund beyond the capture, …). */
  'invalid_state',
  /** No such payment or account at the provider. */
  'not_found',
  /** A webhook whose signature or timestamp does not verify. */
  'invalid_signature',
  /** The card's bank asks the customer to authenticate (3-D Secure): `paymentId` and `clientSecret` say which payment. */
  'requires_action',
] as const;
export type PaymentFailure = (typeof PAYMENT_FAILURES)[number];

/** The error code (shared/errors.ts) each failure reaches a client with; the HTTP layer maps codes to statuses. */
const CODE_OF: Record<PaymentFailure, ErrorCode> = {
  declined: 'PAYMENT_DECLINED',
  insufficient_funds: 'PAYMENT_INSUFFICIENT_FUNDS',
  rate_limited: 'PAYMENT_PROVIDER_UNAVAILABLE',
  provider_unavailable: 'PAYMENT_PROVIDER_UNAVAILABLE',
  idempotency_conflict: 'IDEMPOTENCY_KEY_REUSED',
  authorization_expired: 'PAYMENT_AUTHORIZATION_EXPIRED',
  invalid_state: 'PAYMENT_STATE_CONFLICT',
  not_found: 'NOT_FOUND',
  invalid_signature: 'WEBHOOK_SIGNATURE_INVALID',
  requires_action: 'PAYMENT_REQUIRES_ACTION',
};

const RETRYABLE = new Set<PaymentFailure>(['rate_limited', 'provider_unavailable']);

/** The plain-data form of a PaymentError (what the simulated processor stores to replay it). */
export interface PaymentErrorData {
  failure: PaymentFailure;
  message: string;
  declineCode?: string;
  retryAfterSec?: number;
  /** requires_action: the payment waiting for the customer, and the secret the browser completes it with. */
  paymentId?: string;
  clientSecret?: string;
}

/**
 * A provider call that failed. Its `code` is a shared error code, so an uncaught one reaches the
 * client as a clear 4xx or 503 (with `Retry-After` when retryable) through the usual error mapping.
 */
export class PaymentError extends DomainError {
  readonly failure: PaymentFailure;
  readonly declineCode?: string;
  /** The same call (same idempotency key) may succeed later. */
  readonly retryable: boolean;
  readonly retryAfterSec?: number;
  readonly paymentId?: string;
  readonly clientSecret?: string;

  constructor(data: PaymentErrorData) {
    const retryable = RETRYABLE.has(data.failure);
    const retryAfterSec = retryable ? (data.retryAfterSec ?? 1) : undefined;
    const details = {
      failure: data.failure, ...(data.declineCode ? { declineCode: data.declineCode } : {}), ...(retryAfterSec ? { retryAfterSec } : {}),
      ...(data.clientSecret ? { paymentId: data.paymentId, clientSecret: data.clientSecret } : {}),
    };
    super(CODE_OF[data.failure], data.message, details);
    this.name = 'PaymentError';
    this.failure = data.failure;
    this.declineCode = data.declineCode;
    this.retryable = retryable;
    this.retryAfterSec = retryAfterSec;
    this.paymentId = data.paymentId;
    this.clientSecret = data.clientSecret;
  }

  toData(): PaymentErrorData {
    return {
      failure: this.failure, message: this.message, ...(this.declineCode ? { declineCode: this.declineCode } : {}), ...(this.retryAfterSec ? { retryAfterSec: this.retryAfterSec } : {}),
      ...(this.paymentId ? { paymentId: this.paymentId } : {}), ...(this.clientSecret ? { clientSecret: this.clientSecret } : {}),
    };
  }
}

export const paymentError = (failure: PaymentFailure, message: string, extra: Omit<PaymentErrorData, 'failure' | 'message'> = {}) =>
  new PaymentError({ failure, message, ...extra });
