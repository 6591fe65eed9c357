import { loadEnv } from './env';
import { createLogger } from './logger';
import { startServer } from './runtime';

const env = loadEnv();
const logger = createLogger(env.LOG_LEVEL);
if (!env.JWT_SECRET) {
  logger.warn('JWT_SECRET is not set: using the development secret stored in the database (never do this in production)');
}

const running = await startServer(env, { logger }).catch((err: NodeJS.ErrnoException) => {
  const hint =
    err.code === 'EADDRINUSE' ? `port ${env.PORT} on ${env.HOST} is already in use: stop the other process or set PORT` :
    err.code === 'ECONNREFUSED' ? 'a dependency refused the connection: are Postgres (DATABASE_URL) and Redis (REDIS_URL) running?' :
    'startup failed';
  logger.fatal({ err }, `Holdfast could not start: ${hint}`);
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
