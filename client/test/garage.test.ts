import type { SlotView } from '@shared/availability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * My garage in Chromium against a real server: a customer saves a vehicle decoded from its VIN
 * (offline data), books with it from the picker at confirm, and the workshop's desk shows the
 * vehicle's details on the request.
 */

describe('browser: my garage', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let gail: Account;

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 1, holdTtlSeconds: 300 });
    gail = await register(api, 'customer', 'Gail Garage');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('saves a vehicle decoded from its VIN, books with it, and the desk sees it on the request', async () => {
    // CSP bypassed only so axe-core can be injected for the accessibility scan (as accessibility.test.ts does).
    const me = await openContext(browser, server.url, gail.token, undefined, { bypassCSP: true });
    await me.page.goto('/#/garage');
    await me.page.getByRole('button', { name: '+ Add a vehicle' }).click();
    await me.page.getByLabel(/^Registration/).fill('hd03 acc');
    await me.page.getByLabel(/^VIN/).fill('1hgcm82633a004352');
    await me.page.getByRole('button', { name: 'Decode VIN' }).click();
    await me.page.getByRole('status').filter({ hasText: 'VIN decoded' }).waitFor();
    expect(await me.page.getByLabel('Make').inputValue()).toBe('Honda');
    expect(await me.page.getByLabel('Model').inputValue()).toBe('Accord');
    expect(await me.page.getByLabel('Fuel').inputValue()).toBe('petrol');
    await me.page.getByLabel('Mileage').fill('87000');
    expect(await a11yViolations(me.page)).toEqual([]);
    await screen(me.page, 'customer-garage-vin-decoded', { publish: true });
    await me.page.getByRole('button', { name: 'Save vehicle' }).click();
    const saved = me.page.locator('[data-testid=garage-list] li').filter({ hasText: 'HD03 ACC' });
    await saved.waitFor();
    expect(await saved.textContent()).toContain('2003 Honda Accord');

    const slot = ((await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[]).find((s) => Date.parse(s.startsAt) > Date.now() + 3 * 3600_000 && s.free > 0)!;
    await me.page.goto(`/#/workshops/${shop.workshop.id}`);
    await me.page.click(`[data-slot-id="${slot.id}"]`);
    const picker = me.page.locator('[data-testid=vehicle-picker]');
    await picker.waitFor();
    expect(await picker.locator('option:checked').textContent()).toContain('HD03 ACC');
    // A saved vehicle needs no typing: the manual fields are gone.
    expect(await me.page.locator('input[name=registration]').count()).toBe(0);
    await screen(me.page, 'customer-confirm-vehicle-picker');
    await me.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await me.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    expect(await me.page.textContent('[data-testid=booking-vehicle]')).toContain('2003 Honda Accord');
    expect(me.errors).toEqual([]);

    const desk = await openContext(browser, server.url, shop.vendor.token);
    await desk.page.goto('/#/vendor');
    const card = desk.page.locator('p', { has: desk.page.locator('[data-testid=request-vehicle]') });
    await card.first().waitFor();
    const text = await card.first().textContent();
    expect(text).toContain('HD03 ACC');
    expect(text).toContain('2003 Honda Accord · Petrol · 87,000 miles');
    await screen(desk.page, 'vendor-request-vehicle');
    expect(desk.errors).toEqual([]);
  });
});
