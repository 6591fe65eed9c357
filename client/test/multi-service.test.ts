import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * Multi-service visits in the browser: a customer adds an MOT to an oil change on the workshop
 * page, sees the visit's total duration and price, picks a start where the whole run fits and books
 * it as one visit; the vendor's desk shows one request with both services.
 */

describe('browser: one visit for several services', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;
  let mot: { id: string };

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 2 });
    const added = await api.post(
      `/api/workshops/${shop.workshop.id}/services`,
      { name: 'MOT test', category: 'inspection', durationMinutes: 60, basePriceCents: 5485, currency: 'GBP' },
      shop.vendor.token,
    );
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    mot = added.body.service;
    customer = await register(api, 'customer', 'Vic Visit');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the customer books an oil change and an MOT as one visit; the vendor sees one job with both', async () => {
    // A day from tomorrow on, within the grid's first week: its first slot (the run of three fits) and its last (it cannot).
    const slots = ((await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[]).filter((s) => Date.parse(s.startsAt) > Date.now() + 86_400_000);
    const day = (s: SlotView) => new Intl.DateTimeFormat('en-CA', { timeZone: shop.workshop.timezone }).format(new Date(s.startsAt));
    const first = slots.findIndex((s, i) => i > 0 && day(slots[i - 1]!) !== day(s));
    const start = slots[first]!;
    const sameDay = slots.filter((s) => day(s) === day(start));
    const last = sameDay[sameDay.length - 1]!;
    expect(sameDay.length, 'a whole day of slots').toBeGreaterThan(3);

    const { page } = await openContext(browser, server.url, customer.token);
    await page.goto(`/#/workshops/${shop.workshop.id}`);
    await page.waitForSelector(`[data-slot-id="${start.id}"][data-look="free"]`);
    await page.getByRole('radio', { name: /Oil change/ }).check();
    const extras = page.getByRole('group', { name: /Add more services to this visit/ });
    await extras.getByRole('checkbox', { name: /MOT test/ }).check();
    const total = page.getByTestId('visit-total');
    await total.waitFor();
    expect((await total.textContent())?.replace(/\s+/g, ' ')).toContain('2 services · 90 min · £104.84 in total');
    await page.waitForSelector('text=These 2 services take 90 minutes');
    // The last slot of the day cannot start a 90-minute visit: the picker says why instead of holding it.
    expect(await page.getAttribute(`[data-slot-id="${last.id}"]`, 'aria-disabled')).toBe('true');
    expect(await page.getAttribute(`[data-slot-id="${last.id}"]`, 'title')).toContain('needs 3 back-to-back slots');

    await page.click(`[data-slot-id="${start.id}"]`);
    await page.waitForSelector('[data-testid=hold-panel]');
    const listed = page.getByTestId('hold-services');
    expect(await listed.locator('li').allTextContents()).toEqual([expect.stringContaining('Oil change'), expect.stringContaining('MOT test')]);
    expect(await page.getByTestId('hold-price').textContent()).toBe('£104.84');
    for (const s of sameDay.slice(0, 3)) await page.waitForSelector(`[data-slot-id="${s.id}"][data-look="mine"]`);
    await page.waitForSelector(`[data-slot-id="${sameDay[3]!.id}"][data-look="free"]`);
    await screen(page, 'customer-visit-hold');

    await page.fill('input[name=registration]', 'vs24 abc');
    await page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    await page.getByRole('heading', { name: 'Oil change + MOT test' }).waitFor();
    expect(await page.getByTestId('visit-services').locator('li').count()).toBe(2);
    const bookingId = /#\/bookings\/([0-9a-f-]+)/.exec(page.url())?.[1] ?? '';
    const booking = (await api.get(`/api/bookings/${bookingId}`, customer.token)).body.booking;
    expect(booking).toMatchObject({ priceCents: 10484, slotIds: sameDay.slice(0, 3).map((s) => s.id) });
    expect(booking.services.map((s: { serviceId: string }) => s.serviceId)).toEqual([shop.service.id, mot.id]);

    // The desk: one request, the visit's services listed on it.
    const desk = await openContext(browser, server.url, shop.vendor.token);
    await desk.page.goto('/#/vendor/requests');
    const card = desk.page.locator(`[data-testid=request][data-booking-id="${bookingId}"]`);
    await card.waitFor();
    expect(await desk.page.locator('[data-testid=request]').count()).toBe(1);
    expect(await card.locator('.svc').textContent()).toBe('Oil change + MOT test');
    const items = await card.getByTestId('visit-services').locator('li').allTextContents();
    expect(items.map((t) => t.replace(/\s+/g, ' ').trim())).toEqual(['Oil change 30 min', 'MOT test 60 min']);
    await screen(desk.page, 'vendor-visit-request');
    await card.locator('button:has-text("Accept")').click();
    await page.waitForSelector('[data-testid=booking-status][data-status=accepted]');
  });
});
