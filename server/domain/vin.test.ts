import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkDigitRequired, expectedCheckDigit, normalizeVin, vinProblem } from './vin';

const CHARS = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';

describe('VIN check digit (ISO 3779 / 49 CFR 565)', () => {
  it('computes the published examples', () => {
    expect(expectedCheckDigit('1HGCM82633A004352')).toBe('3');
    expect(expectedCheckDigit('11111111111111111')).toBe('1');
    // A remainder of 10 is written X.
    expect(expectedCheckDigit('1M8GDM9AXKP042788')).toBe('X');
  });

  it('accepts a North American VIN whose check digit holds, refuses one whose does not', () => {
    expect(vinProblem('1HGCM82633A004352')).toBeNull();
    expect(vinProblem('1HGCM82643A004352')).toMatchObject({ reason: 'check_digit', expected: '3', actual: '4' });
    expect(vinProblem('1M8GDM9AXKP042788')).toBeNull();
  });

  it('checks the digit only where the region requires one (North America 1-5, China L)', () => {
    for (const vin of ['1HGCM82643A004352', '5YJ3E1EA0KF317000', 'LFV3A23C4E3000001']) expect(checkDigitRequired(vin), vin).toBe(true);
    for (const vin of ['WVWZZZ1JZXW000001', 'VF1RFB00X56789012', 'SAJAA01P2KA000001', 'JHMCM56557C404453']) {
      expect(checkDigitRequired(vin), vin).toBe(false);
      expect(vinProblem(vin), vin).toBeNull();
    }
  });

  it('refuses a wrong length and I, O, Q or other characters, naming the positions', () => {
    expect(vinProblem('1HGCM8263')).toMatchObject({ reason: 'length' });
    expect(vinProblem('1HGCM82633A0043521')).toMatchObject({ reason: 'length' });
    expect(vinProblem('1HGCM82633A00435O')).toMatchObject({ reason: 'characters', positions: [17] });
    expect(vinProblem('IHGCM82633A0Q4352')).toMatchObject({ reason: 'characters', positions: [1, 13] });
    expect(vinProblem('1HGCM82633A0043-2')).toMatchObject({ reason: 'characters', positions: [16] });
  });

  it('normalizes spaces and case', () => {
    expect(normalizeVin(' 1hgcm 8263 3a004352 ')).toBe('1HGCM82633A004352');
  });

  it('a single-character change of a valid North American VIN (after its region letter) is caught unless it keeps the weighted sum', () => {
    const vin = fc.array(fc.constantFrom(...CHARS), { minLength: 16, maxLength: 16 }).map((cs) => {
      const body = '1' + cs.slice(1).join('');
      const withDigit = body.slice(0, 8) + '0' + body.slice(8, 16);
      return withDigit.slice(0, 8) + expectedCheckDigit(withDigit) + withDigit.slice(9);
    });
    fc.assert(
      fc.property(vin, fc.integer({ min: 1, max: 16 }), fc.constantFrom(...CHARS), (v, i, ch) => {
        expect(vinProblem(v)).toBeNull();
        if (i === 8 || v[i] === ch) return;
        const changed = v.slice(0, i) + ch + v.slice(i + 1);
        // The transliterated values differ, or they are equal (A and J are both 1), then it cannot be caught.
        const same = expectedCheckDigit(changed) === v[8];
        if (!same) expect(vinProblem(changed)).toMatchObject({ reason: 'check_digit' });
      }),
      { numRuns: 300 },
    );
  });
});
