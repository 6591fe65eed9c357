import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from './context';

/**
 * The client's Content-Security-Policy: only our own scripts, styles, images and connections
 * (the socket included), never framed. Inline styles stay allowed: Svelte sets style attributes.
 * Stripe mode alone lets the card form load Stripe.js
 * (`script-src`), show its card field iframes (`frame-src`) and reach Stripe's API
 * (`connect-src`), as Stripe documents for Elements; simulated mode keeps the strict policy.
 */
export function clientCsp(provider: 'simulated' | 'stripe'): string {
  const stripe = provider === 'stripe';
  return [
    "default-src 'self'",
    stripe ? "script-src 'self' https://js.stripe.com" : "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    stripe ? "connect-src 'self' https://api.stripe.com" : "connect-src 'self'",
    ...(stripe ? ['frame-src https://js.stripe.com'] : []),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Serves the built Svelte client; unknown non-API paths get index.html (client-side routing). */
export function mountClient(app: Hono<AppEnv>, distDir: string, opts: { provider: 'simulated' | 'stripe' } = { provider: 'simulated' }): boolean {
  const csp = clientCsp(opts.provider);
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) return false;
  const index = readFileSync(indexPath, 'utf8');
  app.use('*', async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html')) c.res.headers.set('Content-Security-Policy', csp);
  });
  app.use('/assets/*', serveStatic({ root: distDir, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }));
  app.use('*', serveStatic({ root: distDir }));
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/socket.io')) return next();
    return c.html(index);
  });
  return true;
}
