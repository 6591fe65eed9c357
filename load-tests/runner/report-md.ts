/*
 * Turns `npm run bench -- --json` output (one JSON line per scenario) into the markdown table of
 * docs/performance.md: npx tsx load-tests/runner/report-md.ts < results.jsonl
 */
import { readFileSync } from 'node:fs';

type Lat = { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null } | undefined;
const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l.trim().startsWith('{'));
const rows: string[] = [];
const f = (x: unknown) => (x === null || x === undefined ? '–' : typeof x === 'number' ? String(Math.round(x * 10) / 10) : String(x));
const g = (x: unknown) => (typeof x === 'number' ? String(Number(x.toPrecision(3))) : f(x));
const lat = (l: Lat) => (l && l.count ? `${f(l.p50)} / ${f(l.p95)} / ${f(l.p99)} / ${f(l.max)}` : '–');

rows.push('| scenario | processes | load | counts (attempted / ok / 409 / errors) | throughput | hold p50/p95/p99/max ms | confirm p50/p95/p99/max ms | hold→watcher p50/p95/p99/max ms | events recv / exp | server CPU ms per hold | doubleBookings | correct | load avg (start→end) |');
rows.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const line of lines) {
  const r = JSON.parse(line);
  if (r.scenario === 'baseline') continue;
  const c = r.counts ?? {};
  const l = r.latencyMs ?? {};
  const load =
    r.scenario === 'race' ? `${r.racers} racers, cap ${r.capacity}, ${r.rounds} rounds` :
    r.scenario === 'fanout' ? `${r.watchers} watchers` :
    r.scenario === 'flow' ? `${r.targetRate}/s target (${r.arrivals?.achievedRate}/s run, ${r.arrivals?.dropped} dropped)` :
    r.scenario === 'rush' ? `${r.targetRate} holds/s on one workshop (${r.arrivals?.achievedRate}/s run, ${r.arrivals?.dropped} dropped), ${r.watchers} watchers, ${r.frames?.changesPerFrame ?? '–'} changes/frame` :
    r.scenario === 'mixed' ? `${r.targetRate} holds/s target (${r.arrivals?.achievedRate}/s run, ${r.arrivals?.dropped} dropped), ${r.watchers} watchers` : '';
  const tp = r.throughput ? Object.entries(r.throughput).map(([k, v]) => `${k} ${f(v)}`).join(', ') : '–';
  const ev = r.events ? `${r.events.received} / ${r.events.expected}` : '–';
  const cpu = r.cpuMsPerHold?.servers;
  rows.push(`| ${r.scenario} | ${r.processes} | ${load} | ${c.attempted ?? '–'} / ${c.succeeded ?? '–'} / ${c.conflicts ?? '–'} / ${c.errors ?? '–'} | ${tp} | ${lat(l.hold)} | ${lat(l.confirm)} | ${lat(l.holdToWatcher)} | ${ev} | ${g(cpu)} | ${f(r.doubleBookings)} | ${r.correct} | ${r.machine?.loadAvg1Start}→${r.machine?.loadAvg1End} |`);
}

const base = lines.map((l) => JSON.parse(l)).find((r) => r.scenario === 'baseline');
if (base) {
  rows.push('', '| baseline (closed loop, ' + base.concurrency + ' clients, ' + base.secondsEach + ' s each) | per s | p50 / p95 / p99 / max ms | server CPU ms/op | Postgres CPU ms/op |', '|---|---|---|---|---|');
  const item = (name: string, x: any, cpuKey = 'servers') => x && rows.push(`| ${name} | ${f(x.perSec)} | ${lat(x.latency)} | ${g(x.cpuMsPerOp?.[cpuKey])} | ${g(x.cpuMsPerOp?.postgres)} |`);
  item('bare Hono GET (ceiling)', base.bareGet, 'baselineServer');
  item('Holdfast GET /health', base.holdfastGet);
  item('Holdfast GET availability (7 days)', base.availability);
  item('Holdfast hold (+ untimed release; CPU is per pair)', base.hold);
  item('peer: cal.com-style reservation upsert', base.peerReserve, 'baselineServer');
  item('Holdfast confirm (+ untimed hold; CPU is per pair)', base.confirm);
  item('peer: row-lock booking (FOR UPDATE + insert)', base.peerBook, 'baselineServer');
  if (base.emit) {
    rows.push('', `| fan-out to ${base.emit.holdfast?.watchers ?? '?'} watchers | p50 / p95 / p99 / max ms | received / expected |`, '|---|---|---|');
    rows.push(`| bare Socket.IO room emit (ceiling) | ${lat(base.emit.bare.delivery)} | ${base.emit.bare.received} / ${base.emit.bare.expected} |`);
    if (base.emit.holdfast) rows.push(`| Holdfast hold → slots:changed | ${lat(base.emit.holdfast.delivery)} | ${base.emit.holdfast.events.received} / ${base.emit.holdfast.events.expected} |`);
  }
  rows.push('', '| ratio | value |', '|---|---|');
  for (const [k, v] of Object.entries(base.ratios ?? {})) rows.push(`| ${k} | ${g(v)} |`);
}
console.log(rows.join('\n'));
