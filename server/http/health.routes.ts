import { Hono } from 'hono';
import type { AppEnv } from './context';

export interface ReadinessChecks {
  postgres(): Promise<void>;
  redis(): Promise<void>;
}

async function probe(check: () => Promise<void>): Promise<'ok' | 'down'> {
  try {
    await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
    return 'ok';
  } catch {
    return 'down';
  }
}

/** Liveness (the process answers) and readiness (its stores answer). */
export function healthRoutes(checks: ReadinessChecks) {
  const r = new Hono<AppEnv>();
  // The pid tells which process (worker) answered: several share one port under node:cluster.
  r.get('/health', (c) => c.json({ status: 'ok', pid: process.pid }));
  r.get('/ready', async (c) => {
    const [postgres, redis] = await Promise.all([probe(checks.postgres), probe(checks.redis)]);
    const ready = postgres === 'ok' && redis === 'ok';
    return c.json({ status: ready ? 'ready' : 'not_ready', postgres, redis }, ready ? 200 : 503);
  });
  return r;
}
