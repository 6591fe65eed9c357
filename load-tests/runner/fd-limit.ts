import { execFileSync, spawnSync } from 'node:child_process';
import { progress } from './log';

/** Soft and hard open-file limits of this process (Node cannot change its own: no setrlimit). */
export function fileLimits(): { soft: number; hard: number } {
  const out = execFileSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' }).trim().split('\n');
  const parse = (v: string | undefined) => (v === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(v));
  return { soft: parse(out[0]), hard: parse(out[1]) };
}

/**
 * Every watcher is one socket in this process (and one in a server). When the soft limit is too
 * low, re-run this same command under `sh -c 'ulimit -n <hard>; exec …'` (children inherit it);
 * when even the hard limit is too low, say what to do and go on (connections will fail).
 */
export function ensureFileLimit(needed: number): void {
  const { soft, hard } = fileLimits();
  if (soft >= needed) return;
  if (process.env.HOLDFAST_BENCH_ULIMIT_RAISED) {
    progress(`open-file limit is ${soft} (hard ${hard}) but ${needed} are needed: run \`ulimit -n ${needed}\` (as root raise the hard limit) first`);
    return;
  }
  if (hard < needed) {
    progress(`hard open-file limit ${hard} < ${needed}: raise it (e.g. \`ulimit -Hn ${needed}\` as root or LimitNOFILE) — going on with ${hard}`);
  }
  const target = Math.min(hard, Math.max(needed, soft));
  progress(`raising the open-file limit ${soft} → ${target} (re-running under ulimit -n)`);
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('sh', ['-c', `ulimit -n ${target} && exec ${argv}`], { stdio: 'inherit', env: { ...process.env, HOLDFAST_BENCH_ULIMIT_RAISED: '1' } });
  process.exit(r.status ?? 1);
}
