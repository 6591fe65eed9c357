/** A share in [0, 1] as a percentage with one decimal; "—" when there is nothing to divide by. */
export const pct = (rate: number | null) => (rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)} %`);
/** Hours with one decimal; "—" without any booking to measure. */
export const hours = (h: number | null) => (h === null ? '—' : `${h.toFixed(1)} h`);

/** Today in `tz` (by the browser's clock) and the day `n` days before it, as YYYY-MM-DD. */
export function lastDays(n: number, tz: string, now = Date.now()): { from: string; to: string } {
  const to = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (n - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}
