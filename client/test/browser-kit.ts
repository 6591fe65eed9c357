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

const launchArgs = ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** This worker's Chromium, launched by the first file that asks and kept for the files after it. */
let shared: Promise<Browser> | null = null;

/**
 * A browser for one test file. Files in a Vitest worker run one after another (isolate: false
 * keeps the module, and so this Chromium), and on a 2-core box a launch costs ~3 s of CPU, so each
 * file gets a handle on the worker's one Chromium instead of a browser of its own. Files share no
 * state through it: every test opens its own contexts (cookies, storage and cache are per
 * context), and the handle's close() closes the contexts this file opened, not the browser.
 * Chromium ends with the worker (Playwright closes the browsers it launched when its process exits).
 */
export async function launchChromium(): Promise<Browser> {
  if (!shared) {
    const launching = chromium.launch({ executablePath: inject('chromiumPath'), args: launchArgs });
    shared = launching;
    // A crashed or closed Chromium is launched again for the next file.
    launching.then((b) => b.on('disconnected', () => shared === launching && (shared = null)), () => (shared = null));
  }
  return fileHandle(await shared);
}

function fileHandle(browser: Browser): Browser {
  const opened = new Set<BrowserContext>();
  const track = (context: BrowserContext) => {
    opened.add(context);
    context.on('close', () => opened.delete(context));
    return context;
  };
  return new Proxy(browser, {
    get(target, prop) {
      if (prop === 'newContext') return async (...args: Parameters<Browser['newContext']>) => track(await target.newContext(...args));
      if (prop === 'newPage') {
        return async (...args: Parameters<Browser['newPage']>) => {
          const page = await target.newPage(...args);
          track(page.context());
          return page;
        };
      }
      if (prop === 'close') return async () => void (await Promise.all([...opened].map((c) => c.close())));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
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
