import type { ProviderEventType } from '@shared/schemas/payment-webhooks';

export type { ProviderEventType };

/*
 * The payment provider port: what the domain asks of a card processor, in our own words. The
 * adapters (server/payments/: `simulated` on Postgres, `stripe` over the official SDK) implement it;
 * nothing here knows either of them. Amounts are integer minor units (pence, cents) of an ISO 4217
 * currency written in lower case (as Stripe writes it), never floats.
 */

/** Which adapter answers (PAYMENT_PROVIDER). */
export type PaymentProviderName = 'simulated' | 'stripe';

/** Every call that moves or reserves money carries one: the same key never acts twice (see payment-keys.ts). */
interface Idempotent {
  idempotencyKey: string;
}

/** Every result says whether the provider answered from an earlier call with the same key. */
interface Replayable {
  /** True when this answer is the stored one of an earlier call with the same key (nothing happened again). */
  replayed: boolean;
}

export interface AuthorizeInput extends Idempotent {
  /** Minor units, > 0. */
  amount: number;
  currency: string;
  /** Our customer's id (the provider keeps it as metadata). */
  customerId: string;
  /** A provider payment-method token (`pm_…`); the simulated processor also takes a test card number. */
  paymentMethod: string;
  description?: string;
  metadata?: Record<string, string>;
}

/** Money reserved on the customer's card (manual capture): captured later, voided, or it expires. */
export interface Authorization extends Replayable {
  /** The provider's id of the payment (a PaymentIntent at Stripe). */
  paymentId: string;
  amount: number;
  currency: string;
  status: 'authorized';
  /** Epoch ms after which it can no longer be captured. */
  expiresAt: number;
}

export interface CaptureInput extends Idempotent {
  paymentId: string;
  /** Minor units, at most the authorized amount; the whole authorization when absent. The rest is released. */
  amount?: number;
}

export interface Capture extends Replayable {
  paymentId: string;
  amountCaptured: number;
  currency: string;
  status: 'captured';
}

export interface VoidInput extends Idempotent {
  paymentId: string;
}

export interface Void extends Replayable {
  paymentId: string;
  status: 'voided';
}

export interface RefundInput extends Idempotent {
  paymentId: string;
  /** Minor units, at most what is captured and not yet refunded; all of that when absent. */
  amount?: number;
}

export interface Refund extends Replayable {
  refundId: string;
  paymentId: string;
  amount: number;
  currency: string;
  status: 'succeeded' | 'pending';
}

export interface ConnectedAccountInput extends Idempotent {
  workshopId: string;
  /** ISO 3166-1 alpha-2 country of the business, e.g. `GB`. */
  country: string;
  email?: string;
}

/** Where a workshop's account stands at the provider (Stripe Connect's three flags). */
export interface AccountStatus {
  accountId: string;
  /** The owner finished the provider's onboarding form. */
  detailsSubmitted: boolean;
  chargesEnabled: boolean;
  /** Transfers (our payouts) can reach it: the only flag payouts need. */
  payoutsEnabled: boolean;
}

/** A workshop's account at the provider, where payouts go, as it stands once opened. */
export interface ConnectedAccount extends Replayable, AccountStatus {}

export interface AccountLinkInput {
  accountId: string;
  /** Where the provider sends the owner back once onboarding is done (or left). */
  returnUrl: string;
  /** Where the provider sends the owner when the link expired or was used: a new link is made there. */
  refreshUrl: string;
}

/** A single-use address of the provider's hosted onboarding for one account. */
export interface AccountLink {
  url: string;
  /** Epoch ms it stops working. */
  expiresAt: number;
}

/** A payment as the provider's own records have it (reconciliation compares these with ours). */
export interface PaymentRecord {
  paymentId: string;
  currency: string;
  /** Minor units captured (0 while only authorized). */
  captured: number;
  /** Minor units refunded of the capture. */
  refunded: number;
}

export interface TransferInput extends Idempotent {
  accountId: string;
  amount: number;
  currency: string;
  /** Groups the transfer with the payments it settles (e.g. the payout's id). */
  transferGroup?: string;
  metadata?: Record<string, string>;
}

export interface Transfer extends Replayable {
  transferId: string;
  accountId: string;
  amount: number;
  currency: string;
}

/** An incoming provider event whose signature was verified. */
export interface ProviderEvent {
  /** The provider's event id: unique, what replays are recognised by. */
  id: string;
  type: ProviderEventType;
  /** The provider's own name for it (e.g. `payment_intent.succeeded`). */
  providerType: string;
  /** Epoch ms the provider created it (deliveries may arrive out of order). */
  createdAt: number;
  /** The id of the object it is about (payment, refund, account, transfer), if any. */
  objectId: string | null;
  /** The event as the provider sent it (parsed JSON), kept for later handling. */
  payload: unknown;
  /** `account.updated`: the account's status as of this event. */
  account?: AccountStatus;
}

/**
 * A card processor. Every method either answers or throws a `PaymentError`
 * (payment-errors.ts); a retryable one may be retried with the same idempotency key.
 */
export interface PaymentProvider {
  readonly name: PaymentProviderName;
  /**
   * How a workshop's payout account becomes usable: `instant` (the simulated processor: enabled the
   * moment it is opened, so payouts open it themselves) or `hosted` (Stripe Connect: its owner fills
   * in the provider's onboarding from the desk, and payouts wait for `payoutsEnabled`).
   */
  readonly onboarding: 'instant' | 'hosted';
  /**
   * Reserves the amount on the card. When the card's bank asks the customer to authenticate (3-D
   * Secure) it throws `requires_action` with the payment's id and the client secret the browser
   * completes it with; the same call (same key) once that is done answers the authorization, the
   * same payment (nothing authorized twice).
   */
  authorize(input: AuthorizeInput): Promise<Authorization>;
  capture(input: CaptureInput): Promise<Capture>;
  void(input: VoidInput): Promise<Void>;
  refund(input: RefundInput): Promise<Refund>;
  createConnectedAccount(input: ConnectedAccountInput): Promise<ConnectedAccount>;
  /** The hosted onboarding address for an account (`instant` providers answer the return address). */
  accountLink(input: AccountLinkInput): Promise<AccountLink>;
  /** The account's status now (`not_found` when the provider has no such account). */
  retrieveAccount(accountId: string): Promise<AccountStatus>;
  /** The provider's records of these payments (null: it knows none by that id). */
  paymentRecords(paymentIds: string[]): Promise<Map<string, PaymentRecord | null>>;
  /**
   * The simulated processor only: the customer completed (or failed) the test authentication of a
   * payment that answered `requires_action` (the client secret names it; it must be this customer's).
   */
  completeTestAuthentication?(input: { clientSecret: string; customerId: string; approve: boolean }): Promise<void>;
  transfer(input: TransferInput): Promise<Transfer>;
  /** Verifies an incoming webhook (the raw body exactly as received, and its signature header) and types it. */
  parseWebhook(rawBody: string, signature: string | undefined): Promise<ProviderEvent>;
}
