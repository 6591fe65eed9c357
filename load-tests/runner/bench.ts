import { availableParallelism, loadavg, totalmem } from 'node:os';
import { io } from 'socket.io-client';
import { externalTarget, startCluster, type Target } from './cluster';
import type { BenchOptions, ScenarioContext, ScenarioResult } from './context';
import type { ScenarioName } from './cli';
import { auditCapacity } from './db-check';
import { login } from '../../server/test/fixtures/bench';
import { Http } from './http';
import { progress } from './log';
import { histogramDelta, scrapeHistograms, SERVER_SERIES } from './server-metrics';
import { baselineScenario } from './scenarios/baseline';
import { fanoutScenario } from './scenarios/fanout';
import { flowScenario } from './scenarios/flow';
import { mixedScenario } from './scenarios/mixed';
import { raceScenario } from './scenarios/race';
import { rushScenario } from './scenarios/rush';
import { searchScenario } from './scenarios/search';
import { matchScenario } from './scenarios/match';

const RUNNERS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<ScenarioResult>> = {
  race: raceScenario,
  flow: flowScenario,
  fanout: fanoutScenario,
  mixed: mixedScenario,
  rush: rushScenario,
  baseline: baselineScenario,
  search: searchScenario,
  match: matchScenario,
};

export interface BenchRun extends BenchOptions {
  scenarios: ScenarioName[];
  url?: string;
  databaseUrl?: string;
  cpuProf?: string;
  /** Server env overrides for own servers. */
  serverEnv?: Record<string, string>;
  quietServers?: boolean;
  /** A target started by the caller (kept open afterwards). */
  target?: Target;
}

/** True when the server answers the Engine.IO handshake (the realtime hub is wired in). */
export function hasRealtime(url: string): Promise<boolean> {
  // A WebSocket handshake: Holdfast refuses Socket.IO's long-polling transport by default.
  return new Promise((resolve) => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000 });
    const done = (ok: boolean) => {
      socket.close();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('connect_error', () => done(false));
  });
}

/** Runs the scenarios one after another on one target; calls onResult as each finishes. */
export async function runBench(run: BenchRun, onResult: (r: ScenarioResult) => void = () => {}): Promise<ScenarioResult[]> {
  let target: Target | undefined;
  const stop = () => {
    progress('interrupted: cleaning up');
    void (target?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const results: ScenarioResult[] = [];
  let http: Http | undefined;
  try {
    target = run.target ?? (run.url
      ? externalTarget(run.url, run.databaseUrl)
      : await startCluster({ processes: run.processes, workers: run.workers, cpuProfDir: run.cpuProf, env: run.serverEnv, quiet: run.quietServers }));
    http = new Http(target.urls);
    const admin = await login(http, target.admin);
    const realtime = await hasRealtime(target.urls[0]!);
    if (!realtime) progress('the server does not speak Socket.IO (server/realtime not wired in): watch steps and fanout are skipped');
    const ctx: ScenarioContext = { target, http, admin, opts: run, realtime };
    for (const name of run.scenarios) {
      progress(`scenario ${name}: start`);
      const t0 = Date.now();
      const loadStart = loadavg()[0]!;
      const histBefore = await scrapeHistograms(target.urls);
      let result: ScenarioResult;
      try {
        result = await RUNNERS[name](ctx);
      } catch (err) {
        progress(`scenario ${name} failed: ${(err as Error).stack ?? String(err)}`);
        result = { scenario: name, correct: false, doubleBookings: null, error: String((err as Error).message ?? err) };
      }
      result.processes ??= target.urls.length;
      if (target.own) result.workers ??= run.workers;
      // Besides the scenario's own workshops: no slot anywhere in the database is over capacity.
      if (target.databaseUrl) {
        const all = await auditCapacity(target.databaseUrl).catch(() => null);
        result.doubleBookingsWholeDatabase = all?.doubleBookings ?? null;
        if (all && all.doubleBookings !== 0) result.correct = false;
      }
      // The servers' own view (bucket upper bounds): server time vs time queued in the runner or the kernel.
      result.serverSideMs = histogramDelta(histBefore, await scrapeHistograms(target.urls), SERVER_SERIES);
      result.elapsedSec = Math.round((Date.now() - t0) / 100) / 10;
      // Other work on the machine skews wall-clock figures (CPU ms per operation much less): say how busy it was.
      result.machine = { cpus: availableParallelism(), memGiB: Math.round(totalmem() / 2 ** 30), loadAvg1Start: Math.round(loadStart * 100) / 100, loadAvg1End: Math.round(loadavg()[0]! * 100) / 100 };
      results.push(result);
      onResult(result);
    }
  } finally {
    await http?.close();
    if (!run.target) await target?.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return results;
}
