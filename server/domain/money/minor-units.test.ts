import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertMinor, mulDivHalfEven, percentFloor, percentHalfEven } from './minor-units';

describe('money arithmetic in minor units', () => {
  it('percentFloor rounds down: a fee never exceeds its percentage', () => {
    expect(percentFloor(999, 1000)).toBe(99); // 99.9
    expect(percentFloor(4999, 2500)).toBe(1249); // 1249.75
    expect(percentFloor(1, 9999)).toBe(0);
    expect(percentFloor(12345, 10_000)).toBe(12345);
    expect(percentFloor(12345, 0)).toBe(0);
  });

  it('percentHalfEven sends exact halves to the even neighbour and rounds the rest to nearest', () => {
    expect(percentHalfEven(25, 1000)).toBe(2); // 2.5 → 2
    expect(percentHalfEven(35, 1000)).toBe(4); // 3.5 → 4
    expect(percentHalfEven(45, 1000)).toBe(4); // 4.5 → 4
    expect(percentHalfEven(26, 1000)).toBe(3); // 2.6 → 3
    expect(percentHalfEven(24, 1000)).toBe(2); // 2.4 → 2
    expect(percentHalfEven(4999, 1500)).toBe(750); // 749.85
  });

  it('is exact for amounts whose product with a rate is beyond 2^53', () => {
    const big = Number.MAX_SAFE_INTEGER; // 9007199254740991
    expect(percentFloor(big, 3333)).toBe(Number((BigInt(big) * 3333n) / 10_000n));
    expect(percentHalfEven(big, 5000)).toBe(4503599627370496); // 4503599627370495.5 → even
  });

  it('refuses floats, negatives and rates outside 0–10 000 bp', () => {
    expect(() => assertMinor(10.5)).toThrow(RangeError);
    expect(() => assertMinor(-1)).toThrow(RangeError);
    expect(assertMinor(-1, 'entry', false)).toBe(-1);
    expect(() => percentFloor(100, 10_001)).toThrow(RangeError);
    expect(() => percentHalfEven(100, 1.5)).toThrow(RangeError);
    expect(() => mulDivHalfEven(1, 1, 0)).toThrow(RangeError);
  });

  it('property: floor ≤ exact < floor + 1, half-even within half a unit, and a split never loses a unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const exact = (BigInt(amount) * BigInt(bps)) * 2n; // twice the exact value × 10 000
        const floor = BigInt(percentFloor(amount, bps));
        expect(floor * 20_000n <= exact && exact < (floor + 1n) * 20_000n).toBe(true);
        const even = BigInt(percentHalfEven(amount, bps));
        const diff = even * 20_000n - exact; // in units of 1/20 000
        expect(diff >= -10_000n && diff <= 10_000n).toBe(true);
        if (diff === 10_000n || diff === -10_000n) expect(even % 2n).toBe(0n);
        const part = percentHalfEven(amount, bps);
        expect(part + (amount - part)).toBe(amount);
        expect(part).toBeLessThanOrEqual(amount);
      }),
    );
  });
});
