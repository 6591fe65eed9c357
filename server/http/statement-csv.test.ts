import { describe, expect, it } from 'vitest';
import { csvField, decimalOf, statementCsv } from './statement-csv';

describe('statement CSV', () => {
  it('writes minor units as decimals of the currency without floats', () => {
    expect(decimalOf(1234, 'GBP')).toBe('12.34');
    expect(decimalOf(-5, 'GBP')).toBe('-0.05');
    expect(decimalOf(0, 'EUR')).toBe('0.00');
    expect(decimalOf(500, 'JPY')).toBe('500');
    expect(decimalOf(1234, 'BHD')).toBe('1.234');
    expect(decimalOf(9_007_199_254_740_991, 'USD')).toBe('90071992547409.91');
  });

  it('quotes fields with commas, quotes or line breaks, and defuses formulas in text', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=SUM(A1)', { text: true })).toBe("'=SUM(A1)");
    expect(csvField('@cmd', { text: true })).toBe("'@cmd");
    expect(csvField('-1', { text: false })).toBe('-1');
  });

  it('one header and one CRLF line per statement line', () => {
    const csv = statementCsv({ from: '2031-01-01', to: '2031-01-31', lines: [
      { at: new Date('2031-01-02T03:04:05Z'), currency: 'GBP', bookingId: 'b1', service: '+Oil, 5W-30', kind: 'release', gross: 5000, commission: 500, net: 4500, balance: 4500 },
    ] });
    expect(csv).toBe('date,currency,booking,service,kind,gross,commission,net,balance\r\n2031-01-02T03:04:05.000Z,GBP,b1,"\'+Oil, 5W-30",release,50.00,5.00,45.00,45.00\r\n');
  });
});
