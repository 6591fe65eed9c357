import { describe, expect, it } from 'vitest';
import { dueDay, nextSettlementAt } from './payouts';

// The settlement of day D runs from PAYOUT_HOUR_UTC on D; before that hour the due day is D − 1.
describe('payout schedule (UTC)', () => {
  const at = (iso: string) => Date.parse(iso);

  it('the due day turns at the payout hour', () => {
    expect(dueDay(at('2031-03-12T05:59:59.999Z'), 6)).toBe('2031-03-11');
    expect(dueDay(at('2031-03-12T06:00:00Z'), 6)).toBe('2031-03-12');
    expect(dueDay(at('2031-03-12T23:59:59Z'), 6)).toBe('2031-03-12');
    expect(dueDay(at('2031-03-01T00:00:00Z'), 0)).toBe('2031-03-01');
    expect(dueDay(at('2031-03-01T00:30:00Z'), 23)).toBe('2031-02-28');
  });

  it('the next settlement is today at the hour while it is ahead, else tomorrow (whatever the local DST)', () => {
    expect(new Date(nextSettlementAt(at('2031-03-12T05:00:00Z'), 6)).toISOString()).toBe('2031-03-12T06:00:00.000Z');
    expect(new Date(nextSettlementAt(at('2031-03-12T06:00:00Z'), 6)).toISOString()).toBe('2031-03-13T06:00:00.000Z');
    expect(new Date(nextSettlementAt(at('2031-03-30T07:00:00Z'), 6)).toISOString()).toBe('2031-03-31T06:00:00.000Z');
    expect(new Date(nextSettlementAt(at('2031-12-31T23:00:00Z'), 6)).toISOString()).toBe('2032-01-01T06:00:00.000Z');
  });
});
