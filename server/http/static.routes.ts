import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './context';

/**
 * The client's Content-Security-Policy: only our own scripts, styles, images and connections
 * (the socket included), never framed. Inline styles stay allowed: Svelte sets style attributes.
 */
export const CLIENT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the built Svelte client; unknown non-API paths get index.html (client-side routing). */
export function mountClient(app: Hono<AppEnv>, distDir: string): boolean {
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) return false;
  const index = readFileSync(indexPath, 'utf8');
  app.use('*', async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html')) c.res.headers.set('Content-Security-Policy', CLIENT_CSP);
  });
  app.use('/assets/*', serveStatic({ root: distDir, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }));
  app.use('*', serveStatic({ root: distDir }));
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/socket.io')) return next();
    return c.html(index);
  });
  return true;
}
