import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/*
 * The primary of `npm start` with WEB_CONCURRENCY > 1: it serves nothing itself. It forks the
 * workers (each a whole Holdfast process: `startServer` on the one shared port, node:cluster
 * handing connections out round-robin), brings back a worker that dies, and on SIGTERM/SIGINT
 * passes the signal on and exits once every worker has shut down gracefully.
 *
 * Everything the workers share lives in Postgres and Redis, exactly as between hosts: the hold
 * sweeper's claim is one script per hold (released once however many sweep), the accept-SLA
 * sweep is a compare-and-swap per booking, schedule rolls take a per-workshop advisory lock, and
 * Socket.IO events cross workers through the Redis adapter. So every worker runs the same code
 * and the primary holds no state a restart could lose.
 */

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** Runs once before any worker starts (migrations), so workers never race to apply them. */
  beforeFork(): Promise<void>;
  /** Longest wait for the workers' graceful shutdown before they are killed. */
  stopTimeoutMs?: number;
}

/** Restart delay after `failures` quick deaths in a row: 0.25 s doubling to 30 s. */
export const restartDelayMs = (failures: number) => Math.min(30_000, 250 * 2 ** Math.max(0, failures - 1));

/** A worker that served this long before dying is not crash-looping: its next restart is immediate-ish. */
const STABLE_AFTER_MS = 30_000;

export async function runPrimary(opts: PrimaryOptions): Promise<void> {
  const { logger } = opts;
  await opts.beforeFork();

  let stopping = false;
  let everListened = false;
  // One entry per worker slot (0…N-1), kept across restarts of that slot.
  const slots = Array.from({ length: opts.workers }, () => ({ worker: undefined as Worker | undefined, startedAt: 0, failures: 0, timer: undefined as NodeJS.Timeout | undefined }));
  const live = () => slots.filter((s) => s.worker).length;

  const fork = (index: number) => {
    const slot = slots[index]!;
    slot.timer = undefined;
    if (stopping) return;
    const worker = cluster.fork();
    slot.worker = worker;
    slot.startedAt = Date.now();
    worker.once('listening', () => {
      everListened = true;
      logger.info({ worker: index, pid: worker.process.pid }, 'worker serving');
    });
    worker.once('exit', (code, signal) => {
      slot.worker = undefined;
      if (stopping) {
        if (live() === 0) finish();
        return;
      }
      // Nothing ever served: a configuration or dependency problem every worker will hit again.
      // Stop like a single process would (exit 1), so a supervisor (compose, systemd) shows it.
      if (!everListened) {
        logger.fatal({ worker: index, pid: worker.process.pid, code, signal }, 'a worker failed before any served: stopping');
        void stop('startup failure', 1);
        return;
      }
      const lived = Date.now() - slot.startedAt;
      slot.failures = lived >= STABLE_AFTER_MS ? 1 : slot.failures + 1;
      const delay = restartDelayMs(slot.failures);
      logger.error({ worker: index, pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died: restarting it');
      slot.timer = setTimeout(() => fork(index), delay);
    });
  };

  let exitCode = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info({ reason, workers: live() }, 'stopping workers');
    for (const s of slots) clearTimeout(s.timer);
    if (live() === 0) finish();
    // SIGTERM runs each worker's graceful shutdown (main.ts): HTTP drained, sockets closed, stores released.
    for (const s of slots) s.worker?.process.kill('SIGTERM');
    const force = setTimeout(() => {
      logger.error({ workers: live() }, 'workers still running after the grace period: killing them');
      for (const s of slots) s.worker?.process.kill('SIGKILL');
      exitCode = 1;
    }, opts.stopTimeoutMs ?? 15_000);
    force.unref();
    await finished;
    clearTimeout(force);
  };

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  logger.info({ workers: opts.workers, pid: process.pid }, 'starting workers');
  slots.forEach((_, i) => fork(i));
  await finished;
  logger.info('bye');
  process.exit(exitCode);
}
