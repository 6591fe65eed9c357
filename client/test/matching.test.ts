import type { SlotView } from '@shared/availability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, openWorkshop, register, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, screen, type Browser, type Page } from './browser-kit';

/*
 * Finding the right workshop, live: a customer in Aberystwyth types "brake", sees the two brake
 * workshops nearby ordered by distance, opens the matching view for a one-hour window, and
 * watches the top option change when a second customer (another browser) holds its only slot
 * run in that window. She then holds the best option in one click and confirms it with the
 * vehicle she saved from its VIN. Other files' workshops sit around Leeds and Inverness, far
 * outside this radius. The window is a 10:00 London slot a day or more after the server's
 * clock, so the test never depends on the time of day.
 */

const ABERYSTWYTH = { latitude: 52.4153, longitude: -4.0829 };
const HOUR = 3_600_000;

describe('browser: matching', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let ann: Account;
  let ben: Account;
  let admin: Account;
  const shop = {} as Record<'near' | 'far', string>;
  let window: { from: number; to: number };

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    const [vendor, anAdmin] = await Promise.all([register(api, 'vendor'), createAdmin(server, api)]);
    admin = anAdmin;
    [ann, ben] = await Promise.all([register(api, 'customer', 'Ann Match'), register(api, 'customer', 'Ben Rival')]);
    const who = { vendorToken: vendor.token, adminToken: admin.token };
    // The same service, price and hours at both: only the distance tells them apart, so the near one is best under any weights.
    const make = async (name: string, at: { lat: number; lng: number }) => {
      const { workshop } = await openWorkshop(api, who, { name, city: 'Aberystwyth', address: '1 Promenade', timezone: 'Europe/London', bays: 1, autoAccept: false, holdTtlSeconds: 300 });
      expect((await api.patch(`/api/workshops/${workshop.id}`, at, vendor.token)).status).toBe(200);
      const res = await api.post(`/api/workshops/${workshop.id}/services`, {
        name: 'Brake pads – front', category: 'brakes', durationMinutes: 60, basePriceCents: 9000, currency: 'GBP',
        options: { skillTiers: [{ id: 'standard', label: 'Standard', multiplier: 1 }, { id: 'master', label: 'Master technician', multiplier: 1.25 }] },
      }, vendor.token);
      expect(res.status).toBe(201);
      return workshop.id as string;
    };
    shop.near = await make('Aber Brake Bay', { lat: 52.4160, lng: -4.0840 });
    shop.far = await make('Borth Brakes', { lat: 52.4890, lng: -4.0500 });
    // Ann's garage: a vehicle saved from its VIN (decoded offline: a 2003 Honda Accord).
    const saved = await api.post('/api/me/vehicles', { registration: 'HD03 ACC', vin: '1HGCM82633A004352' }, ann.token);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body).toMatchObject({ make: 'Honda', model: 'Accord' });

    // One hour from a 10:00 London slot at least a day ahead: exactly one 60-minute run per workshop.
    const now = server.services.clock.now();
    const slots = (await api.get(`/api/workshops/${shop.near}/availability?from=${new Date(now + 24 * HOUR).toISOString()}&to=${new Date(now + 72 * HOUR).toISOString()}`)).body.slots as SlotView[];
    const london = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    const ten = slots.find((s) => london(s.startsAt) === '10:00')!;
    window = { from: Date.parse(ten.startsAt), to: Date.parse(ten.startsAt) + HOUR };
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A datetime-local value in London time (the contexts run in Europe/London). */
  const londonInput = (ms: number) => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
  };
  const options = (page: Page) => page.$$eval('[data-testid=match-option]', (items) => items.map((i) => ({ workshop: i.getAttribute('data-workshop'), name: i.querySelector('h2 a')!.textContent!.trim() })));

  it('types "brake", matches nearby, sees the top option change live, holds the best in one click and confirms with a saved vehicle', async () => {
    // Ann, with her location shared and the page in London time.
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, baseURL: server.url, geolocation: ABERYSTWYTH, permissions: ['geolocation'], timezoneId: 'Europe/London', bypassCSP: true });
    await context.addCookies([{ name: 'hf_token', value: ann.token, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
    const rival = await openContext(browser, server.url, ben.token);
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      // Search: "brake" near me, nearest first.
      await page.goto('/#/');
      await page.getByRole('button', { name: 'Near me' }).click();
      await page.waitForSelector('[data-testid=near-label]:has-text("your location")');
      await page.getByRole('searchbox', { name: 'Search' }).fill('brake');
      await page.waitForFunction(() => document.querySelector('[data-testid=result-count]')?.textContent?.includes('2 workshops found'));
      expect(await page.$$eval('[data-testid=result] h3', (h) => h.map((x) => x.textContent!.trim()))).toEqual(['Aber Brake Bay', 'Borth Brakes']);

      // The matching view, for a one-hour window.
      await page.getByRole('link', { name: 'Match me to a slot' }).click();
      await page.getByRole('heading', { name: 'Find the right workshop' }).waitFor();
      await page.getByLabel('Earliest start').fill(londonInput(window.from));
      await page.getByLabel('Latest start').fill(londonInput(window.to));
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=match-option]').length === 2 && document.querySelector('[data-testid=match-count]')?.textContent?.includes('2 options'));
      expect((await options(page)).map((o) => o.name)).toEqual(['Aber Brake Bay', 'Borth Brakes']);
      expect(await page.locator('[data-testid=match-vehicle] option:checked').textContent()).toContain('HD03 ACC');
      // Each option explains its score.
      await page.locator('[data-testid=match-option]').first().getByText('Why this score').click();
      await page.locator('[data-testid=match-option]').first().getByRole('rowheader', { name: 'Distance' }).waitFor();
      expect(await a11yViolations(page)).toEqual([]);
      await screen(page, 'customer-matching', { publish: true });
      // A skill tier in the need: both services offer it, so both prices carry it (£90 × 1.25).
      await page.getByLabel('Skill').selectOption('master');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=match-option]')].every((o) => o.textContent!.includes('£112.50') && o.textContent!.includes('Master technician')));
      expect(page.url()).toContain('skill=master');
      await page.getByLabel('Skill').selectOption('');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=match-option]')].every((o) => o.textContent!.includes('£90.00') && !o.querySelector('[data-testid=match-applied]')));

      // Ben, in another browser, holds the best option: Aber Brake Bay's only run in the window.
      await rival.page.goto(`/#/match?${new URLSearchParams({ q: 'brake', lat: String(ABERYSTWYTH.latitude), lng: String(ABERYSTWYTH.longitude), near: 'Aberystwyth', r: '25', from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() })}`);
      await rival.page.waitForFunction(() => document.querySelectorAll('[data-testid=match-option]').length === 2);
      await rival.page.getByRole('button', { name: 'Hold the best' }).click();
      await rival.page.waitForURL(new RegExp(`#/workshops/${shop.near}`));

      // Ann's list re-ranks by itself: the top option is now Borth Brakes.
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=match-option]').length === 1);
      expect((await options(page)).map((o) => o.name)).toEqual(['Borth Brakes']);
      expect(await page.textContent('[data-testid=match-live]')).toContain('the best option is now Borth Brakes');

      // One click holds it and lands on the confirm form, her saved vehicle picked.
      await page.getByRole('button', { name: 'Hold the best' }).click();
      await page.waitForURL(new RegExp(`#/workshops/${shop.far}`));
      const picker = page.locator('[data-testid=vehicle-picker]');
      await picker.waitFor();
      expect(await picker.locator('option:checked').textContent()).toContain('HD03 ACC');
      await page.click('form[aria-label="Confirm booking"] button[type=submit]');
      await page.waitForSelector('[data-testid=booking-status][data-status=pending]');
      expect(await page.textContent('[data-testid=booking-vehicle]')).toContain('Honda Accord');
      expect(errors).toEqual([]);
      expect(rival.errors).toEqual([]);

      const mine = (await api.get('/api/bookings', ann.token)).body.bookings as Array<{ workshopId: string; startsAt: string; status: string }>;
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ workshopId: shop.far, status: 'pending' });
      expect(Date.parse(mine[0]!.startsAt)).toBe(window.from);
    } finally {
      await rival.context.close();
      await context.close();
    }
  });

  it('an admin reads the matching weights on the Finance screen, and a weight out of range is refused before it is sent', async () => {
    // Saving is covered by server/test/matching.test.ts: the weights are one platform-wide row, and a save here could
    // land in the middle of that file's own weight changes when both run at once.
    const desk = await openContext(browser, server.url, admin.token, undefined, { bypassCSP: true });
    try {
      const puts: string[] = [];
      desk.page.on('request', (r) => {
        if (r.method() === 'PUT' && r.url().includes('/match-weights')) puts.push(r.url());
      });
      await desk.page.goto('/#/admin/finance');
      const section = desk.page.locator('[data-testid=match-weights]');
      await section.getByLabel('Distance').waitFor();
      const shown = await Promise.all(['Distance', 'Price', 'Rating', 'Completion rate', 'Response time', 'How soon'].map((l) => section.getByLabel(l).inputValue()));
      const stored = (await api.get('/api/admin/match-weights', admin.token)).body.weights;
      expect(shown.map(Number)).toEqual([stored.distance, stored.price, stored.rating, stored.completion, stored.response, stored.soonness]);
      await section.getByLabel('Price').fill('101');
      await section.getByRole('button', { name: 'Save weights' }).click();
      await section.getByRole('alert').filter({ hasText: 'whole number from 0 to 100' }).waitFor();
      expect(puts).toEqual([]);
      expect(await a11yViolations(desk.page)).toEqual([]);
      expect(desk.errors).toEqual([]);
    } finally {
      await desk.context.close();
    }
  });
});
