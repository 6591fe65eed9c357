import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, type Browser, type Page } from './browser-kit';

/*
 * Every screen, as the person who uses it sees it, checked by axe-core against the WCAG 2.1
 * A/AA rules: no serious or critical violation (contrast, names, labels, roles, landmarks…).
 */

// Up to five scans per test, on a box that also runs the type checks and the other tiers at the
// start of the suite (load average 15-17 on a slow CI host), so the bound is 150 s.
describe('browser: accessibility of every screen (axe-core, WCAG 2.1 AA) and the page CSP', { timeout: 150_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let customer: Account;
  let admin: Account;
  let bookingId = '';

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 2 });
    [customer, admin] = await Promise.all([register(api, 'customer', 'Ally Access'), createAdmin(server, api)]);
    const slot = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots[8];
    const hold = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token);
    bookingId = (await api.post('/api/bookings', { holdId: hold.body.hold.id, vehicle: { registration: 'AB12 CDE' } }, customer.token)).body.booking.id;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  // One tab per person and screen size, kept for the whole file: its first screen is a full page
  // load, the next ones are reached as a person reaches them, by a route change in the same
  // document (the app routes on the URL's hash). A fresh context and a full load per scan cost
  // ~6 s of CPU on two cores; a route change costs the screen's own rendering. `reload` loads the
  // page afresh where the screen must show what the API changed behind the app's back.
  type Tab = Awaited<ReturnType<typeof openContext>>;
  const tabs = new Map<string, Tab>();
  const PHONE = { width: 390, height: 844 };

  async function scan(token: string | undefined, path: string, ready: string, opts: { phone?: boolean; reload?: boolean; then?: (page: Page) => Promise<void> } = {}) {
    const key = `${token ?? 'anonymous'} ${opts.phone ? 'phone' : 'desktop'}`;
    let tab = tabs.get(key);
    if (!tab) {
      // The axe script is injected inline, which the app's CSP rightly refuses.
      tab = await openContext(browser, server.url, token, opts.phone ? PHONE : undefined, { bypassCSP: true });
      tabs.set(key, tab);
      await tab.page.goto(path);
    } else {
      const { page } = tab;
      // A route change: the hash set in the page, then two frames, so the old screen is gone
      // before `ready` is looked for (two screens may share a selector, e.g. a submit button).
      await page.evaluate(async (hash) => {
        if (location.hash !== hash) {
          const changed = new Promise((resolve) => addEventListener('hashchange', resolve, { once: true }));
          location.hash = hash;
          await changed;
        }
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      }, path.replace(/^\//, ''));
      if (opts.reload) await page.reload();
    }
    const { page, errors } = tab;
    await page.waitForSelector(ready);
    await opts.then?.(page);
    await page.waitForTimeout(300); // let entry transitions settle before measuring contrast
    const found = await a11yViolations(page);
    expect(found, `${key}: ${path}\n${JSON.stringify(found, null, 2)}`).toEqual([]);
    expect(errors).toEqual([]);
  }

  it('serves the app with a strict Content-Security-Policy (the browser tests fail on anything it blocks)', async () => {
    const page = await fetch(`${server.url}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await fetch(`${server.url}/vendor/settings`)).headers.get('content-security-policy')).toBe(csp); // client-side routes too
    expect((await fetch(`${server.url}/api/workshops`)).headers.get('content-security-policy')).toBeNull();
  });

  it('public screens: search, workshop page, sign in and sign up', async () => {
    await scan(undefined, '/#/', 'text=Test Garage');
    await scan(undefined, `/#/workshops/${shop.workshop.id}`, '[data-slot-id]');
    await scan(undefined, '/#/signin', 'form button[type=submit]');
    await scan(undefined, '/#/signup', 'form button[type=submit]');
    await scan(undefined, '/#/', 'text=Test Garage', { phone: true });
  });

  it('account screens: forgot password, reset, a failed verification link, an invitation, and the Admins section', async () => {
    await scan(undefined, '/#/forgot', 'form button[type=submit]', {
      then: async (page) => {
        await page.getByRole('button', { name: 'Email me a link' }).click(); // the field's error, announced
        await page.waitForSelector('#err-email');
      },
    });
    await scan(undefined, '/#/reset?token=not-a-real-token', 'form button[type=submit]');
    await scan(customer.token, '/#/verify?token=not-a-real-token', '[data-testid=verify-failed]');
    await scan(undefined, '/#/invite?token=not-a-real-token', 'form button[type=submit]', { phone: true });
    expect((await api.post('/api/admin/invitations', { email: `a11y-${Date.now()}@test.holdfast` }, admin.token)).status).toBe(201);
    await scan(admin.token, '/#/admin/admins', '[data-testid=invitations]');
  });

  it('customer screens: workshop with a hold, my bookings, a booking', async () => {
    const slot = (await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots[10];
    expect((await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: slot.id }, customer.token)).status).toBe(201);
    // The hold was made through the API, behind the open tab's back: a reload shows it, as it would.
    await scan(customer.token, `/#/workshops/${shop.workshop.id}`, '[data-testid=hold-panel]', { reload: true });
    await scan(customer.token, `/#/workshops/${shop.workshop.id}`, '[data-testid=hold-panel]', { phone: true, reload: true });
    await scan(customer.token, '/#/bookings', `[data-booking-id="${bookingId}"]`);
    await scan(customer.token, `/#/bookings/${bookingId}`, '[data-testid=booking-status]');
  });

  // One test per tab (each scan can take seconds on a busy machine), then the schedule on an empty day.
  for (const [tab, ready] of [
    ['requests', '[data-testid=request]'],
    ['schedule', 'text=Previous day'],
    ['week', '[data-slot-id]'],
    ['services', 'text=Service catalog'],
    ['settings', 'text=Opening hours'],
    ['insights', '[data-testid=report-kpis]'],
  ] as const) {
    it(`vendor desk: the ${tab} tab`, async () => {
      await scan(shop.vendor.token, `/#/vendor/${tab}`, ready);
    });
  }

  it('vendor desk: the schedule of a day with no bookings, on a phone and on a desktop', async () => {
    // The bay timeline is wider than a phone and scrolls sideways: its scroll box must be
    // reachable by keyboard even on a day with no bookings in it (whatever today's date is,
    // five days on the test's bookings are behind us).
    const emptyDay = async (page: Page) => {
      for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Next day →' }).click();
      await page.getByText('Nothing booked this day.').waitFor();
    };
    await scan(shop.vendor.token, '/#/vendor/schedule', 'text=Previous day', { phone: true, then: emptyDay });
    await scan(shop.vendor.token, '/#/vendor/schedule', 'text=Previous day', { then: emptyDay });
  });

  it('admin: live board and verification queue', async () => {
    await scan(admin.token, '/#/admin', `tr[data-workshop-id="${shop.workshop.id}"]`);
    // A pending listing with open checklist items, and the form that returns it to its owner.
    const created = await api.post('/api/workshops', { name: 'Pending Listing', city: 'Leeds', address: '2 Side Street', timezone: 'UTC', bays: 1 }, shop.vendor.token);
    const row = `tr[data-workshop-id="${created.body.workshop.id}"]`;
    const openReturnForm = (page: Page) => page.click(`${row} button:has-text("Return to vendor")`);
    await scan(admin.token, '/#/admin/verify', row, { then: openReturnForm });
    await scan(admin.token, '/#/admin/verify', row, { phone: true, then: openReturnForm });
    // The vendor's desk shows the same checklist (a reload: the listing was made through the API).
    await scan(shop.vendor.token, '/#/vendor/requests', '.page-head h1', {
      reload: true,
      then: async (page) => {
        if (!(await page.isVisible('text=Pending Listing'))) await page.selectOption('select', { label: 'Pending Listing' });
        await page.waitForSelector('.checklist');
      },
    });
  });
});
