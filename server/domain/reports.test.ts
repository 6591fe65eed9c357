import { describe, expect, it } from 'vitest';
import { EMPTY_FIGURES, figuresOf, rateOf, reportRange, utilisationOf } from './reports';

const NOW = Date.parse('2027-03-28T00:30:00Z'); // the night British clocks go forward

describe('report ranges: local days of a zone', () => {
  it("a range over the spring change spans its 23-hour day, midnight to midnight in the workshop's zone", () => {
    const r = reportRange({ from: '2027-03-27', to: '2027-03-29' }, 'Europe/London', NOW);
    expect([r.start.toISOString(), r.end.toISOString(), r.days]).toEqual(['2027-03-27T00:00:00.000Z', '2027-03-29T23:00:00.000Z', ['2027-03-27', '2027-03-28', '2027-03-29']]);
    const ny = reportRange({ from: '2027-03-27', to: '2027-03-27' }, 'America/New_York', NOW);
    expect([ny.start.toISOString(), ny.end.toISOString()]).toEqual(['2027-03-27T04:00:00.000Z', '2027-03-28T04:00:00.000Z']);
  });

  it('defaults to the 30 days ending today by the given clock, in that zone (not UTC)', () => {
    expect(reportRange({}, 'Europe/London', NOW)).toMatchObject({ from: '2027-02-27', to: '2027-03-28' });
    // 00:30 UTC is still the 27th in New York.
    expect(reportRange({}, 'America/New_York', NOW)).toMatchObject({ from: '2027-02-26', to: '2027-03-27' });
    expect(reportRange({ to: '2027-01-31' }, 'UTC', NOW)).toMatchObject({ from: '2027-01-02', to: '2027-01-31' });
    expect(reportRange({ from: '2026-03-28' }, 'UTC', NOW).days).toHaveLength(366);
  });

  it('refuses a range a default makes inverted or longer than 366 days', () => {
    expect(() => reportRange({ from: '2027-04-01' }, 'UTC', NOW)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => reportRange({ from: '2026-03-27' }, 'UTC', NOW)).toThrow(/at most 366 days/);
  });
});

describe('figures', () => {
  it('rates round to 4 places and are null with nothing to divide by; lead times to one decimal', () => {
    expect([rateOf(1, 3), rateOf(2, 3), rateOf(0, 5), rateOf(1, 0)]).toEqual([0.3333, 0.6667, 0, null]);
    const f = figuresOf({ ...EMPTY_FIGURES, bookings: 4, byStatus: { ...EMPTY_FIGURES.byStatus, cancelled: 1, completed: 2, no_show: 1 }, leadMedianHours: 13.04, leadP90Hours: 21.799999 });
    expect([f.cancellationRate, f.noShowRate, f.leadTimeHours]).toEqual([0.25, 0.3333, { median: 13, p90: 21.8 }]);
    expect(figuresOf(EMPTY_FIGURES)).toMatchObject({ bookings: 0, cancellationRate: null, noShowRate: null, leadTimeHours: { median: null, p90: null } });
    expect(utilisationOf({ bookedBayMinutes: 0, openBayMinutes: 0 }).rate).toBeNull();
  });
});
