import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, markDocument, noReload, openContext, screen, type Browser } from './browser-kit';

/*
 * A closed day keeps no booking and sells nothing. The vendor (desktop) closes a day that has a
 * booking: the desk lists that booking and asks what to do with it (moved to the nearest free
 * time here); a customer watching on a phone sees the whole day leave the grid live; nothing on
 * it can be held; the booking now stands on another day.
 */

const LONDON = 'Europe/London';
const localDate = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: LONDON }).format(new Date(iso));
const PHONE = { width: 390, height: 844 };

describe('browser: closing a day that has bookings', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let booker: Account;
  let watcher: Account;

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 2 });
    [booker, watcher] = await Promise.all([register(api, 'customer', 'Bea Booker'), register(api, 'customer', 'Wes Watcher')]);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the vendor resolves the booking (moved to the nearest free time), and the day leaves an open phone grid; nothing on it is sold', async () => {
    // A day two days on (whatever today is), with one of its two bays booked at its first hour.
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const day = localDate(new Date(Date.now() + 2 * 86_400_000).toISOString());
    const onDay = slots.filter((s) => localDate(s.startsAt) === day);
    expect(onDay.length).toBeGreaterThan(2);
    const booked = onDay[1]!;
    const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: booked.id }, booker.token);
    const booking = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'AB12 CDE' } }, booker.token)).body.booking;
    expect(booking.status).toBe('pending');

    const vendor = await openContext(browser, server.url, shop.vendor.token);
    const phone = await openContext(browser, server.url, watcher.token, PHONE);
    try {
      await phone.page.goto(`/#/workshops/${shop.workshop.id}`);
      await phone.page.waitForSelector(`[data-slot-id="${booked.id}"]`);
      expect(await phone.page.getAttribute(`[data-slot-id="${booked.id}"]`, 'aria-label')).toContain('1 of 2 bays free');
      await markDocument(phone.page);

      const { page } = vendor;
      await page.goto('/#/vendor/settings');
      await page.fill('input[type=date]', day);
      await page.getByLabel('Reason').fill('Staff training');
      await page.click('button:has-text("Close that day")');
      const warning = page.getByTestId('closure-warning');
      await warning.waitFor();
      expect(await warning.textContent()).toContain('1 booking on');
      expect(await warning.textContent()).toContain('Bea Booker');
      expect(await api.get(`/api/workshops/${shop.workshop.id}`).then((r) => r.body.workshop.closures)).toEqual([]); // nothing saved yet
      await screen(page, 'vendor-closure-warning');
      expect(await page.getByLabel(/^What to do with/).inputValue()).toBe('move');
      await page.click('button:has-text("Resolve and close the day")');
      await page.waitForSelector(`li[data-date="${day}"]`);

      // Every slot of that day leaves the customer's phone grid, live.
      await phone.page.waitForFunction((ids) => ids.every((id) => !document.querySelector(`[data-slot-id="${id}"]`)), onDay.map((s) => s.id));
      expect(await noReload(phone.page)).toBe(true);
      expect((await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots.some((s: SlotView) => localDate(s.startsAt) === day)).toBe(false);
      const refused = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: booked.id }, watcher.token);
      // Its booking moved away, so the closure removed the slot altogether: no hold can name it.
      expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 422, code: 'SLOT_SERVICE_MISMATCH' });
      const moved = (await api.get(`/api/bookings/${booking.id}`, booker.token)).body.booking;
      expect(moved.status).toBe('pending');
      expect(localDate(moved.startsAt)).not.toBe(day);
      expect(moved.events.at(-1)).toMatchObject({ type: 'moved_by_workshop', data: { reason: 'Staff training' } });
      for (const ctx of [vendor, phone]) expect(ctx.errors).toEqual([]);
    } finally {
      await vendor.context.close();
      await phone.context.close();
    }
  });
});
