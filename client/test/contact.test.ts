import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { createAdmin, register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * Contact and verification, walked by two people at a time: a customer on a phone finds the
 * workshop's phone, email and map on their booking and leaves their own number, which the
 * workshop's desk (desktop) then shows on that booking; an admin on a phone reads a pending
 * workshop's owner and checklist, and the vendor (desktop) sees the reason it was returned.
 */

const PHONE = { width: 390, height: 844 };

describe('browser: contact on a booking, and verification with a checklist', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api);
    customer = await register(api, 'customer', 'Cara Customer');
    browser = await launchChromium();
  }, 120_000);

  /** The customer holds and confirms one slot through the API (the screens under test come after). */
  async function bookAs(w: { workshop: { id: string }; service: { id: string } }, slotId: string, registration: string): Promise<{ id: string; startsAt: string }> {
    const hold = await api.post('/api/holds', { workshopId: w.workshop.id, serviceId: w.service.id, slotId }, customer.token);
    return (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration } }, customer.token)).body.booking;
  }

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the customer (phone) reaches the workshop and leaves a number; the workshop (desktop) sees it on the booking', async () => {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const slot = slots.find((s) => Date.parse(s.startsAt) > Date.now() + 86_400_000 && s.free > 0)!;
    const booking = await bookAs(shop, slot.id, 'CA12 RAC');

    const phone = await openContext(browser, server.url, customer.token, PHONE);
    const desk = await openContext(browser, server.url, shop.vendor.token);
    try {
      await phone.page.goto(`/#/bookings/${booking.id}`);
      const card = phone.page.getByTestId('booking-contact');
      await card.waitFor();
      expect(await phone.page.getAttribute('[data-testid=workshop-phone]', 'href')).toBe('tel:+441134960000');
      expect(await card.textContent()).toContain('desk@garage.test');
      expect(await card.locator('a:has-text("Open in map")').getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=53.8&mlon=-1.55#map=17/53.8/-1.55');
      await card.locator('button:has-text("Add phone")').click();
      await card.getByLabel('Your phone').fill('not a phone');
      await card.locator('button:has-text("Save")').click();
      await card.locator('text=Use digits, spaces, brackets or dashes').waitFor();
      await card.getByLabel('Your phone').fill('07700 900123');
      await card.locator('button:has-text("Save")').click();
      await phone.page.waitForSelector('[data-testid=my-phone]:has-text("07700 900123")');
      await card.scrollIntoViewIfNeeded();
      await screen(phone.page, 'customer-booking-contact-phone', { publish: true });

      await desk.page.goto(`/#/bookings/${booking.id}`);
      await desk.page.waitForSelector('[data-testid=customer-phone]');
      expect(await desk.page.textContent('[data-testid=booking-contact]')).toContain('Cara Customer');
      expect(await desk.page.getAttribute('[data-testid=customer-phone]', 'href')).toBe('tel:07700900123');
      for (const ctx of [phone, desk]) expect(ctx.errors).toEqual([]);
    } finally {
      await phone.context.close();
      await desk.context.close();
    }
  });

  it('the admin (phone) reads the owner and checklist of an empty listing and returns it; the vendor (desktop) reads why', async () => {
    const vendor = await register(api, 'vendor', 'Vic Vendor');
    const admin = await createAdmin(server, api);
    const created = await api.post('/api/workshops', { name: 'Empty Listing', city: 'Leeds', address: '9 Nowhere Road', timezone: 'UTC', bays: 1 }, vendor.token);
    const id = created.body.workshop.id as string;

    const adminPhone = await openContext(browser, server.url, admin.token, PHONE);
    const desk = await openContext(browser, server.url, vendor.token);
    try {
      const { page } = adminPhone;
      await page.goto('/#/admin/verify');
      const row = `tr[data-workshop-id="${id}"]`;
      await page.waitForSelector(row);
      expect(await page.textContent(row)).toContain('Vic Vendor');
      expect(await page.locator(`${row} .checklist li.open`).evaluateAll((els) => els.map((e) => e.getAttribute('data-item')))).toEqual(['hours', 'service', 'timezone', 'contact', 'registration', 'insurance']);
      expect(await page.textContent(`${row} [data-item=timezone]`)).toContain('UTC does not match Leeds (expected Europe/London)');
      expect(await page.isDisabled(`${row} button:has-text("Verify")`)).toBe(true);
      await page.click(`${row} button:has-text("Return to vendor")`);
      await page.click(`${row} button:has-text("Send back")`);
      await page.waitForSelector(`${row} >> text=Tell the vendor what to fix`); // checked before sending
      await page.getByLabel('What should the owner fix?').fill('Set the time zone to Europe/London and add a phone number.');
      await page.click(`${row} button:has-text("Send back")`);
      await page.waitForSelector(`${row} [data-testid=returned-note]`);
      await screen(page, 'admin-queue-phone');

      await desk.page.goto('/#/vendor/requests');
      await desk.page.waitForSelector('text=Set the time zone to Europe/London and add a phone number.');
      expect(await desk.page.isDisabled('button:has-text("Ask for review again")')).toBe(true); // the list is not complete yet
      for (const ctx of [adminPhone, desk]) expect(ctx.errors).toEqual([]);
    } finally {
      await adminPhone.context.close();
      await desk.context.close();
    }
  });

  it('a message thread between the customer (phone) and the desk (desktop): live both ways, with unread counts', async () => {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const slot = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 2 * 86_400_000 && s.free > 0)[3]!;
    const booking = await bookAs(shop, slot.id, 'ME55 AGE');

    const phone = await openContext(browser, server.url, customer.token, PHONE);
    const desk = await openContext(browser, server.url, shop.vendor.token);
    try {
      await desk.page.goto('/#/vendor/requests');
      await desk.page.waitForSelector('[data-testid=request]');
      await phone.page.goto(`/#/bookings/${booking.id}`);
      const thread = phone.page.getByTestId('message-thread');
      await thread.locator('text=No messages yet').waitFor();
      await thread.getByLabel('Your message').fill('Is there parking near the workshop?');
      await thread.locator('button:has-text("Send")').click();
      await thread.locator('li.mine:has-text("Is there parking near the workshop?")').waitFor();

      // The desk hears it at once: the header count and the "New messages" card, no reload.
      await desk.page.waitForSelector('[data-testid=nav-unread]:has-text("1")');
      const card = desk.page.getByTestId('desk-messages');
      await card.waitFor();
      expect(await card.textContent()).toContain('Cara Customer');
      await card.locator(`a[href$="/bookings/${booking.id}"]`).click();
      const deskThread = desk.page.getByTestId('message-thread');
      await deskThread.locator('text=Is there parking near the workshop?').waitFor();
      await desk.page.waitForSelector('[data-testid=nav-unread]', { state: 'detached' }); // read once open
      await deskThread.getByLabel('Your message').fill('Yes, two spaces behind the building.');
      await deskThread.locator('button:has-text("Send")').click();

      // The customer's open thread shows the reply live, signed by the workshop; it counts as read.
      await thread.locator('li:not(.mine):has-text("Yes, two spaces behind the building.")').waitFor();
      expect(await thread.locator('li:not(.mine) .author').textContent()).toContain('Test Garage');
      await screen(phone.page, 'customer-message-thread-phone', { publish: true });
      await phone.page.goto('/#/bookings');
      await phone.page.waitForSelector(`[data-booking-id="${booking.id}"]`);
      expect(await phone.page.isVisible(`[data-testid="unread-${booking.id}"]`)).toBe(false);

      // A message that arrives while the customer is elsewhere is counted on My bookings.
      await api.post(`/api/bookings/${booking.id}/messages`, { body: 'See you then.' }, shop.vendor.token);
      await phone.page.waitForSelector(`[data-testid="unread-${booking.id}"]:has-text("1")`);
      await phone.page.waitForSelector('[data-testid=nav-unread]:has-text("1")');
      for (const ctx of [phone, desk]) expect(ctx.errors).toEqual([]);
    } finally {
      await phone.context.close();
      await desk.context.close();
    }
  });

  it('a hold follows the customer (phone) away from the workshop page: a header chip and My bookings', async () => {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const slot = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 3 * 86_400_000 && s.free > 0)[0]!;
    const held = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
    expect(held.status).toBe(201);
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    try {
      await phone.page.goto('/#/bookings');
      const section = phone.page.getByTestId('my-holds');
      await section.waitFor();
      expect(await section.textContent()).toMatch(/1 slot held · \d+:\d{2} left/);
      expect(await phone.page.getByTestId('hold-chip').textContent()).toMatch(/Held \d+:\d{2}/);
      await section.locator('a:has-text("Continue booking")').click();
      await phone.page.waitForSelector(`[data-slot-id="${slot.id}"]`);
      expect(phone.page.url()).toContain(`/workshops/${shop.workshop.id}`);
      // Released: the chip goes.
      await api.del(`/api/holds/${held.body.hold.id}`, customer.token);
      await phone.page.goto('/#/bookings');
      await phone.page.waitForSelector('h1:has-text("My bookings")');
      await phone.page.waitForSelector('[data-testid=hold-chip]', { state: 'detached' });
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('a suspension reaches an open workshop page on a phone at once: the grid pauses and says why; reinstating resumes it; a customer with a booking there still finds it', async () => {
    const other = await verifiedWorkshop(server, api);
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    try {
      await phone.page.goto(`/#/workshops/${other.workshop.id}`);
      await phone.page.waitForSelector('[data-slot-id]');
      // On a phone: day chips over a list of times (no 640 px table); a chip jumps to its day.
      expect(await phone.page.locator('table.slot-grid').count()).toBe(0);
      const chips = phone.page.locator('.day-chip');
      expect(await chips.count()).toBeGreaterThanOrEqual(5);
      await chips.nth(3).click();
      await expect.poll(() => phone.page.locator('section.day').nth(3).evaluate((el) => Math.round(el.getBoundingClientRect().top)), { timeout: 5_000 }).toBeLessThan(120);
      await phone.page.evaluate(() => window.scrollTo(0, 0));
      await phone.page.locator('.day-chips').scrollIntoViewIfNeeded();
      await screen(phone.page, 'customer-workshop-phone', { publish: true });
      // On a phone the times come before the reviews.
      const top = (sel: string) => phone.page.locator(sel).first().evaluate((el) => el.getBoundingClientRect().top);
      expect(await top('[data-slot-id]')).toBeLessThan(await top('[data-testid=workshop-reviews]'));
      const path = `/api/admin/workshops/${other.workshop.id}`;
      expect((await api.post(`${path}/suspend`, undefined, other.admin.token)).status).toBe(200);
      const note = phone.page.getByTestId('workshop-paused');
      await note.waitFor();
      expect(await note.textContent()).toContain('Bookings you already have stay as they are');
      expect(await phone.page.getAttribute('[data-testid=grid-wrap]', 'class')).toContain('dimmed');
      await screen(phone.page, 'customer-workshop-paused-phone');
      expect((await api.post(`${path}/verify`, undefined, other.admin.token)).status).toBe(200);
      await note.waitFor({ state: 'detached' });

      // A customer with a booking there, after a suspension: the page says so and links the booking.
      const slots = (await api.get(`/api/workshops/${other.workshop.id}/availability`)).body.slots as SlotView[];
      const free = slots.find((s) => Date.parse(s.startsAt) > Date.now() + 86_400_000 && s.free > 0)!;
      const booked = await bookAs(other, free.id, 'SU55 PND');
      expect((await api.post(`${path}/suspend`, undefined, other.admin.token)).status).toBe(200);
      await phone.page.reload();
      const notice = phone.page.getByTestId('unlisted-notice');
      await notice.waitFor();
      expect(await notice.textContent()).toContain('Your bookings with it stay as they are');
      expect(await phone.page.getAttribute(`a[href="#/bookings/${booked.id}"]`, 'href')).toBe(`#/bookings/${booked.id}`);
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('a customer on a phone asks to move an accepted booking; the desk declines and the old time stays', async () => {
    const slots = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[];
    const later = slots.filter((s) => Date.parse(s.startsAt) > Date.now() + 4 * 86_400_000 && s.free > 0);
    const booking = await bookAs(shop, later[0]!.id, 'MO12 VED');
    expect((await api.post(`/api/bookings/${booking.id}/accept`, undefined, shop.vendor.token)).status).toBe(200);

    const phone = await openContext(browser, server.url, customer.token, PHONE);
    const desk = await openContext(browser, server.url, shop.vendor.token);
    try {
      await desk.page.goto('/#/vendor/requests');
      await phone.page.goto(`/#/workshops/${shop.workshop.id}?reschedule=${booking.id}`);
      await phone.page.waitForSelector('text=Rescheduling');
      await phone.page.click(`[data-slot-id="${later[2]!.id}"]`);
      const review = phone.page.getByRole('dialog');
      await review.getByTestId('move-needs-acceptance').waitFor();
      await screen(phone.page, 'customer-move-review-phone');
      await review.locator('button:has-text("Ask to move")').click();
      await phone.page.waitForSelector('[data-testid=move-request-note]');
      const requestId = phone.page.url().split('/bookings/')[1]!;

      // The desk is told at once, like a new request, and declines with a reason.
      await desk.page.waitForSelector('.toast:has-text("Move request")');
      const card = `[data-testid=request][data-booking-id="${requestId}"]`;
      await desk.page.click(`${card} button:has-text("Decline")`);
      await desk.page.getByRole('dialog').getByLabel('Fully booked at that time').check();
      await desk.page.getByRole('dialog').locator('button:has-text("Decline request")').click();
      await phone.page.waitForSelector('[data-testid=booking-status][data-status=declined]', { timeout: 15_000 });
      expect((await api.get(`/api/bookings/${booking.id}`, customer.token)).body.booking).toMatchObject({ status: 'accepted', slotIds: [later[0]!.id] });
      for (const ctx of [phone, desk]) expect(ctx.errors).toEqual([]);
    } finally {
      await phone.context.close();
      await desk.context.close();
    }
  });

  it('a today-only urgency explains itself on a phone when picked for another day', async () => {
    const other = await verifiedWorkshop(server, api);
    const urgent = await api.post(`/api/workshops/${other.workshop.id}/services`, {
      name: 'Urgent repair', category: 'other', durationMinutes: 30, basePriceCents: 9000, currency: 'GBP',
      options: { urgency: [{ id: 'normal', label: 'Normal', multiplier: 1 }, { id: 'same-day', label: 'Same day', multiplier: 1.5, todayOnly: true }] },
    }, other.vendor.token);
    expect(urgent.status).toBe(201);
    const slots = (await api.get(`/api/workshops/${other.workshop.id}/availability`)).body.slots as SlotView[];
    const later = slots.find((s) => Date.parse(s.startsAt) > Date.now() + 2 * 86_400_000 && s.free > 0)!;
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    try {
      await phone.page.goto(`/#/workshops/${other.workshop.id}`);
      await phone.page.getByRole('radio', { name: /Urgent repair/ }).check();
      await phone.page.getByLabel('Urgency').selectOption({ label: 'Same day (×1.5) — today only' });
      await phone.page.click(`[data-slot-id="${later.id}"]`);
      await phone.page.waitForSelector('text=“Same day” is only for times today');
      expect(await api.get('/api/holds', customer.token).then((r) => r.body.holds.length)).toBe(0);
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('the search lives in the address on a phone: typed filters survive a reload and a shared link opens them', async () => {
    const phone = await openContext(browser, server.url, customer.token, PHONE);
    try {
      await phone.page.goto('/#/?q=Test&sort=name');
      expect(await phone.page.getByLabel('Search', { exact: true }).inputValue()).toBe('Test');
      await phone.page.getByLabel('City').fill('Leeds');
      await expect.poll(() => phone.page.url()).toContain('city=Leeds');
      expect(phone.page.url()).toContain('q=Test');
      expect(phone.page.url()).toContain('sort=name');
      await phone.page.reload();
      expect(await phone.page.getByLabel('City').inputValue()).toBe('Leeds');
      const card = phone.page.locator(`a[href="#/workshops/${shop.workshop.id}"]`);
      // Other files' "Test Garage"s in Leeds share the list, 20 to a page: "Load more" until this one shows.
      await phone.page.getByTestId('result').first().waitFor();
      for (let page = 0; page < 30 && !(await card.count()); page++) {
        const shown = await phone.page.getByTestId('result').count();
        await phone.page.getByRole('button', { name: /^Load more/ }).click();
        await phone.page.waitForFunction((n) => document.querySelectorAll('[data-testid=result]').length > n, shown);
      }
      await card.waitFor();
      // The card says what the cheapest service costs (the fixture's oil change, £49.99).
      expect(await card.getByTestId('from-price').textContent()).toContain('Services from £49.99');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });
});
