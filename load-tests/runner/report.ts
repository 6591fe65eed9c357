import type { ScenarioResult } from './context';

/** A short human summary on stderr (stdout keeps only the JSON lines). */
export function printSummary(results: ScenarioResult[]) {
  for (const r of results) {
    process.stderr.write(`\n== ${r.scenario}: ${r.correct ? 'correct' : 'NOT CORRECT'}, doubleBookings=${r.doubleBookings}\n`);
    const lat = r.latencyMs as Record<string, { p50: number | null; p95: number | null; p99: number | null; max: number | null; count: number }> | undefined;
    if (lat) for (const [k, v] of Object.entries(lat)) if (v?.count) process.stderr.write(`   ${k.padEnd(16)} n=${String(v.count).padEnd(7)} p50=${v.p50} p95=${v.p95} p99=${v.p99} max=${v.max} ms\n`);
    if (r.throughput) process.stderr.write(`   throughput ${JSON.stringify(r.throughput)}\n`);
    if (r.events) process.stderr.write(`   events ${JSON.stringify(r.events)}\n`);
    if (r.ratios) process.stderr.write(`   ratios ${JSON.stringify(r.ratios)}\n`);
    const t = r.target as { measure: string; p95AtMostMs: number; p95Ms: number | null; met: boolean } | undefined;
    if (t) process.stderr.write(`   target p95 ≤ ${t.p95AtMostMs} ms (${t.measure}): p95 ${t.p95Ms} ms, ${t.met ? 'met' : 'MISSED'}\n`);
  }
}
