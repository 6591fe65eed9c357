import { describe, expect, it } from 'vitest';
import { breachesOf, DEFAULT_QUALITY_THRESHOLDS as T, metricsOf } from './quality';
import type { QualityCounts } from './quality-ports';

const counts: Omit<QualityCounts, 'workshopId'> = { completed: 0, declined: 0, expired: 0, cancelledByWorkshop: 0, accepted: 0, responses: 0, medianResponseMinutes: null, ratingAvg: 0, ratingCount: 0 };
const keys = (c: Partial<typeof counts>) => breachesOf(metricsOf({ ...counts, ...c }), T).map((b) => b.key);

describe('quality metrics', () => {
  it('derives rates from counts, null when there is nothing to measure', () => {
    expect(metricsOf(counts)).toEqual({ completionRate: null, finished: 0, medianResponseMinutes: null, responses: 0, workshopCancellationRate: null, accepted: 0, rating: null, reviews: 0 });
    expect(metricsOf({ ...counts, completed: 6, declined: 1, expired: 2, cancelledByWorkshop: 1, accepted: 8, responses: 7, medianResponseMinutes: 42.5, ratingAvg: 4.2, ratingCount: 3 })).toEqual({
      completionRate: 0.6, finished: 10, medianResponseMinutes: 42.5, responses: 7, workshopCancellationRate: 0.125, accepted: 8, rating: 4.2, reviews: 3,
    });
  });

  it('rating: below 3.0 over at least 10 reviews', () => {
    expect(keys({ ratingAvg: 2.99, ratingCount: 10 })).toEqual(['rating']);
    expect(keys({ ratingAvg: 3.0, ratingCount: 10 })).toEqual([]); // at the threshold: fine
    expect(keys({ ratingAvg: 1.0, ratingCount: 9 })).toEqual([]); // too few reviews to judge
  });

  it('completion: below 80% over at least 10 finished requests', () => {
    expect(keys({ completed: 7, declined: 3 })).toEqual(['completion']); // 70% of 10
    expect(keys({ completed: 8, expired: 2 })).toEqual([]); // exactly 80%
    expect(keys({ completed: 6, cancelledByWorkshop: 3 })).toEqual([]); // 9 finished: too few
  });

  it('response: median above 120 minutes over at least 10 answered requests', () => {
    expect(keys({ responses: 10, medianResponseMinutes: 120.5 })).toEqual(['response']);
    expect(keys({ responses: 10, medianResponseMinutes: 120 })).toEqual([]);
    expect(keys({ responses: 9, medianResponseMinutes: 600 })).toEqual([]);
  });

  it('cancellation by the workshop: above 10% of at least 10 accepted bookings', () => {
    expect(keys({ accepted: 10, cancelledByWorkshop: 2, completed: 8 })).toEqual(['cancellation']); // 20%
    expect(keys({ accepted: 10, cancelledByWorkshop: 1, completed: 9 })).toEqual([]); // exactly 10%
    expect(keys({ accepted: 9, cancelledByWorkshop: 5 })).toEqual([]);
  });

  it('explains each breach in words, and follows configured thresholds', () => {
    const m = metricsOf({ ...counts, ratingAvg: 2.4, ratingCount: 12, completed: 7, declined: 3, responses: 10, medianResponseMinutes: 185, accepted: 10, cancelledByWorkshop: 2 });
    expect(breachesOf(m, T)).toEqual([
      { key: 'rating', detail: 'Rating 2.40 over 12 reviews (flagged below 3.0 over at least 10)' },
      { key: 'completion', detail: 'Completed 58.3% of 12 finished requests (flagged below 80% over at least 10)' },
      { key: 'response', detail: 'Median response 185 min over 10 answered requests (flagged above 120 min over at least 10)' },
      { key: 'cancellation', detail: 'Workshop cancelled 20% of 10 accepted bookings (flagged above 10% over at least 10)' },
    ]);
    expect(breachesOf(m, { ...T, minRating: 2.0, minCompletionRate: 0.5, maxMedianResponseMinutes: 240, maxCancellationRate: 0.25 })).toEqual([]);
  });
});
