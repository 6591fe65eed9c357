import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

/*
 * Shared plumbing of the browser tests: launch Debian's Chromium, open signed-in contexts,
 * save screens. The browser project's global setup (global-setup.ts) builds the client once.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A browser context, signed in with `token` (the same HttpOnly cookie the login sets) when given. */
export async function openContext(browser: Browser, baseUrl: string, token?: string, viewport = { width: 1360, height: 900 }, opts: { bypassCSP?: boolean } = {}) {
  const context = await browser.newContext({ viewport, baseURL: baseUrl, bypassCSP: opts.bypassCSP ?? false });
  if (token) await context.addCookies([{ name: 'hf_token', value: token, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Anything the Content-Security-Policy blocks is a defect too (a script, style or socket refused).
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}

/** Marks the page; noReload(page) is true while the same document is still loaded. */
export async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { __hfMark: boolean }).__hfMark = true));
}
export function noReload(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __hfMark?: boolean }).__hfMark === true);
}

const shots = join(root, 'test-artifacts/screens');
const docs = join(root, 'docs/screens');

/**
 * Saves a screenshot to test-artifacts/screens/ (ignored); with UPDATE_SCREENS=1
 * (`npm run screens`) the published ones are also copied to docs/screens/ for the README.
 */
export async function screen(page: Page, name: string, opts: { publish?: boolean; fullPage?: boolean } = {}) {
  mkdirSync(shots, { recursive: true });
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  if (opts.publish && inject('updateScreens')) {
    mkdirSync(docs, { recursive: true });
    copyFileSync(file, join(docs, `${name}.png`));
  }
  return file;
}

export type { Browser, BrowserContext, Page };

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core (WCAG 2.x A/AA rules) on the page as it is; returns serious and critical violations. */
export async function a11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.slice(0, 5).map((n) => ({ target: n.target })) }));
}
