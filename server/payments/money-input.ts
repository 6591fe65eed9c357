/** The largest amount one provider call may carry (Stripe's limit: eight digits of minor units). */
export const MAX_AMOUNT = 99_999_999;

/**
 * Amounts come from our own pricing, never from a client: a bad one is a bug, so it is a plain
 * Error (500, logged), not a payment failure.
 */
export function checkMoney(amount: number, currency: string): void {
  if (!Number.isInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) throw new Error(`amount must be an integer of minor units in 1..${MAX_AMOUNT}, got ${amount}`);
  if (!/^[a-z]{3}$/.test(currency)) throw new Error(`currency must be a lower-case ISO 4217 code, got "${currency}"`);
}
