/*
 * Summarises V8 .cpuprofile files (from `--cpu-prof`): self time per function and per package,
 * so "what bounds it" comes with evidence. Usage: tsx load-tests/runner/profile-summary.ts DIR|FILE [top] [skipMs]
 * skipMs leaves out the samples of the profile's first milliseconds (start-up: compiling, seeding),
 * so the summary is of the steady state under load.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function pkgOf(url: string): string {
  if (!url) return '(native/v8)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return url;
  const p = url.match(/\/(server|shared|load-tests)\/(.*)$/);
  return p ? `${p[1]}/${p[2]}` : url.replace(/^file:\/\//, '');
}

export function summarise(file: string, top = 25, skipMs = 0): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = 0;
  let counted = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    at += dt;
    if (at < skipMs * 1000) return;
    counted += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const total = counted / 1000;
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idle += us;
    const key = `${name} ${pkgOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = !n.callFrame.url && name.startsWith('(') ? name : pkgOf(n.callFrame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const busy = total - idle / 1000;
  const lines = [`${file}: ${total.toFixed(0)} ms profiled, ${busy.toFixed(0)} ms busy (${((busy / total) * 100).toFixed(0)} %)`];
  const fmt = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms ${((us / 1000 / busy) * 100).toFixed(1).padStart(5)} %  ${k}`);
  lines.push(' by package / file (self time):', ...fmt(pkg), ' by function (self time):', ...fmt(fn));
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = process.argv[2];
  if (!arg) {
    console.error('usage: profile-summary DIR|FILE [top]');
    process.exit(2);
  }
  const files = statSync(arg).isDirectory() ? readdirSync(arg).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(arg, f)) : [arg];
  for (const f of files) console.log(summarise(f, Number(process.argv[3] ?? 25), Number(process.argv[4] ?? 0)));
}
