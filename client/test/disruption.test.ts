import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, markDocument, noReload, openContext, screen, type Browser } from './browser-kit';

/*
 * Disruption, with the workshop's owner and the customer in two browsers: the owner moves a
 * booking from its page; the customer's open booking page shows the move live with the reason and
 * free times, and one click takes one. The owner closes a day with a booking and cancels it with
 * a reason; the customer's page says why. Days are counted from now.
 */

const LONDON = 'Europe/London';
const localDate = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: LONDON }).format(new Date(iso));
const DAY = 86_400_000;

describe('browser: a workshop moves and cancels bookings', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 1 });
    customer = await register(api, 'customer', 'Cara Customer');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The slots of the local day `days` days from now, and one of them booked (and accepted) by the customer. */
  async function bookOnDay(days: number, index: number) {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const day = localDate(new Date(Date.now() + days * DAY).toISOString());
    const onDay = slots.filter((s) => localDate(s.startsAt) === day);
    expect(onDay.length).toBeGreaterThan(index + 2);
    const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: onDay[index]!.id }, customer.token);
    const booking = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'AB12 CDE' } }, customer.token)).body.booking;
    expect((await api.post(`/api/bookings/${booking.id}/accept`, undefined, shop.vendor.token)).status).toBe(200);
    return { day, onDay, booking: booking as { id: string; startsAt: string } };
  }
  const bookingNow = async (id: string) => (await api.get(`/api/bookings/${id}`, customer.token)).body.booking;

  it('the owner moves a booking; the customer sees it live with the reason and alternatives and takes one in one click', async () => {
    const { onDay, booking } = await bookOnDay(2, 4);
    const owner = await openContext(browser, server.url, shop.vendor.token);
    const phone = await openContext(browser, server.url, customer.token, { width: 390, height: 844 });
    try {
      await phone.page.goto(`/#/bookings/${booking.id}`);
      await phone.page.waitForSelector('[data-testid="booking-status"][data-status="accepted"]');
      await markDocument(phone.page);

      await owner.page.goto(`/#/bookings/${booking.id}`);
      await owner.page.getByText("Can't make it? Move or cancel for the customer").click();
      await owner.page.getByLabel(/^Reason/).fill('The lift is being repaired');
      await owner.page.getByRole('button', { name: 'Move to the nearest free time' }).click();
      await owner.page.getByText(/The customer was told why/).waitFor();

      // Nearest to the booked time, earlier on a tie: the slot before it.
      expect((await bookingNow(booking.id)).startsAt).toBe(onDay[3]!.startsAt);
      // The customer's open page shows the move live, with the reason and free times to take instead.
      const note = phone.page.locator('[data-testid="disruption-note"][data-kind="moved_by_workshop"]');
      await note.waitFor();
      expect(await phone.page.getByTestId('disruption-reason').textContent()).toBe('The lift is being repaired');
      const take = phone.page.getByRole('button', { name: /^Take / });
      await take.first().waitFor();
      expect(await noReload(phone.page)).toBe(true);
      await screen(phone.page, 'customer-disruption-note');

      // One click: the first alternative is the original time, free again.
      await take.first().click();
      await phone.page.waitForFunction(() => !document.querySelector('[data-testid="disruption-note"] button'));
      const after = await bookingNow(booking.id);
      expect(after).toMatchObject({ status: 'accepted', startsAt: onDay[4]!.startsAt });
      expect(after.events.at(-1)).toMatchObject({ type: 'rescheduled', actorRole: 'customer', data: { alternative: true } });
      for (const ctx of [owner, phone]) expect(ctx.errors).toEqual([]);
    } finally {
      await owner.context.close();
      await phone.context.close();
    }
  });

  it('the owner closes a day with a booking and cancels it with a reason; the customer sees why', async () => {
    const { day, booking } = await bookOnDay(3, 2);
    const owner = await openContext(browser, server.url, shop.vendor.token);
    const phone = await openContext(browser, server.url, customer.token, { width: 390, height: 844 });
    try {
      await phone.page.goto(`/#/bookings/${booking.id}`);
      await phone.page.waitForSelector('[data-testid="booking-status"][data-status="accepted"]');

      const { page } = owner;
      await page.goto('/#/vendor/settings');
      await page.fill('input[type=date]', day);
      await page.getByLabel('Reason', { exact: true }).fill('Flooded workshop');
      await page.click('button:has-text("Close that day")');
      const warning = page.getByTestId('closure-warning');
      await warning.waitFor();
      expect(await warning.textContent()).toContain('Cara Customer');
      await page.getByLabel(/^What to do with/).selectOption('cancel');
      expect(await page.getByLabel('Reason for the customers').inputValue()).toBe('Flooded workshop');
      await page.click('button:has-text("Resolve and close the day")');
      await page.waitForSelector(`li[data-date="${day}"]`);

      const after = await bookingNow(booking.id);
      expect(after.status).toBe('cancelled');
      expect(after.events.at(-1)).toMatchObject({ type: 'cancelled_by_workshop', actorRole: 'vendor', data: { reason: 'Flooded workshop' } });
      await phone.page.waitForSelector('[data-testid="booking-status"][data-status="cancelled"]');
      await phone.page.locator('[data-testid="disruption-note"][data-kind="cancelled_by_workshop"]').waitFor();
      expect(await phone.page.getByTestId('disruption-reason').textContent()).toBe('Flooded workshop');
      for (const ctx of [owner, phone]) expect(ctx.errors).toEqual([]);
    } finally {
      await owner.context.close();
      await phone.context.close();
    }
  });
});
