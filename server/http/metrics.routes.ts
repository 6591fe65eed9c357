import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { AppEnv } from './context';

/**
 * Prometheus scrape endpoint. Unauthenticated like /health: it carries counts, never
 * personal data; restrict it at the proxy if the port is public.
 */
export function metricsRoutes(registry: Registry) {
  const r = new Hono<AppEnv>();
  r.get('/metrics', async (c) => {
    c.header('Content-Type', registry.contentType);
    return c.body(await registry.metrics());
  });
  return r;
}
