import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppEnv } from './context';
import { clientCsp, mountClient } from './static.routes';

/*
 * The page CSP per payment provider: simulated mode keeps the strict self-only policy; stripe
 * mode alone lets Stripe.js load (script-src), show its card iframes (frame-src) and reach
 * Stripe's API (connect-src) — and nothing else from Stripe or anyone.
 */

const directives = (csp: string) => new Map(csp.split('; ').map((d) => { const [name, ...values] = d.split(' '); return [name!, values] as const; }));

describe('clientCsp', () => {
  it('simulated mode: only our own origin, no frames from anywhere', () => {
    const d = directives(clientCsp('simulated'));
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.has('frame-src')).toBe(false);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(clientCsp('simulated')).not.toContain('stripe');
  });

  it('stripe mode: js.stripe.com for scripts and frames, api.stripe.com for connections, the rest unchanged', () => {
    const strict = directives(clientCsp('simulated'));
    const d = directives(clientCsp('stripe'));
    expect(d.get('script-src')).toEqual(["'self'", 'https://js.stripe.com']);
    expect(d.get('frame-src')).toEqual(['https://js.stripe.com']);
    expect(d.get('connect-src')).toEqual(["'self'", 'https://api.stripe.com']);
    for (const [name, values] of strict) if (!['script-src', 'connect-src'].includes(name)) expect(d.get(name), name).toEqual(values);
  });
});

describe('mountClient sends the policy of its provider on pages only', () => {
  const dist = mkdtempSync(join(tmpdir(), 'hf-dist-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>t</title>');
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  const appFor = (provider: 'simulated' | 'stripe') => {
    const app = new Hono<AppEnv>();
    app.get('/api/ping', (c) => c.json({ ok: true }));
    expect(mountClient(app, dist, { provider })).toBe(true);
    return app;
  };

  it.each(['simulated', 'stripe'] as const)('%s', async (provider) => {
    const app = appFor(provider);
    const page = await app.request('/bookings/1');
    expect(page.headers.get('content-security-policy')).toBe(clientCsp(provider));
    expect((await app.request('/api/ping')).headers.get('content-security-policy')).toBeNull();
  });
});
