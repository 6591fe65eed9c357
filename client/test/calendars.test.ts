import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, type Browser } from './browser-kit';

/*
 * Calendars in the browser: a customer adds a booking to their calendar from its page (an .ics
 * download signed by the session cookie), makes a private feed address on My bookings that a
 * calendar app can read without signing in, and stops it; the workshop finds its own feed in
 * its settings.
 */

describe('browser: calendar file and private feed', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;
  let booking: { id: string };

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api);
    customer = await register(api, 'customer', 'Cleo Calendar');
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const slot = slots.find((s) => Date.parse(s.startsAt) > server.services.clock.now() + 86_400_000 && s.free > 0)!;
    const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
    booking = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'CL34 NDR' } }, customer.token)).body.booking;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('downloads the booking as a calendar event from its page', async () => {
    const { page, context, errors } = await openContext(browser, server.url, customer.token);
    try {
      await page.goto(`/#/bookings/${booking.id}`);
      const link = page.getByTestId('add-to-calendar');
      await link.waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/\.ics$/);
      const text = await readFile((await download.path())!, 'utf8');
      expect(text).toContain(`UID:booking-${booking.id}@holdfast`);
      expect(text).toContain(`SUMMARY:${shop.service.name} at ${shop.workshop.name}`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('makes a feed address a calendar app can read, and stops it', async () => {
    // axe is injected as a script: this context alone lets it past the CSP.
    const { page, context, errors } = await openContext(browser, server.url, customer.token, undefined, { bypassCSP: true });
    try {
      await page.goto('/#/bookings');
      const card = page.getByTestId('calendar-feed');
      await card.locator('text=No feed yet.').waitFor();
      await card.getByRole('button', { name: 'Make a feed address' }).click();
      const field = card.getByLabel('Your feed address (shown only now)');
      await field.waitFor();
      const address = await field.inputValue();
      expect(address).toMatch(new RegExp(`^${server.url}/api/v1/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
      expect(await card.getByRole('link', { name: 'Open in calendar app' }).getAttribute('href')).toBe(address.replace(/^http:/, 'webcal:'));
      expect(await a11yViolations(page)).toEqual([]);

      // A calendar app has no session: the address alone reads the feed.
      const feed = await fetch(address);
      expect(feed.status).toBe(200);
      expect(await feed.text()).toContain(`UID:booking-${booking.id}@holdfast`);

      await card.getByRole('button', { name: 'Stop the feed' }).click();
      await card.locator('text=No feed yet.').waitFor();
      expect((await fetch(address)).status).toBe(404);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("offers the workshop a feed of its bookings in its settings", async () => {
    const { page, context, errors } = await openContext(browser, server.url, shop.vendor.token);
    try {
      await page.goto('/#/vendor/settings');
      const card = page.getByTestId('calendar-feed');
      await card.getByRole('button', { name: 'Make a feed address' }).click();
      const address = await card.getByLabel('Your feed address (shown only now)').inputValue();
      const text = await (await fetch(address)).text();
      expect(text).toContain('X-WR-CALNAME:Holdfast: workshop bookings');
      expect(text).toContain(`SUMMARY:${shop.service.name}: Cleo Calendar`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
