import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { PAY_BY_CARD, register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { offsetClock } from '../../server/domain/clock';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { completedBooking } from './journeys';
import { a11yViolations, launchChromium, markDocument, noReload, openContext, screen, type Browser } from './browser-kit';

/*
 * Disputes end to end: the customer reports a problem on a completed, paid booking; the admin finds
 * it in the dispute queue and resolves it with a partial refund (outcome radio, amount, note,
 * confirm); the customer's booking page and the workshop's view of it show the outcome live.
 */

const PHONE = { width: 390, height: 844 };

describe('browser: a customer disputes a completed booking and an admin refunds part of it', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;
  // The server's clock jumps to the booked time to start and complete the job, then comes back.
  const serverClock = offsetClock();

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' }, { clock: serverClock });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api);
    customer = await register(api, 'customer', 'Dana Disputer');
    // The workshop takes the price by card at booking; completion captures it.
    expect((await api.put(`/api/workshops/${shop.workshop.id}/money-policy`, PAY_BY_CARD, shop.vendor.token)).status).toBe(200);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const completedAndPaid = () => completedBooking(api, shop, customer, serverClock, { paymentMethod: '4242 4242 4242 4242' });

  it('open → the admin sees it → partial refund → both sides see the outcome live', async () => {
    const booking = await completedAndPaid();
    // axe-core is injected as a script: the two scanned contexts bypass the CSP (the desk keeps it).
    const phone = await openContext(browser, server.url, customer.token, PHONE, { bypassCSP: true });
    const desk = await openContext(browser, server.url, shop.vendor.token);
    const admin = await openContext(browser, server.url, shop.admin.token, undefined, { bypassCSP: true });
    try {
      const { page } = phone;
      await page.goto(`/#/bookings/${booking.id}`);
      await page.waitForSelector('[data-testid=booking-status][data-status=completed]');
      await page.getByRole('button', { name: 'Report a problem' }).click();
      // Nothing chosen: the form says what is missing and sends nothing.
      await page.getByRole('button', { name: 'Send to Holdfast' }).click();
      await page.getByRole('alert').filter({ hasText: 'Choose what went wrong' }).waitFor();
      await page.getByLabel('What went wrong?').selectOption({ label: 'The work was poor' });
      await page.getByLabel(/Tell us what happened/).fill('The brake pads squeal and the wheel nuts were loose.');
      expect(await a11yViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Send to Holdfast' }).click();
      await page.waitForSelector('[data-testid=dispute][data-status=open]');
      expect(await page.getByTestId('dispute').textContent()).toContain('The brake pads squeal');
      await markDocument(page);

      // The workshop's owner opens the booking and sees the report too.
      await desk.page.goto(`/#/bookings/${booking.id}`);
      await desk.page.waitForSelector('[data-testid=dispute][data-status=open]');
      await markDocument(desk.page);

      const a = admin.page;
      await a.goto('/#/admin/disputes');
      const row = a.locator(`[data-booking-id="${booking.id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain('Dana Disputer');
      expect(await row.textContent()).toContain('The work was poor');
      expect(await a11yViolations(a)).toEqual([]);
      await row.getByRole('button', { name: 'Resolve…' }).click();
      await row.getByLabel('Partial refund').check();
      await row.getByLabel(/Amount to refund/).fill(String(booking.priceCents)); // pounds, not pence: too much
      await row.getByRole('button', { name: 'Resolve dispute' }).click();
      await row.getByRole('alert').filter({ hasText: 'At most' }).waitFor();
      await row.getByLabel(/Amount to refund/).fill('15.00');
      await row.getByLabel(/Note to both sides/).fill('The loose wheel nuts were confirmed; half of the labour is refunded.');
      a.once('dialog', (d) => void d.accept());
      await screen(a, 'admin-dispute-resolve', { publish: true });
      await row.getByRole('button', { name: 'Resolve dispute' }).click();
      await a.getByRole('tab', { name: 'Open' }).waitFor();
      await row.waitFor({ state: 'detached' }); // gone from the open queue
      await a.getByRole('tab', { name: 'Resolved' }).click();
      await a.locator(`[data-booking-id="${booking.id}"] [data-testid=dispute-outcome]`).waitFor();

      // Live: neither page was reloaded.
      for (const p of [page, desk.page]) {
        await p.waitForSelector('[data-testid=dispute][data-status=resolved][data-outcome=partial_refund]');
        expect(await p.getByTestId('dispute-outcome').textContent()).toContain('£15.00');
        expect(await noReload(p)).toBe(true);
      }
      expect(await page.getByTestId('dispute-outcome').textContent()).toContain('half of the labour is refunded');
      await screen(page, 'customer-dispute-resolved-phone', { publish: true, fullPage: true });

      const position = await server.services.ledger.position(booking.id);
      expect(position).toMatchObject({ captured: booking.priceCents, refunded: 1500, escrowed: booking.priceCents - 1500 });
      for (const ctx of [phone, desk, admin]) expect(ctx.errors).toEqual([]);
    } finally {
      await Promise.all([phone.context.close(), desk.context.close(), admin.context.close()]);
    }
  });

  it('a late-cancellation fee can be contested from the cancelled booking\'s page; a free cancellation shows nothing to contest', async () => {
    // From now on the workshop charges 20 % for a late cancellation (fixed on each booking at confirm).
    const fees = { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 0 };
    expect((await api.put(`/api/workshops/${shop.workshop.id}/money-policy`, fees, shop.vendor.token)).status).toBe(200);
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const [lateSlot, freeSlot] = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 3 * 86_400_000 && s.free > 0);
    const book = async (slot: SlotView) => {
      const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
      const b = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'DS12 PUT' }, paymentMethod: '4242 4242 4242 4242' }, customer.token)).body.booking;
      expect((await api.post(`/api/bookings/${b.id}/accept`, undefined, shop.vendor.token)).status).toBe(200);
      return b as { id: string; startsAt: string };
    };
    const late = await book(lateSlot!);
    const free = await book(freeSlot!);
    expect((await api.post(`/api/bookings/${free.id}/cancel`, undefined, customer.token)).status).toBe(200);
    serverClock.jumpTo(Date.parse(late.startsAt) - 2 * 3_600_000);
    try {
      expect((await api.post(`/api/bookings/${late.id}/cancel`, undefined, customer.token)).status).toBe(200);
    } finally {
      serverClock.reset();
    }
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    try {
      const { page } = phone;
      await page.goto(`/#/bookings/${late.id}`);
      await page.waitForSelector('[data-testid=booking-status][data-status=cancelled]');
      await page.getByText('You can contest the fee charged for this booking until').waitFor();
      await page.getByRole('button', { name: 'Report a problem' }).click();
      await page.getByLabel('What went wrong?').selectOption({ index: 1 });
      await page.getByLabel(/Tell us what happened/).fill('The workshop asked me to cancel; the fee should not apply.');
      await page.getByRole('button', { name: 'Send to Holdfast' }).click();
      await page.waitForSelector('[data-testid=dispute][data-status=open]');
      expect(await server.services.disputes.hasOpenDispute(late.id)).toBe(true);

      // The card asks the server (openUntil is null: no fee) and shows nothing.
      const asked = page.waitForResponse((r) => r.url().includes(`/bookings/${free.id}/dispute`));
      await page.goto(`/#/bookings/${free.id}`);
      await page.waitForSelector('[data-testid=booking-status][data-status=cancelled]');
      expect(await (await asked).json()).toEqual({ dispute: null, openUntil: null });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect(await page.getByRole('button', { name: 'Report a problem' }).count()).toBe(0);
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});
