/*
 * Test cards: the numbers Stripe documents for test mode, and Stripe's test PaymentMethod tokens
 * for the same cards. The simulated processor answers each as Stripe's test mode does, so a flow
 * tried in development behaves the same against Stripe in test mode (docs/payments.md lists them).
 * In shared/ so the client's card form (simulated mode) and the in-memory fake can name them too.
 */

/** What charging a test card does. */
export type TestCardOutcome =
  | { kind: 'success' }
  | { kind: 'declined'; declineCode: string }
  | { kind: 'insufficient_funds' }
  /** Stripe's `processing_error`: the processor failed; trying again later may succeed. */
  | { kind: 'processor_outage' }
  /** The bank asks for 3-D Secure: the payment waits for the customer to authenticate, then succeeds (or fails if they do not). */
  | { kind: 'requires_action' };

export interface TestCard {
  number: string;
  /** Stripe's test PaymentMethod for the same card. */
  token: string;
  brand: string;
  outcome: TestCardOutcome;
}

export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', token: 'pm_card_visa', brand: 'visa', outcome: { kind: 'success' } },
  { number: '5555555555554444', token: 'pm_card_mastercard', brand: 'mastercard', outcome: { kind: 'success' } },
  { number: '4000000000000002', token: 'pm_card_chargeDeclined', brand: 'visa', outcome: { kind: 'declined', declineCode: 'generic_decline' } },
  { number: '4000000000009995', token: 'pm_card_chargeDeclinedInsufficientFunds', brand: 'visa', outcome: { kind: 'insufficient_funds' } },
  { number: '4000000000000069', token: 'pm_card_chargeDeclinedExpiredCard', brand: 'visa', outcome: { kind: 'declined', declineCode: 'expired_card' } },
  { number: '4000000000000119', token: 'pm_card_chargeDeclinedProcessingError', brand: 'visa', outcome: { kind: 'processor_outage' } },
  { number: '4000002760003184', token: 'pm_card_authenticationRequired', brand: 'visa', outcome: { kind: 'requires_action' } },
];

/** The test card a payment method names (a number, spaces or dashes allowed, or a token), or null. */
export function testCard(paymentMethod: string): TestCard | null {
  const digits = paymentMethod.replace(/[\s-]/g, '');
  return TEST_CARDS.find((c) => c.number === digits || c.token === paymentMethod) ?? null;
}
