// The Redis hold store implements the domain's port (server/domain/hold-ports.ts); only the sweeper loop is its own.
import type { HoldPort, Released } from '../domain/hold-ports';

export type * from '../domain/hold-ports';

export type SweeperOptions = {
  intervalMs?: number;
  onReleased: (released: Released) => void | Promise<void>;
  onError?: (err: unknown) => void;
};

export interface HoldStore extends HoldPort {
  /** The backstop: releases holds well past their expiry that have no due entry (hold-sweeper.ts). */
  sweepOrphans(limit?: number): Promise<Released[]>;
  /** Runs the expiry sweep as a chained timer in this process. */
  startSweeper(opts: SweeperOptions): { stop(): Promise<void> };
}
