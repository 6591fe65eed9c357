import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms (Linux /proc), 0 if it is gone. */
function procCpuMs(pid: number | string): { comm: string; ms: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    return { comm, ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  servers: number;
  postgres: number;
  redis: number;
  runner: number;
  other: Record<string, number>;
}

/** CPU time so far of the Holdfast servers, every postgres and redis-server process, and this runner. */
export function cpuSnapshot(serverPids: number[], extra: Record<string, number> = {}): CpuSnapshot {
  let postgres = 0;
  let redis = 0;
  if (process.platform === 'linux') {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const p = procCpuMs(d);
      if (!p) continue;
      if (p.comm === 'postgres') postgres += p.ms;
      else if (p.comm === 'redis-server') redis += p.ms;
    }
  }
  const servers = serverPids.reduce((a, pid) => a + (procCpuMs(pid)?.ms ?? 0), 0);
  const runner = process.cpuUsage();
  const other: Record<string, number> = {};
  for (const [k, pid] of Object.entries(extra)) other[k] = procCpuMs(pid)?.ms ?? 0;
  return { servers, postgres, redis, runner: (runner.user + runner.system) / 1000, other };
}

/** CPU ms spent between two snapshots, per operation when `ops` is given. */
export function cpuSpent(a: CpuSnapshot, b: CpuSnapshot, ops?: number) {
  const per = (x: number) => (ops ? Math.round((x / ops) * 1000) / 1000 : Math.round(x));
  const other: Record<string, number> = {};
  for (const k of Object.keys(b.other)) other[k] = per((b.other[k] ?? 0) - (a.other[k] ?? 0));
  return {
    servers: per(b.servers - a.servers),
    postgres: per(b.postgres - a.postgres),
    redis: per(b.redis - a.redis),
    runner: per(b.runner - a.runner),
    ...other,
  };
}

/**
 * CPU ms of each of these processes now (Linux /proc; 0 for one that is gone). With the pids of the
 * bench database's backends (pg_stat_activity), this is Postgres's CPU for the bench alone, which
 * the all-postgres figure is not on a box where other databases are busy.
 */
export function cpuByPid(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, procCpuMs(pid)?.ms ?? 0]));
}

/** CPU spent by `after`'s processes since `before` (a process new since then counts from 0). */
export const cpuSince = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
