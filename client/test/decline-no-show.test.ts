import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { offsetClock } from '../../server/domain/clock';
import { apiClient, startTestServer, useOwnDatabase, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * Decline and no-show no longer hurt with one click: the desk (desktop) picks a reason, can undo
 * for a few seconds, and the customer (phone) reads the reason with a way forward; a customer
 * answers a no-show and the admin reads the answer.
 */

const PHONE = { width: 390, height: 844 };

// A database of its own: the accept-SLA sweep on the moved server clock would expire other files' pending requests.
const database = useOwnDatabase('decline_no_show');

describe('browser: decline and no-show with a reason, an undo and a way forward', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;
  // The server's clock jumps past a booking's start for the no-show; the browsers keep real time.
  const serverClock = offsetClock();

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true', DATABASE_URL: database() }, { clock: serverClock });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api);
    customer = await register(api, 'customer', 'Nia Customer');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function book(index: number) {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const slot = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 86_400_000 && s.free > 0)[index]!;
    const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
    return (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'NO12 SHW' } }, customer.token)).body.booking as { id: string; startsAt: string };
  }

  it('the desk declines with a reason after an undo; the customer on a phone reads why and can look for another time', async () => {
    const booking = await book(0);
    const desk = await openContext(browser, server.url, shop.vendor.token);
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    try {
      await phone.page.goto(`/#/bookings/${booking.id}`);
      await phone.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
      const { page } = desk;
      // The desk's clock runs naturally but lets the test skip the 5 s undo windows.
      await desk.context.clock.install();
      await page.goto('/#/vendor/requests');
      const request = `[data-testid=request][data-booking-id="${booking.id}"]`;
      await page.click(`${request} button:has-text("Decline")`);
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Something else').check();
      await dialog.locator('button:has-text("Decline request")').click();
      await dialog.locator('text=Tell the customer why').waitFor(); // no reason, no decline
      await dialog.getByLabel('Fully booked at that time').check();
      await dialog.locator('button:has-text("Decline request")').click();
      // Undo: nothing was sent, the request stays.
      await page.click('.toast button:has-text("Undo")');
      await page.clock.fastForward(5600);
      expect((await api.get(`/api/bookings/${booking.id}`, customer.token)).body.booking.status).toBe('pending');
      await page.waitForSelector(request);

      await page.click(`${request} button:has-text("Decline")`);
      await dialog.getByLabel('We do not do this job on this vehicle').check();
      await dialog.locator('button:has-text("Decline request")').click();
      await page.locator('.toast button:has-text("Undo")').waitFor();
      expect((await api.get(`/api/bookings/${booking.id}`, customer.token)).body.booking.status).toBe('pending'); // not sent during the window
      await page.clock.fastForward(5600);
      await page.waitForSelector(request, { state: 'detached', timeout: 15_000 }); // sent once the undo window passed

      await phone.page.waitForSelector('[data-testid=booking-status][data-status=declined]');
      const note = phone.page.getByTestId('declined-note');
      expect(await note.textContent()).toContain('“We do not do this job on this vehicle”');
      expect(await note.locator('a:has-text("Find another time")').getAttribute('href')).toBe(`#/workshops/${shop.workshop.id}`);
      await screen(phone.page, 'customer-declined-phone');
      for (const ctx of [desk, phone]) expect(ctx.errors).toEqual([]);
    } finally {
      await desk.context.close();
      await phone.context.close();
    }
  });

  it('a no-show with a reason; the customer (phone) answers; the admin reads the answer', async () => {
    const booking = await book(2);
    await api.post(`/api/bookings/${booking.id}/accept`, undefined, shop.vendor.token);
    serverClock.jumpTo(Date.parse(booking.startsAt) + 20 * 60_000);
    const desk = await openContext(browser, server.url, shop.vendor.token);
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    const admin = await openContext(browser, server.url, shop.admin.token);
    try {
      // The desk's browser is 20 minutes past the start too (the screen offers no-show only then).
      await desk.context.clock.install({ time: new Date(Date.parse(booking.startsAt) + 20 * 60_000) });
      await desk.page.goto(`/#/bookings/${booking.id}`);
      await desk.page.click('button:has-text("Mark no-show")');
      const dialog = desk.page.getByRole('dialog');
      await dialog.getByLabel('The customer did not arrive').check();
      await dialog.locator('button:has-text("Mark no-show")').click();
      await desk.page.waitForSelector('[data-testid=booking-status][data-status=no_show]', { timeout: 15_000 });

      await phone.page.goto(`/#/bookings/${booking.id}`);
      const note = phone.page.getByTestId('no-show-note');
      await note.waitFor();
      expect(await note.textContent()).toContain('“The customer did not arrive”');
      await note.getByLabel('Not right? Tell Holdfast what happened').fill('I was there at 08:55; the gate was locked.');
      await note.locator('button:has-text("Send to Holdfast")').click();
      await note.locator('text=Your answer was sent to Holdfast').waitFor();

      await admin.page.goto('/#/admin/no-shows');
      const row = admin.page.locator(`[data-booking-id="${booking.id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('I was there at 08:55; the gate was locked.');
      expect(await row.textContent()).toContain('Nia Customer');
      for (const ctx of [desk, phone, admin]) expect(ctx.errors).toEqual([]);
    } finally {
      serverClock.reset();
      await desk.context.close();
      await phone.context.close();
      await admin.context.close();
    }
  });

  it("the desk's agenda lists the week's accepted jobs and a 'missed' list shows requests that expired unanswered", async () => {
    const kept = await book(4);
    expect((await api.post(`/api/bookings/${kept.id}/accept`, undefined, shop.vendor.token)).status).toBe(200);
    const unanswered = await book(5);
    // The accept deadline passes with nobody at the desk; the SLA sweep expires the request.
    serverClock.jumpTo(Date.now() + (shop.workshop.acceptSlaMinutes + 1) * 60_000);
    try {
      expect(await server.services.transitions.expireOverdue()).toBeGreaterThanOrEqual(1);
    } finally {
      serverClock.reset();
    }
    expect((await api.get(`/api/bookings/${unanswered.id}`, customer.token)).body.booking.status).toBe('expired');
    const desk = await openContext(browser, server.url, shop.vendor.token);
    try {
      await desk.page.goto('/#/vendor/requests');
      const agenda = desk.page.getByTestId('desk-agenda');
      await agenda.locator(`a[href="#/bookings/${kept.id}"]`).waitFor();
      const missed = desk.page.getByTestId('desk-missed');
      await missed.locator(`a[href="#/bookings/${unanswered.id}"]`).waitFor();
      expect(desk.errors).toEqual([]);
    } finally {
      await desk.context.close();
    }
  });
});
