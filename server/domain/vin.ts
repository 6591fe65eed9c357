/**
 * VIN structure and check digit (ISO 3779 / 49 CFR 565), pure.
 *
 * Policy: every VIN must be 17 characters of 0-9 and A-Z without I, O and Q. The check digit
 * (position 9) is enforced only where the VIN's region makes it mandatory: North America
 * (world manufacturer identifiers starting 1-5, 49 CFR 565.15) and China (L, GB 16735). Elsewhere,
 * European VINs in particular, ISO 3779 does not require one and position 9 is often a filler
 * (Z) or a manufacturer's own code, so a mismatch there is not an error.
 */

export type VinProblem =
  | { reason: 'length'; message: string }
  | { reason: 'characters'; message: string; positions: number[] }
  | { reason: 'check_digit'; message: string; expected: string; actual: string };

const ALLOWED = /^[0-9A-HJ-NPR-Z]$/;
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const LETTER_VALUES: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};

const valueOf = (ch: string) => (ch >= '0' && ch <= '9' ? Number(ch) : LETTER_VALUES[ch]!);

/** Spaces removed, upper-cased. */
export const normalizeVin = (raw: string) => raw.replace(/\s+/g, '').toUpperCase();

/** The check digit a 17-character VIN of allowed characters should carry at position 9 ('0'-'9' or 'X'). */
export function expectedCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += valueOf(vin[i]!) * WEIGHTS[i]!;
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/** Whether this VIN's region requires a valid check digit (North America 1-5, China L). */
export const checkDigitRequired = (vin: string) => /^[1-5L]/.test(vin);

/** The first problem with a normalized VIN, or null when it is well formed (and its check digit holds where required). */
export function vinProblem(vin: string): VinProblem | null {
  if (vin.length !== 17) return { reason: 'length', message: `A VIN has 17 characters; this one has ${vin.length}` };
  const bad = [...vin].flatMap((ch, i) => (ALLOWED.test(ch) ? [] : [i + 1]));
  if (bad.length > 0) {
    return { reason: 'characters', positions: bad, message: `A VIN uses digits and the letters A-Z except I, O and Q; position ${bad.join(', ')} is not one` };
  }
  if (checkDigitRequired(vin)) {
    const expected = expectedCheckDigit(vin);
    const actual = vin[8]!;
    if (actual !== expected) {
      return { reason: 'check_digit', expected, actual, message: `The check digit (9th character) should be ${expected}, not ${actual}: a character was probably mistyped` };
    }
  }
  return null;
}
