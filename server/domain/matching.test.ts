import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_WEIGHTS, MATCH_FACTORS, type MatchWeights } from '@shared/schemas/match';
import { DomainError } from './errors';
import { compareScored, firstFreeRun, matchWindow, rankOptions, type RunSlot, type ScoreInput } from './matching';

const T0 = Date.UTC(2031, 4, 6, 8, 0); // a fixed instant: no test here reads the real clock
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Back-to-back 30-minute slots from `start`, with these free counts. */
const slots = (start: number, free: number[]): RunSlot[] => free.map((f, i) => ({ id: `s${i}`, startMs: start + i * 30 * MIN, endMs: start + (i + 1) * 30 * MIN, free: f }));
const anyDay = () => true;
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
  return 'no error';
};

describe('matchWindow', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it.each([
    ['ends before it starts', iso(T0 + DAY), iso(T0), 'MATCH_WINDOW_INVALID'],
    ['ends when it starts', iso(T0 + DAY), iso(T0 + DAY), 'MATCH_WINDOW_INVALID'],
    ['spans more than 28 days', iso(T0), iso(T0 + 28 * DAY + 1), 'MATCH_WINDOW_INVALID'],
    ['is over', iso(T0 - 2 * DAY), iso(T0 - DAY), 'MATCH_WINDOW_INVALID'],
    ['spans exactly 28 days', iso(T0), iso(T0 + 28 * DAY), 'no error'],
  ])('refuses a window that %s (or not)', (_what, from, to, expected) => {
    expect(code(() => matchWindow(from, to, T0))).toBe(expected);
  });

  it('starts a window that began in the past at now', () => {
    expect(matchWindow(iso(T0 - HOUR), iso(T0 + DAY), T0)).toEqual({ fromMs: T0, toMs: T0 + DAY });
  });
});

describe('firstFreeRun', () => {
  it.each([
    { free: [1, 1, 1], minutes: 30, want: ['s0'] },
    { free: [0, 1, 1], minutes: 30, want: ['s1'] },
    { free: [1, 0, 1, 1], minutes: 60, want: ['s2', 's3'] },
    { free: [1, 1, 0, 1, 1, 1], minutes: 90, want: ['s3', 's4', 's5'] },
    { free: [1, 1, 0, 1], minutes: 90, want: null },
    { free: [1, 1], minutes: 45, want: ['s0', 's1'] }, // 45 minutes need two 30-minute slots
    { free: [], minutes: 30, want: null },
  ])('$minutes min over free $free → $want', ({ free, minutes, want }) => {
    expect(firstFreeRun(slots(T0, free), minutes, anyDay)?.map((s) => s.id) ?? null).toEqual(want);
  });

  it('never runs across a gap between slots (a closed hour)', () => {
    const s = slots(T0, [1, 1, 1]);
    s[2] = { ...s[2]!, startMs: s[2]!.startMs + HOUR, endMs: s[2]!.endMs + HOUR };
    expect(firstFreeRun(s, 60, anyDay)?.map((x) => x.id)).toEqual(['s0', 's1']);
    expect(firstFreeRun([s[1]!, s[2]!], 60, anyDay)).toBeNull();
  });

  it('never runs across a local day', () => {
    const s = slots(T0, [1, 1, 1, 1]);
    const day = (x: RunSlot) => (x.startMs < T0 + 60 * MIN ? 'd1' : 'd2');
    expect(firstFreeRun(s, 60, (a, b) => day(a) === day(b))?.map((x) => x.id)).toEqual(['s0', 's1']);
    expect(firstFreeRun(s.slice(1), 60, (a, b) => day(a) === day(b))?.map((x) => x.id)).toEqual(['s2', 's3']);
  });

  it('property: the run is the earliest one that is free, consecutive and long enough', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 40 }), fc.integer({ min: 5, max: 150 }), (free, minutes) => {
        const s = slots(T0, free);
        const needed = Math.ceil(minutes / 30);
        const run = firstFreeRun(s, minutes, anyDay);
        // Brute force: the first index whose `needed` slots are all free.
        const expected = s.findIndex((_, i) => i + needed <= s.length && s.slice(i, i + needed).every((x) => x.free > 0));
        if (expected < 0) return run === null;
        return run !== null && run.length === needed && run[0]!.id === `s${expected}`;
      }),
    );
  });
});

const option = (over: Partial<ScoreInput> & { workshopId: string }): ScoreInput => ({
  serviceId: '00000000-0000-4000-8000-000000000000',
  distanceM: 1000,
  priceCents: 10_000,
  currency: 'GBP',
  ratingAvg: 4,
  ratingCount: 10,
  completionRate: 0.9,
  responseMinutes: 30,
  autoAccept: false,
  startMs: T0,
  ...over,
});
const ctx = { radiusM: 10_000, fromMs: T0, toMs: T0 + 7 * DAY };
const only = (f: (typeof MATCH_FACTORS)[number]): MatchWeights => ({ distance: 0, price: 0, rating: 0, completion: 0, response: 0, soonness: 0, [f]: 1 });

describe('rankOptions', () => {
  it('scores each factor 0–1 and explains it', () => {
    const [o] = rankOptions([option({ workshopId: 'a', distanceM: 2500, startMs: T0 + 7 * DAY / 2 })], DEFAULT_MATCH_WEIGHTS, ctx);
    const f = Object.fromEntries(o!.factors.map((x) => [x.factor, x]));
    expect(f.distance).toMatchObject({ value: 0.75, weight: 30, detail: '2.5 km away (radius 10 km)' });
    expect(f.price).toMatchObject({ value: 1, detail: '£100.00: the lowest price here' });
    expect(f.rating).toMatchObject({ value: 0.8, detail: '4.0 of 5 from 10 reviews' });
    expect(f.completion).toMatchObject({ value: 0.9, detail: 'Completed 90% of its finished bookings' });
    expect(f.response).toMatchObject({ value: 0.67, detail: 'Usually accepts within 30 min' });
    expect(f.soonness).toMatchObject({ value: 0.5, detail: 'Starts 3.5 days into your window' });
    // The score is the weighted mean; the points are each factor's share of it.
    const expected = (30 * 0.75 + 20 * 1 + 15 * 0.8 + 10 * 0.9 + 10 * (60 / 90) + 15 * 0.5) / 100 * 100;
    expect(o!.score).toBeCloseTo(expected, 2);
    expect(o!.factors.reduce((s, x) => s + x.points, 0)).toBeCloseTo(o!.score, 1);
  });

  it.each([
    ['distance', { distanceM: 9000 }, { distanceM: 1000 }],
    ['price', { priceCents: 20_000 }, { priceCents: 10_000 }],
    ['rating', { ratingAvg: 3 }, { ratingAvg: 5 }],
    ['completion', { completionRate: 0.5 }, { completionRate: 1 }],
    ['response', { responseMinutes: 600 }, { responseMinutes: 5 }],
    ['soonness', { startMs: T0 + 5 * DAY }, { startMs: T0 + HOUR }],
  ] as const)('with only %s weighted, the better option on it ranks first', (factor, worse, better) => {
    const ranked = rankOptions([option({ workshopId: 'worse', ...worse }), option({ workshopId: 'better', ...better })], only(factor), ctx);
    expect(ranked.map((r) => r.workshopId)).toEqual(['better', 'worse']);
  });

  it('counts missing history as neutral and auto-accept as instant', () => {
    const [o] = rankOptions([option({ workshopId: 'a', ratingCount: 0, completionRate: null, responseMinutes: null, autoAccept: true })], DEFAULT_MATCH_WEIGHTS, ctx);
    const f = Object.fromEntries(o!.factors.map((x) => [x.factor, x]));
    expect(f.rating!.value).toBe(0.5);
    expect(f.completion!.value).toBe(0.5);
    expect(f.response).toMatchObject({ value: 1, detail: 'Accepts requests at once (auto-accept)' });
  });

  it('breaks ties by start, distance, price, then ids', () => {
    const same = { distanceM: 1000, priceCents: 100, startMs: T0 };
    const ids = (list: ScoreInput[]) => rankOptions(list, only('rating'), ctx).map((r) => `${r.workshopId}/${r.serviceId}`);
    expect(ids([option({ workshopId: 'b', ...same }), option({ workshopId: 'a', ...same, startMs: T0 + HOUR })])).toEqual(['b/00000000-0000-4000-8000-000000000000', 'a/00000000-0000-4000-8000-000000000000']);
    expect(ids([option({ workshopId: 'b', ...same }), option({ workshopId: 'a', ...same, distanceM: 2000 })])[0]).toMatch(/^b\//);
    expect(ids([option({ workshopId: 'b', ...same }), option({ workshopId: 'a', ...same, priceCents: 200 })])[0]).toMatch(/^b\//);
    expect(ids([option({ workshopId: 'b', ...same }), option({ workshopId: 'a', ...same })])[0]).toMatch(/^a\//);
    expect(ids([option({ workshopId: 'a', ...same, serviceId: 'y' }), option({ workshopId: 'a', ...same, serviceId: 'x' })])).toEqual(['a/x', 'a/y']);
  });

  it('property: the order is total and the same whatever order the options come in', () => {
    const arb = fc.record({
      workshopId: fc.constantFrom('a', 'b', 'c', 'd'),
      serviceId: fc.constantFrom('x', 'y'),
      distanceM: fc.integer({ min: 0, max: 10_000 }),
      priceCents: fc.integer({ min: 0, max: 50_000 }),
      ratingAvg: fc.integer({ min: 0, max: 50 }).map((n) => n / 10),
      ratingCount: fc.integer({ min: 0, max: 5 }),
      completionRate: fc.option(fc.integer({ min: 0, max: 100 }).map((n) => n / 100)),
      responseMinutes: fc.option(fc.integer({ min: 0, max: 2000 })),
      autoAccept: fc.boolean(),
      startMs: fc.integer({ min: 0, max: 7 * 48 }).map((n) => T0 + n * 30 * MIN),
    });
    const weightsArb = fc.record(Object.fromEntries(MATCH_FACTORS.map((f) => [f, fc.integer({ min: 0, max: 100 })])) as Record<(typeof MATCH_FACTORS)[number], fc.Arbitrary<number>>)
      .filter((w) => MATCH_FACTORS.some((f) => w[f] > 0));
    fc.assert(
      fc.property(fc.uniqueArray(arb, { maxLength: 12, selector: (o) => `${o.workshopId}/${o.serviceId}` }), weightsArb, (raw, w) => {
        const list = raw.map((o) => ({ currency: 'GBP', ...o }));
        const a = rankOptions(list, w, ctx);
        const b = rankOptions([...list].reverse(), w, ctx);
        expect(b.map((o) => `${o.workshopId}/${o.serviceId}`)).toEqual(a.map((o) => `${o.workshopId}/${o.serviceId}`));
        for (let i = 1; i < a.length; i++) {
          expect(a[i - 1]!.score).toBeGreaterThanOrEqual(a[i]!.score);
          expect(compareScored(a[i - 1]!, a[i]!)).toBeLessThan(0);
        }
        for (const o of a) {
          expect(o.score).toBeGreaterThanOrEqual(0);
          expect(o.score).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses weights that are all zero', () => {
    expect(code(() => rankOptions([option({ workshopId: 'a' })], only('distance') && { ...only('distance'), distance: 0 }, ctx))).toBe('VALIDATION_FAILED');
  });
});
