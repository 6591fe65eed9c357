import { describe, expect, it } from 'vitest';
import {
  formatPrice,
  optionChoiceSchema,
  priceFor,
  serviceOptionsSchema,
  type ServiceOptions,
} from './service-options';

const options: ServiceOptions = serviceOptionsSchema.parse({
  skillTiers: [
    { id: 'standard', label: 'Standard', multiplier: 1 },
    { id: 'senior', label: 'Senior mechanic', multiplier: 1.15 },
    { id: 'apprentice', label: 'Apprentice', multiplier: 0.5 },
    { id: 'odd', label: 'Odd', multiplier: 1.005 },
  ],
  urgency: [
    { id: 'normal', label: 'Normal', multiplier: 1 },
    { id: 'rush', label: 'Rush', multiplier: 1.5 },
    { id: 'max', label: 'Emergency', multiplier: 5 },
  ],
});

const tier = (over: Record<string, unknown> = {}) => ({ id: 'senior', label: 'Senior', multiplier: 1.2, ...over });

describe('serviceOptionsSchema', () => {
  it('defaults both lists to empty', () => {
    expect(serviceOptionsSchema.parse({})).toEqual({ skillTiers: [], urgency: [] });
  });

  it('gives every parse its own default arrays', () => {
    const a = serviceOptionsSchema.parse({});
    a.skillTiers.push({ id: 'senior', label: 'Senior', multiplier: 1.2 });
    expect(serviceOptionsSchema.parse({}).skillTiers).toEqual([]);
  });

  it('accepts boundary multipliers and five items', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, label: id, multiplier: 1 + i }));
    const parsed = serviceOptionsSchema.safeParse({
      skillTiers: [tier({ multiplier: 0.5 }), tier({ id: 'top', multiplier: 5 })],
      urgency: five,
    });
    expect(parsed.success).toBe(true);
  });

  it.each([
    ['an unknown top-level key', { skillTiers: [], extra: true }],
    ['an unknown item key', { skillTiers: [tier({ colour: 'red' })] }],
    ['duplicate tier ids', { skillTiers: [tier(), tier({ label: 'Other' })] }],
    ['duplicate urgency ids', { urgency: [tier({ id: 'rush', multiplier: 2 }), tier({ id: 'rush', multiplier: 3 })] }],
    ['a tier multiplier below 0.5', { skillTiers: [tier({ multiplier: 0.49 })] }],
    ['a tier multiplier above 5', { skillTiers: [tier({ multiplier: 5.01 })] }],
    ['an urgency multiplier below 1 (urgency never discounts)', { urgency: [tier({ multiplier: 0.9 })] }],
    ['an urgency multiplier above 5', { urgency: [tier({ multiplier: 6 })] }],
    ['a non-finite multiplier', { skillTiers: [tier({ multiplier: Number.POSITIVE_INFINITY })] }],
    ['NaN multiplier', { skillTiers: [tier({ multiplier: Number.NaN })] }],
    ['a multiplier with more than 4 decimals', { skillTiers: [tier({ multiplier: 1.00001 })] }],
    ['six tiers', { skillTiers: ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => tier({ id })) }],
    ['an empty id', { skillTiers: [tier({ id: '' })] }],
    ['a 33-character id', { skillTiers: [tier({ id: 'a'.repeat(33) })] }],
    ['an id that is not a slug', { skillTiers: [tier({ id: 'Senior Mechanic' })] }],
    ['an empty label', { skillTiers: [tier({ label: '   ' })] }],
    ['a 61-character label', { skillTiers: [tier({ label: 'x'.repeat(61) })] }],
    ['a non-array list', { urgency: 'rush' }],
  ])('rejects %s', (_name, input) => {
    expect(serviceOptionsSchema.safeParse(input).success).toBe(false);
  });

  it('accepts a 32-character id and a 60-character label', () => {
    expect(serviceOptionsSchema.safeParse({ skillTiers: [tier({ id: 'a'.repeat(32), label: 'x'.repeat(60) })] }).success).toBe(true);
  });

  it('points the duplicate-id issue at the offending item', () => {
    const result = serviceOptionsSchema.safeParse({ skillTiers: [tier(), tier()] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toContainEqual(['skillTiers', 1, 'id']);
  });
});

describe('optionChoiceSchema', () => {
  it.each([{}, { skillTier: 'senior' }, { urgency: 'rush' }, { skillTier: 'senior', urgency: 'rush' }])(
    'accepts %j',
    (choice) => expect(optionChoiceSchema.safeParse(choice).success).toBe(true),
  );

  it.each([{ tier: 'senior' }, { skillTier: 3 }, { skillTier: '' }, { urgency: 'RUSH!' }])('rejects %j', (choice) =>
    expect(optionChoiceSchema.safeParse(choice).success).toBe(false),
  );
});

describe('priceFor', () => {
  it.each([
    // [base, choice, expected]
    [4999, {}, 4999], // no choice → base
    [4999, { skillTier: 'standard', urgency: 'normal' }, 4999],
    [4999, { skillTier: 'senior' }, 5749], // 5748.85
    [4999, { urgency: 'rush' }, 7499], // 7498.5 → half up
    [4999, { skillTier: 'senior', urgency: 'rush' }, 8623], // 8623.275, rounded once
    [100, { skillTier: 'odd' }, 101], // exactly 100.5; float says 100.49999999999999
    [1, { skillTier: 'apprentice' }, 1], // 0.5 → half up
    [3, { skillTier: 'apprentice' }, 2], // 1.5
    [0, { skillTier: 'senior', urgency: 'max' }, 0],
    [12345, { skillTier: 'senior', urgency: 'max' }, 70984], // 70983.75
  ] as const)('%i cents with %j → %i', (base, choice, expected) => {
    expect(priceFor(base, options, choice)).toEqual({ ok: true, priceCents: expected });
  });

  it('always returns whole cents', () => {
    for (const base of [1, 99, 4999, 123457])
      for (const skillTier of ['standard', 'senior', 'apprentice', 'odd'])
        for (const urgency of ['normal', 'rush', 'max']) {
          const result = priceFor(base, options, { skillTier, urgency });
          expect(result.ok && Number.isInteger(result.priceCents)).toBe(true);
        }
  });

  it.each([
    [{ skillTier: 'master' }, /skill tier "master"/],
    [{ urgency: 'yesterday' }, /urgency "yesterday"/],
    [{ skillTier: 'senior', urgency: 'yesterday' }, /urgency/],
  ])('rejects unknown ids %j', (choice, reason) => {
    const result = priceFor(4999, options, choice);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('rejects any chosen id when the service has no options', () => {
    const none = serviceOptionsSchema.parse({});
    expect(priceFor(4999, none, {})).toEqual({ ok: true, priceCents: 4999 });
    expect(priceFor(4999, none, { skillTier: 'standard' }).ok).toBe(false);
  });

  it.each([-1, 49.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('rejects base price %d', (base) => {
    expect(priceFor(base, options, {}).ok).toBe(false);
  });
});

describe('formatPrice', () => {
  it('formats minor units in the currency', () => {
    expect(formatPrice(8623, 'EUR', 'en-US')).toBe('€86.23');
    expect(formatPrice(4999, 'USD', 'en-US')).toBe('$49.99');
    expect(formatPrice(0, 'GBP', 'en-GB')).toBe('£0.00');
  });

  it('does not divide zero-decimal currencies by 100', () => {
    expect(formatPrice(1500, 'JPY', 'en-US')).toBe('¥1,500');
  });

  it('follows the locale', () => {
    // de-DE puts the symbol after a (narrow) no-break space.
    expect(formatPrice(8623, 'EUR', 'de-DE').replace(/\s/g, ' ')).toBe('86,23 €');
  });
});
