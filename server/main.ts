import cluster from 'node:cluster';
import { runPrimary } from './cluster-primary';
import { migrateDatabase } from './db/migrate';
import { loadEnv } from './env';
import { createLogger } from './logger';
import { startServer } from './runtime';

const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL);

const hintFor = (err: NodeJS.ErrnoException) =>
  err.code === 'EADDRINUSE' ? `port ${env.PORT} on ${env.HOST} is already in use: stop the other process or set PORT` :
  err.code === 'ECONNREFUSED' ? 'a dependency refused the connection: are Postgres (DATABASE_URL) and Redis (REDIS_URL or REDIS_CLUSTER_NODES) running?' :
  'startup failed';

if (cluster.isPrimary && env.WEB_CONCURRENCY > 1) {
  // WEB_CONCURRENCY workers share the port (cluster-primary.ts); migrations run here, once,
  // before any worker starts, so two workers never race to apply them.
  if (!env.JWT_SECRET) {
    logger.warn('JWT_SECRET is not set: using the development secret stored in the database (never do this in production)');
  }
  await runPrimary({
    workers: env.WEB_CONCURRENCY,
    logger,
    beforeFork: async () => {
      await migrateDatabase(env.DATABASE_URL).catch((err: NodeJS.ErrnoException) => {
        logger.fatal({ err }, `Holdfast could not start: ${hintFor(err)}`);
        process.exit(1);
      });
    },
  });
} else {
  await serveHere();
}

/** One Holdfast process: the only one (WEB_CONCURRENCY=1) or a worker of the primary above. */
async function serveHere() {
  if (!env.JWT_SECRET && cluster.isPrimary) {
    logger.warn('JWT_SECRET is not set: using the development secret stored in the database (never do this in production)');
  }
  const background = { all: { sweepers: true, webhooks: true }, holds: { sweepers: 'holds', webhooks: false }, none: { sweepers: false, webhooks: false } } as const;
  const running = await startServer(env, { logger, migrate: cluster.isPrimary, ...background[env.BACKGROUND_WORK] }).catch((err: NodeJS.ErrnoException) => {
    logger.fatal({ err }, `Holdfast could not start: ${hintFor(err)}`);
    process.exit(1);
  });

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    await running.close();
    clearTimeout(force);
    logger.info('bye');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
