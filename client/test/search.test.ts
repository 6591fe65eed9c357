import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, openWorkshop, register } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, screen, type Browser } from './browser-kit';

/*
 * A customer near Inverness types "brake" and asks for workshops near them: the browser's
 * location (granted to the page) finds the brake workshops around them, nearest first, each
 * with its distance; a place name does the same without location access. Other files' workshops
 * sit around Leeds, hundreds of kilometres away, so the list is this file's alone.
 */

const INVERNESS = { latitude: 57.4778, longitude: -4.2247 };

describe('browser: search near me', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  const made: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    const [vendor, admin] = await Promise.all([register(api, 'vendor'), createAdmin(server, api)]);
    const who = { vendorToken: vendor.token, adminToken: admin.token };
    // Listed far to near, so an answer in creation order would fail.
    const shops = [
      { name: 'Nairn Brake Centre', at: { lat: 57.5860, lng: -3.8690 }, service: 'Brake pads – front' },
      { name: 'Culloden Motors', at: { lat: 57.4870, lng: -4.1400 }, service: 'Brake discs' },
      { name: 'Inverness Central Garage', at: { lat: 57.4790, lng: -4.2260 }, service: 'Brake fluid change' },
      { name: 'Ness Tyres', at: { lat: 57.4700, lng: -4.2300 }, service: 'Tyre fitting' },
    ];
    for (const s of shops) {
      const { workshop } = await openWorkshop(api, who, { name: s.name, city: 'Inverness', address: '1 Harbour Road', timezone: 'Europe/London', bays: 1, autoAccept: false, holdTtlSeconds: 120 },
        { services: [{ durationMinutes: 30, name: s.service }] });
      const res = await api.patch(`/api/workshops/${workshop.id}`, s.at, vendor.token);
      expect(res.status).toBe(200);
      made.push(workshop.id);
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const resultsOf = (page: import('./browser-kit').Page) =>
    page.$$eval('[data-testid=result]', (cards) => cards.map((c) => ({ name: c.querySelector('h3')!.textContent!.trim(), distance: c.querySelector('[data-testid=distance]')?.textContent?.trim() ?? null })));

  it('typing "brake" with Near me lists the nearby brake workshops nearest first, with distances', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, baseURL: server.url, geolocation: INVERNESS, permissions: ['geolocation'], bypassCSP: true });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto('/#/');
      await page.getByRole('button', { name: 'Near me' }).click();
      await page.waitForSelector('[data-testid=near-label]:has-text("your location")');
      await page.getByRole('searchbox', { name: 'Search' }).fill('brake');
      await page.waitForFunction(() => document.querySelector('[data-testid=result-count]')?.textContent?.includes('3 workshops found'));
      const list = await resultsOf(page);
      expect(list.map((r) => r.name)).toEqual(['Inverness Central Garage', 'Culloden Motors', 'Nairn Brake Centre']);
      expect(list.map((r) => r.distance)).toEqual([expect.stringMatching(/^0\.\d km away$/), expect.stringMatching(/^[45]\.\d km away$/), expect.stringMatching(/^2\d km away$/)]);
      expect(page.url()).toContain('q=brake');
      await screen(page, 'customer-search-near-me', { publish: true });
      expect(await a11yViolations(page)).toEqual([]);

      // Without location: a place name from the gazetteer gives the same answer.
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByRole('searchbox', { name: 'or near a place' }).fill('Invern');
      await page.getByRole('button', { name: /^Inverness/ }).click();
      await page.waitForSelector('[data-testid=near-label]:has-text("Inverness")');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=distance]').length === 3 && document.querySelector('[data-testid=result-count]')?.textContent?.includes('3 workshops found'));
      expect((await resultsOf(page)).map((r) => r.name)).toEqual(['Inverness Central Garage', 'Culloden Motors', 'Nairn Brake Centre']);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
