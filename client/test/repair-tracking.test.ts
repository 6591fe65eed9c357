import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, markDocument, noReload, openContext, type Browser } from './browser-kit';

/*
 * Live repair tracking across two people: the workshop (desk, desktop) moves an accepted job
 * through its stages with a note and an ETA and sends a quote for extra work; the customer's open
 * booking page follows every step without a reload; the customer approves the quote and both pages
 * show the new price.
 */

describe('browser: the workshop tracks a repair live and the customer approves extra work', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api);
    customer = await register(api, 'customer', 'Tia Tracking');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** An accepted booking a day or more ahead (the server's own clock: no time of day matters). */
  async function acceptedBooking() {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const now = server.services.clock.now();
    const slot = slots.find((s) => Date.parse(s.startsAt) > now + 86_400_000 && s.free > 0)!;
    const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
    const booking = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'TR12 ACK' } }, customer.token)).body.booking;
    expect((await api.post(`/api/bookings/${booking.id}/accept`, undefined, shop.vendor.token)).status).toBe(200);
    return booking as { id: string; priceCents: number };
  }

  it('stages, note and ETA reach the open booking page; the approved quote moves the price on both sides', async () => {
    const booking = await acceptedBooking();
    expect(booking.priceCents).toBe(4999);
    const desk = await openContext(browser, server.url, shop.vendor.token);
    // axe's script is injected inline, which the app's CSP rightly refuses.
    const mine = await openContext(browser, server.url, customer.token, { width: 390, height: 844 }, { bypassCSP: true });
    try {
      await mine.page.goto(`/#/bookings/${booking.id}`);
      const tracking = mine.page.getByTestId('job');
      await tracking.getByText('The workshop has not started on this job yet.').waitFor();
      expect(await tracking.getByTestId('stage-desk').count()).toBe(0); // the customer gets no desk
      await markDocument(mine.page);

      // The desk checks the car in with a note and an ETA.
      await desk.page.goto(`/#/bookings/${booking.id}`);
      const stages = desk.page.getByRole('group', { name: 'Move the job to' });
      await stages.waitFor();
      await desk.page.getByTestId('stage-desk').getByLabel(/^Note/).fill('Keys received, car in bay 2');
      await desk.page.getByLabel('Expected ready').selectOption({ label: 'In 2 hours' });
      await stages.getByRole('button', { name: 'Checked in', exact: true }).click();
      await desk.page.locator('[data-testid=job][data-stage=checked_in]').waitFor();

      // The customer's open page follows, without a reload.
      await mine.page.locator('[data-testid=job][data-stage=checked_in]').waitFor();
      await tracking.getByText('Keys received, car in bay 2').waitFor();
      await tracking.getByTestId('job-eta').waitFor();

      await stages.getByRole('button', { name: 'Diagnosing', exact: true }).click();
      await mine.page.locator('[data-testid=job][data-stage=diagnosing]').waitFor();
      // Going back is not offered.
      expect(await stages.getByRole('button', { name: 'Checked in', exact: true }).count()).toBe(0);

      // The desk quotes extra work; an unpriced line is refused on the form.
      const form = desk.page.getByTestId('quote-form');
      await form.getByLabel('Work, line 1').fill('Brake discs');
      await form.getByRole('button', { name: 'Send quote' }).click();
      await form.getByRole('alert').waitFor();
      await form.getByLabel(/Price \(GBP\), line 1/).fill('25.00');
      await form.getByRole('button', { name: 'Add a line' }).click();
      await form.getByLabel('Work, line 2').fill('Labour');
      await form.getByLabel(/Price \(GBP\), line 2/).fill('15.50');
      await form.getByRole('button', { name: 'Send quote' }).click();
      await desk.page.locator('[data-testid=quote][data-status=pending]').waitFor();

      // The customer sees it live and approves it.
      const offered = mine.page.locator('[data-testid=quote][data-status=pending]');
      await offered.getByText('Brake discs').waitFor();
      expect(await mine.page.getByTestId('booking-price').textContent()).toContain('49.99');
      expect(await a11yViolations(mine.page)).toEqual([]);
      await offered.getByRole('button', { name: /^Approve/ }).click();
      await mine.page.locator('[data-testid=quote][data-status=approved]').waitFor();

      // The price follows on both pages: 49.99 + 40.50.
      await mine.page.locator('[data-testid=booking-price]', { hasText: '90.49' }).waitFor();
      await mine.page.locator('[data-testid=job-price]', { hasText: '40.50' }).waitFor();
      await desk.page.locator('[data-testid=quote][data-status=approved]').waitFor();
      await desk.page.locator('[data-testid=booking-price]', { hasText: '90.49' }).waitFor();
      // Paid at the workshop: what is owed there follows (the card, if any, is never charged more).
      await mine.page.locator('[data-testid=receipt-at-workshop]', { hasText: '90.49' }).waitFor();

      // Ready for collection: the last step reaches the customer too.
      await stages.getByRole('button', { name: 'Ready for collection', exact: true }).click();
      await mine.page.locator('[data-testid=job][data-stage=ready_for_collection]').waitFor();
      expect(await noReload(mine.page)).toBe(true);

      const detail = (await api.get(`/api/bookings/${booking.id}`, customer.token)).body.booking;
      expect(detail.priceCents).toBe(9049);
      expect(detail.events.map((e: { type: string }) => e.type)).toContain('quote_approved');
      for (const ctx of [desk, mine]) expect(ctx.errors).toEqual([]);
    } finally {
      for (const ctx of [desk, mine]) await ctx.context.close();
    }
  });
});
