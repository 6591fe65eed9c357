import type { Statement } from '../domain/money/money-reports';

/*
 * A workshop's statement as CSV (RFC 4180: comma-separated, CRLF line ends, a field quoted when it
 * holds a comma, quote or line break, quotes doubled). Text a vendor typed (a service name) that
 * starts like a formula (= + - @, tab, CR) is prefixed with ' so a spreadsheet shows it as text.
 * Amounts are decimal strings in the currency's units (12.34), written from the integer minor
 * units without floating point.
 */

export const STATEMENT_COLUMNS = ['date', 'currency', 'booking', 'service', 'kind', 'gross', 'commission', 'net', 'balance'] as const;

function exponentOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** 1234 GBP → "12.34"; −5 GBP → "-0.05"; 500 JPY → "500". */
export function decimalOf(minor: number, currency: string): string {
  const digits = exponentOf(currency);
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits ? `${abs.slice(0, -digits)}.${abs.slice(-digits)}` : abs;
  return minor < 0 ? `-${whole}` : whole;
}

/** One CSV field: quoted when needed; `text` fields are also defused against spreadsheet formulas. */
export function csvField(value: string, opts: { text?: boolean } = {}): string {
  const v = opts.text && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function statementCsv(s: Statement): string {
  const rows = [STATEMENT_COLUMNS.join(',')];
  for (const l of s.lines) {
    const money = (n: number) => decimalOf(n, l.currency);
    rows.push([
      l.at.toISOString(),
      l.currency,
      l.bookingId ?? '',
      csvField(l.service ?? '', { text: true }),
      l.kind,
      money(l.gross),
      money(l.commission),
      money(l.net),
      money(l.balance),
    ].join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
