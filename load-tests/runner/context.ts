import type { Target } from './cluster';
import type { Account } from '../../server/test/fixtures/bench';
import type { Http } from './http';

/** Options every scenario reads (from the command line). */
export interface BenchOptions {
  watchers: number;
  /** Arrivals per second; each scenario has its own default when absent. */
  rate?: number;
  durationSec: number;
  processes: number;
  /** node:cluster workers per Holdfast process (its WEB_CONCURRENCY). */
  workers: number;
  racers: number;
  capacity: number;
  rounds: number;
  workshops: number;
  customers?: number;
  concurrency: number;
  /** Fan-out pacing: holds and ms between them (default from the watcher count). */
  fanoutHolds?: number;
  fanoutIntervalMs?: number;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  watchers: 1000,
  rate: undefined,
  durationSec: 10,
  processes: 1,
  workers: 1,
  racers: 100,
  capacity: 3,
  rounds: 5,
  workshops: 20,
  concurrency: 32,
  customers: undefined,
};

export interface ScenarioContext {
  target: Target;
  http: Http;
  admin: Account;
  opts: BenchOptions;
  /** Whether the server speaks Socket.IO (the realtime hub is wired in). */
  realtime: boolean;
}

/** One scenario's result: printed as one JSON line on stdout. */
export interface ScenarioResult {
  scenario: string;
  /** Correctness held (the numbers a test asserts): never a statement about speed. */
  correct: boolean;
  doubleBookings: number | null;
  [key: string]: unknown;
}
