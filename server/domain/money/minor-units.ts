/*
 * Money arithmetic on integer minor units (pence, cents). Amounts are JavaScript numbers that
 * must be safe integers; products are taken in BigInt so `amount × rate` is exact however large.
 * Rates are basis points (1 bp = 0.01 %, 10 000 bp = 100 %).
 *
 * Rounding, and why there are two rules:
 * - `percentFloor` (round down) for what a customer is charged by percentage (deposit,
 *   cancellation and no-show fees): a "20 % fee" never takes a fraction of a penny more than 20 %.
 * - `percentHalfEven` (round half to even, "banker's rounding") for splitting money that is
 *   already ours between the platform and a vendor (commission): ties go to the even result, so
 *   over many bookings neither side gains the half-pennies. The other share is always the
 *   remainder (`amount − part`), so a split never creates or loses a minor unit.
 */

export const BPS_WHOLE = 10_000;

/** Throws unless `n` is a safe integer (≥ 0 when `nonNegative`): money is never a float. */
export function assertMinor(n: number, what = 'amount', nonNegative = true): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be an integer number of minor units, got ${n}`);
  if (nonNegative && n < 0) throw new RangeError(`${what} must not be negative, got ${n}`);
  return n;
}

function assertBps(bps: number) {
  if (!Number.isInteger(bps) || bps < 0 || bps > BPS_WHOLE) throw new RangeError(`rate must be 0–10000 basis points, got ${bps}`);
}

/** a × b ÷ c in integers, rounded half to even (c > 0, a, b ≥ 0). */
export function mulDivHalfEven(a: number, b: number, c: number): number {
  assertMinor(a, 'a');
  assertMinor(b, 'b');
  if (!Number.isSafeInteger(c) || c <= 0) throw new RangeError(`divisor must be a positive integer, got ${c}`);
  const n = BigInt(a) * BigInt(b);
  const d = BigInt(c);
  const q = n / d;
  const twice = (n % d) * 2n;
  const up = twice > d || (twice === d && q % 2n === 1n);
  return Number(up ? q + 1n : q);
}

/** `bps` of `amount`, rounded down (customer charges). */
export function percentFloor(amount: number, bps: number): number {
  assertMinor(amount);
  assertBps(bps);
  return Number((BigInt(amount) * BigInt(bps)) / BigInt(BPS_WHOLE));
}

/** `bps` of `amount`, rounded half to even (splits between platform and vendor). */
export function percentHalfEven(amount: number, bps: number): number {
  assertBps(bps);
  return mulDivHalfEven(amount, bps, BPS_WHOLE);
}
