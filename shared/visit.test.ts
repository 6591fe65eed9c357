import { describe, expect, it } from 'vitest';
import { createHoldSchema } from './schemas/booking';
import { serviceOptionsSchema } from './service-options';
import { MAX_VISIT_SERVICES, slotsNeeded, visitName, visitTotal, type VisitServiceFacts } from './visit';

const none = serviceOptionsSchema.parse({});
const tiers = serviceOptionsSchema.parse({
  skillTiers: [
    { id: 'standard', label: 'Standard', multiplier: 1 },
    { id: 'senior', label: 'Senior', multiplier: 1.15 },
  ],
});
const svc = (id: string, durationMinutes: number, basePriceCents: number, over: Partial<VisitServiceFacts> = {}): VisitServiceFacts => ({
  id, name: `S-${id}`, durationMinutes, basePriceCents, currency: 'GBP', options: none, ...over,
});

describe('visitTotal: the summing rules of a visit', () => {
  it('one service is its own duration and price', () => {
    expect(visitTotal([svc('a', 30, 4999)])).toEqual({
      ok: true, durationMinutes: 30, priceCents: 4999, currency: 'GBP',
      items: [{ serviceId: 'a', name: 'S-a', durationMinutes: 30, priceCents: 4999, options: {} }],
    });
  });

  it('adds durations and prices in the given order', () => {
    const t = visitTotal([svc('oil', 30, 4999), svc('mot', 60, 5485), svc('wipers', 15, 1000)]);
    expect(t.ok && [t.durationMinutes, t.priceCents, t.items.map((i) => i.serviceId)]).toEqual([105, 11484, ['oil', 'mot', 'wipers']]);
  });

  it('prices each service with its own choice, rounding each service once, then sums whole cents', () => {
    // 4999 × 1.15 = 5748.85 → 5749; 100 × 1.15 = 115; the sum of rounded prices, never a rounded sum.
    const t = visitTotal([svc('a', 30, 4999, { options: tiers }), svc('b', 30, 100, { options: tiers }), svc('c', 30, 50)], (id) => (id === 'c' ? {} : { skillTier: 'senior' }));
    expect(t.ok && t.items.map((i) => i.priceCents)).toEqual([5749, 115, 50]);
    expect(t.ok && t.priceCents).toBe(5914);
  });

  it.each([
    ['an empty visit', [], /at least one/],
    ['a service twice', [svc('a', 30, 1), svc('a', 30, 1)], /twice/],
    ['mixed currencies', [svc('a', 30, 1), svc('b', 30, 1, { currency: 'EUR' })], /EUR/],
  ])('refuses %s', (_name, services, reason) => {
    const t = visitTotal(services);
    expect(t.ok).toBe(false);
    expect(!t.ok && t.reason).toMatch(reason);
  });

  it('names the service whose option is unknown', () => {
    const t = visitTotal([svc('a', 30, 100), svc('b', 30, 100, { options: tiers })], (id) => (id === 'b' ? { skillTier: 'master' } : {}));
    expect(t).toEqual({ ok: false, reason: 'S-b: Unknown skill tier "master"', serviceId: 'b' });
  });

  it('refuses a sum beyond safe integers', () => {
    const t = visitTotal([svc('a', 30, Number.MAX_SAFE_INTEGER), svc('b', 30, 1)]);
    expect(t.ok).toBe(false);
  });
});

describe('slotsNeeded and visitName', () => {
  it.each([
    [30, 30, 1],
    [45, 30, 2],
    [90, 30, 3],
    [30 + 60, 30, 3],
    [1, 60, 1],
    [0, 30, 1],
  ])('%i minutes in %i-minute slots → %i', (minutes, slot, n) => expect(slotsNeeded(minutes, slot)).toBe(n));

  it('joins names with " + "', () => expect(visitName(['Oil change', 'MOT test'])).toBe('Oil change + MOT test'));
});

describe('createHoldSchema: one service or a visit', () => {
  const ids = Array.from({ length: MAX_VISIT_SERVICES + 1 }, () => crypto.randomUUID());
  const base = { workshopId: crypto.randomUUID(), slotId: crypto.randomUUID() };

  it.each([
    ['serviceId', { serviceId: ids[0] }],
    ['serviceId with options', { serviceId: ids[0], options: { skillTier: 'senior' } }],
    ['one serviceIds', { serviceIds: [ids[0]] }],
    ['five serviceIds with options for some', { serviceIds: ids.slice(0, 5), serviceOptions: { [ids[1]!]: { urgency: 'rush' } } }],
  ])('accepts %s', (_name, body) => expect(createHoldSchema.safeParse({ ...base, ...body }).success).toBe(true));

  it.each([
    ['both serviceId and serviceIds', { serviceId: ids[0], serviceIds: [ids[1]] }, 'serviceIds'],
    ['neither', {}, 'serviceId'],
    ['an empty list', { serviceIds: [] }, 'serviceIds'],
    ['six services', { serviceIds: ids }, 'serviceIds'],
    ['a duplicate', { serviceIds: [ids[0], ids[1], ids[0]] }, 'serviceIds.2'],
    ['a non-uuid', { serviceIds: ['oil-change'] }, 'serviceIds.0'],
    ['serviceOptions with serviceId', { serviceId: ids[0], serviceOptions: { [ids[0]!]: {} } }, 'serviceOptions'],
    ['options for a service not in the visit', { serviceIds: [ids[0]], serviceOptions: { [ids[1]!]: {} } }, `serviceOptions.${ids[1]}`],
    ['options with serviceIds', { serviceIds: [ids[0]], options: { skillTier: 'senior' } }, 'options'],
  ])('refuses %s (issue at %s)', (_name, body, path) => {
    const r = createHoldSchema.safeParse({ ...base, ...body });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
