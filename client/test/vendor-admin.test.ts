import type { SlotView } from '@shared/availability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, register, type Account } from '../../server/test/fixtures';
import { offsetClock } from '../../server/domain/clock';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, markDocument, noReload, openContext, screen, type Browser, type BrowserContext, type Page } from './browser-kit';

/*
 * The vendor's and the admin's working screens in Debian's Chromium against a real server:
 * a new vendor lists a workshop through the UI, the admin verifies it from the queue, the
 * vendor sets hours, services and settings, and a customer's open grid follows every edit
 * live. Then the vendor's insights, and the admin's way from the board into a live grid.
 */

const LONDON = 'Europe/London';
const localDate = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: LONDON }).format(new Date(iso));
const minuteOf = (iso: string) => new Date(iso).getUTCMinutes(); // London is a whole number of hours from UTC

describe('browser: vendor onboarding, settings, services, insights and the admin queue', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let admin: Account;
  let customer: Account;
  let vendor: { context: BrowserContext; page: Page; errors: string[] };
  let adminView: typeof vendor, shopper: typeof vendor;
  const name = 'Harbour Motors'; // every run has its own database
  let workshopId = '';
  let serviceId = '';
  let freeSlotId = '';
  const vendorEmail = `hal-${Date.now()}@test.holdfast`;
  // The server's clock can jump to a booking's time (to start and finish the job) while the browsers keep real time.
  const serverClock = offsetClock();

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' }, { clock: serverClock });
    api = apiClient(server.url);
    [admin, customer] = await Promise.all([createAdmin(server, api), register(api, 'customer', 'Dee Shopper')]);
    browser = await launchChromium();
    [vendor, adminView, shopper] = await Promise.all([
      openContext(browser, server.url),
      openContext(browser, server.url, admin.token),
      openContext(browser, server.url, customer.token),
    ]);
    for (const v of [vendor, adminView, shopper]) v.page.on('dialog', (d) => void d.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const availability = async (): Promise<SlotView[]> => (await api.get(`/api/workshops/${workshopId}/availability`)).body.slots;
  const ahead = (slots: SlotView[], hours = 3) => slots.filter((s) => Date.parse(s.startsAt) > Date.now() + hours * 3600_000);
  const cell = (id: string) => `[data-slot-id="${id}"]`;
  const toast = (p: Page, text: string) => p.waitForSelector(`text=${text}`);

  it('a vendor signs up and lists a workshop; the admin sees the owner and the checklist and returns it with a reason', async () => {
    const { page } = vendor;
    await page.goto('/#/signup');
    await page.fill('input[name=name]', 'Hal Harbour');
    await page.fill('input[name=email]', vendorEmail);
    await page.fill('input[name=password]', 'correct-horse-battery');
    await page.check('input[name=role][value=vendor]');
    await page.click('form button[type=submit]');
    await page.waitForSelector('h1:has-text("List your workshop")');

    await page.getByLabel('Workshop name').fill(name);
    await page.getByLabel('City').fill('Portsmouth');
    // The time zone follows the city (Chromium here may run in any zone).
    await expect.poll(() => page.getByLabel('Time zone').inputValue(), { timeout: 10_000 }).toBe(LONDON);
    await page.getByLabel('Address').fill('3 Quay Street');
    await page.getByLabel('What you do').fill('Harbourside servicing and brakes.');
    await page.getByLabel('Phone').fill('call us');
    await page.getByLabel('Email').fill('desk@harbour-motors.example');
    await page.getByLabel('Time zone').fill(LONDON);
    await page.getByLabel('Bays').fill('1');
    await page.click('button:has-text("Create workshop")');
    await page.waitForSelector('text=Use digits, spaces, brackets or dashes'); // said before anything is sent
    await page.getByLabel('Phone').fill('023 9249 6000');
    await page.click('button:has-text("Create workshop")');
    await page.waitForSelector('.badge-pending');
    expect(page.url()).toContain('/vendor/settings');
    // The desk says what is missing before Holdfast can verify it.
    await page.waitForSelector('[data-item=hours].open');
    expect(await page.locator('.checklist li.open').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')))).toEqual(['hours', 'service', 'registration', 'insurance']);

    const queue = await api.get(`/api/admin/workshops?status=pending`, admin.token);
    workshopId = queue.body.workshops.find((w: { name: string }) => w.name === name)?.id ?? '';
    expect(workshopId).not.toBe('');
    expect((await api.get(`/api/workshops/${workshopId}`)).status).toBe(404); // not public before verification

    await adminView.page.goto('/#/admin/verify');
    const row = `tr[data-workshop-id="${workshopId}"]`;
    await adminView.page.waitForSelector(row);
    const text = await adminView.page.textContent(row);
    expect(text).toContain('Portsmouth');
    expect(text).toContain('Hal Harbour');
    expect(text).toContain('Harbourside servicing and brakes.');
    expect(text).toContain(vendorEmail);
    expect(await adminView.page.isDisabled(`${row} button:has-text("Verify")`)).toBe(true);
    await adminView.page.click(`${row} button:has-text("Return to vendor")`);
    await adminView.page.getByLabel('What should the owner fix?').fill('Add your opening hours and at least one service.');
    await adminView.page.click(`${row} button:has-text("Send back")`);
    await adminView.page.waitForSelector(`${row} [data-testid=returned-note]`);
    await screen(adminView.page, 'admin-queue', { publish: true });

    await page.reload();
    await page.waitForSelector('text=Add your opening hours and at least one service.');
  });

  it('hours and a service with tiers and urgency, edited in the desk; asked again, verified, public', async () => {
    const { page } = vendor;
    await page.goto('/#/vendor/settings');
    const days = page.locator('table.hours input[type=checkbox]');
    await expect.poll(() => days.count()).toBe(7);
    for (let i = 0; i < 7; i++) await days.nth(i).check();
    await page.click('button:has-text("Save hours")');
    await toast(page, 'Opening hours saved');
    // What Holdfast checks besides hours and services: the registration number and the insurance.
    await page.getByLabel('Business registration number').fill('GB-04512345');
    await page.getByLabel('Insurance valid until').fill('2099-12-31');
    await page.click('button:has-text("Save registration and insurance")');
    await toast(page, 'Business details saved');
    const hours = (await api.get(`/api/workshops/${workshopId}`, (await api.post('/api/auth/login', { email: vendorEmail, password: 'correct-horse-battery' })).body.token)).body.workshop.hours;
    expect(hours).toHaveLength(7);
    expect(hours[0]).toMatchObject({ opens: '08:00', closes: '18:00' });

    await page.goto('/#/vendor/services');
    await page.click('button:has-text("+ Add service")');
    await page.getByLabel('Name').fill('Brake pads');
    await page.getByLabel('Category').selectOption('brakes');
    await page.getByLabel('Duration (min)').fill('60');
    await page.getByLabel('Base price').fill('120.00');
    for (const [group, options] of [['Skill tiers', [['Standard', '1'], ['Master technician', '1.5']]], ['Urgency levels', [['Normal', '1'], ['Same day', '1.25']]]] as const) {
      for (const [i, [label, multiplier]] of options.entries()) {
        await page.locator(`fieldset:has(legend:has-text("${group}")) button:has-text("+ Add")`).click();
        await page.getByLabel(`${group} ${i + 1} label`).fill(label);
        await page.getByLabel(`${group} ${i + 1} multiplier`).fill(multiplier);
      }
    }
    expect(await page.textContent('form[aria-labelledby=edit-title]')).toContain('Price from £120.00 up to £225.00');
    await page.click('button:has-text("Save service")');
    await page.waitForSelector('td:has-text("Brake pads")');
    await screen(page, 'vendor-services', { publish: true });

    // Everything on the list is done: the vendor asks again and the admin verifies.
    await page.waitForSelector('[data-item=service].ok');
    await page.click('button:has-text("Ask for review again")');
    await toast(page, 'Sent for review');
    await adminView.page.reload();
    const row = `tr[data-workshop-id="${workshopId}"]`;
    await adminView.page.waitForSelector(`${row} >> text=Owner asked for review again`);
    await adminView.page.click(`${row} button:has-text("Verify")`);
    await adminView.page.waitForSelector(row, { state: 'detached' });
    expect((await api.get(`/api/workshops/${workshopId}`)).status).toBe(200);
    const listed = await api.get(`/api/workshops?city=Portsmouth`);
    expect(listed.body.workshops.map((w: { id: string }) => w.id)).toContain(workshopId);
    expect(ahead(await availability()).length).toBeGreaterThan(20);

    const [service] = (await api.get(`/api/workshops/${workshopId}`)).body.workshop.services;
    serviceId = service.id;
    expect(service).toMatchObject({ name: 'Brake pads', category: 'brakes', durationMinutes: 60, basePriceCents: 12000, currency: 'GBP' });
    expect(service.options.skillTiers.map((o: { id: string; multiplier: number }) => [o.id, o.multiplier])).toEqual([['standard', 1], ['master-technician', 1.5]]);
    expect(service.options.urgency.map((o: { id: string; multiplier: number }) => [o.id, o.multiplier])).toEqual([['normal', 1], ['same-day', 1.25]]);
  });

  it('bays, a closed day and the slot length change on an open customer grid without a reload', async () => {
    const before = ahead(await availability());
    const x = before.find((s) => minuteOf(s.startsAt) === 0)!;
    const half = before.find((s) => minuteOf(s.startsAt) === 30 && localDate(s.startsAt) === localDate(x.startsAt))!;
    await shopper.page.goto(`/#/workshops/${workshopId}`);
    await shopper.page.waitForSelector(cell(x.id));
    expect(await shopper.page.getAttribute(cell(x.id), 'aria-label')).toContain('1 of 1 bays free');
    await markDocument(shopper.page);

    // Bays 1 → 3: the same slot, new capacity.
    const { page } = vendor;
    await page.goto('/#/vendor/settings');
    await page.getByLabel('Bays').fill('3');
    await page.click('button:has-text("Save settings")');
    await toast(page, 'Future free slots were regenerated');
    await shopper.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-label')?.includes('3 of 3 bays free'), cell(x.id));

    // A closed day: its slots leave the customer's grid.
    const closeDay = localDate(new Date(Date.parse(x.startsAt) + 2 * 86_400_000).toISOString());
    const onThatDay = before.filter((s) => localDate(s.startsAt) === closeDay).map((s) => s.id);
    expect(onThatDay.length).toBeGreaterThan(0);
    await shopper.page.waitForSelector(cell(onThatDay[0]!));
    await page.fill('input[type=date]', closeDay);
    await page.getByLabel('Reason').fill('Stocktake');
    await page.click('button:has-text("Close that day")');
    await page.waitForSelector(`li[data-date="${closeDay}"]`);
    await shopper.page.waitForFunction((ids) => ids.every((id) => !document.querySelector(`[data-slot-id="${id}"]`)), onThatDay);

    // 30 → 60-minute slots: the half-hour starts go, hour-long slots replace them.
    await page.getByLabel('Slot length').selectOption('60');
    await page.click('button:has-text("Save settings")');
    await toast(page, 'Future free slots were regenerated');
    await shopper.page.waitForSelector(cell(half.id), { state: 'detached' });
    const after = ahead(await availability());
    expect(after.every((s) => minuteOf(s.startsAt) === 0 && Date.parse(s.endsAt) - Date.parse(s.startsAt) === 3600_000)).toBe(true);
    expect(after.some((s) => localDate(s.startsAt) === closeDay)).toBe(false);
    await shopper.page.waitForSelector(cell(after[0]!.id));
    expect(await noReload(shopper.page)).toBe(true);
    await screen(page, 'vendor-settings', { publish: true });

    // The vendor closes the very day a customer holds: the confirm says so, and the hold is gone.
    const held = after.find((s) => localDate(s.startsAt) === localDate(new Date(Date.parse(x.startsAt) + 3 * 86_400_000).toISOString()))!;
    await shopper.page.click(cell(held.id));
    await shopper.page.waitForSelector('[data-testid=hold-panel]');
    await page.fill('input[type=date]', localDate(held.startsAt));
    await page.click('button:has-text("Close that day")');
    await shopper.page.waitForSelector(cell(held.id), { state: 'detached' });
    await shopper.page.fill('input[name=registration]', 'pk19 xyz');
    // This workshop kept the default policy (paid in full when booking): the simulated processor's test card.
    await shopper.page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await shopper.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await shopper.page.waitForSelector('text=no longer offered');
    await shopper.page.waitForSelector('[data-testid=hold-panel]', { state: 'detached' });
    expect((await api.get('/api/bookings', customer.token)).body.bookings).toEqual([]);
  });

  it('with auto-accept on, a priced booking is accepted at once; the vendor sees it live in the week, by bay and in insights', async () => {
    const { page } = vendor;
    await page.getByLabel('Auto-accept bookings').check();
    await page.click('button:has-text("Save settings")');
    await page.waitForSelector('text=auto-accept on');

    const [, target, spare] = ahead(await availability());
    freeSlotId = spare!.id;
    // The vendor watches the week: the customer's hold and then the booking show up live.
    await page.goto('/#/vendor/week');
    await page.waitForSelector(cell(target!.id));
    await markDocument(page);
    const weekCell = (text: string) => page.waitForFunction(([sel, t]) => document.querySelector(sel!)?.textContent?.includes(t!), [cell(target!.id), text] as const);

    await shopper.page.getByLabel('Technician').selectOption({ label: 'Master technician (×1.5)' });
    await shopper.page.getByLabel('Urgency').selectOption({ label: 'Same day (×1.25)' });
    await shopper.page.click(cell(target!.id));
    await shopper.page.waitForSelector('[data-testid=hold-panel]');
    expect(await shopper.page.textContent('[data-testid=hold-panel]')).toContain('£225.00');
    await weekCell('1 held');
    await page.waitForFunction(() => document.querySelector('[data-testid=week-held]')?.textContent === '1');

    await shopper.page.fill('input[name=registration]', 'pk19 xyz');
    // This workshop kept the default policy (paid in full when booking): the simulated processor's test card.
    await shopper.page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await shopper.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await shopper.page.waitForSelector('[data-testid=booking-status][data-status=accepted]');
    const [booking] = (await api.get('/api/bookings', customer.token)).body.bookings;
    expect(booking).toMatchObject({ status: 'accepted', priceCents: 22500, options: { skillTier: 'master-technician', urgency: 'same-day' } });
    await weekCell('1 booked');
    // The week's cell opens the booking on it.
    await page.click(cell(target!.id));
    const opened = page.getByTestId('week-opened');
    await opened.locator('a:has-text("Dee Shopper")').waitFor();
    expect(await noReload(page)).toBe(true);

    // Today by bay (or the booking's day, if it falls tomorrow): the job sits in a bay lane.
    await page.goto('/#/vendor/schedule');
    const daysAhead = Math.round((Date.parse(localDate(target!.startsAt)) - Date.parse(localDate(new Date().toISOString()))) / 86_400_000);
    for (let i = 0; i < daysAhead; i++) await page.click('button:has-text("Next day")');
    await page.waitForSelector('[aria-label*="Brake pads for Dee Shopper"]');

    // Insights (the server's report) counts a booking on its appointment day: pick that day.
    await page.goto('/#/vendor/insights');
    await page.getByTestId('report-kpis').waitFor();
    const day = localDate(target!.startsAt);
    await page.getByLabel('From', { exact: true }).fill(day);
    await page.getByLabel('To', { exact: true }).fill(day);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByTestId('report-range').textContent()).toContain(`${day} to ${day}`);
    expect(await page.getByTestId('report-kpis').locator('[data-figure=bookings]').textContent()).toBe('1');
    expect(await page.getByTestId('vendor-trend-chart').getAttribute('role')).toBe('img');
    await screen(page, 'vendor-insights', { publish: true });

    // The job is done: the customer rates it on the booking page; the workshop page shows it.
    const vendorToken = (await api.post('/api/auth/login', { email: vendorEmail, password: 'correct-horse-battery' })).body.token as string;
    // At the booked time (the lifecycle refuses to start a job hours early).
    serverClock.jumpTo(Date.parse(booking.startsAt));
    try {
      for (const action of ['start', 'complete']) expect((await api.post(`/api/bookings/${booking.id}/${action}`, undefined, vendorToken)).status).toBe(200);
    } finally {
      serverClock.reset();
    }
    await shopper.page.goto(`/#/bookings/${booking.id}`);
    await shopper.page.waitForSelector('[data-testid=booking-status][data-status=completed]');
    await shopper.page.click('[data-testid=review-form] button[type=submit]');
    await shopper.page.waitForSelector('[data-testid=review-form] [role=alert]:has-text("Pick a number of stars")');
    await shopper.page.getByLabel('4 stars – Very good').check();
    await shopper.page.getByLabel('Comments').fill('Pads done in an hour, fair price.');
    await shopper.page.click('[data-testid=review-form] button[type=submit]');
    await shopper.page.waitForSelector('[data-testid=review]:has-text("Very good")');
    await shopper.page.goto(`/#/workshops/${workshopId}`);
    const reviews = await shopper.page.waitForSelector('[data-testid=workshop-reviews]:has-text("Pads done in an hour")');
    expect(await reviews.textContent()).toContain('Dee S.');
    expect(await shopper.page.getAttribute('[data-testid=workshop-reviews] [role=img]', 'aria-label')).toBe('4.0 out of 5 from 1 review');
    await (await shopper.page.$('[data-testid=workshop-reviews]'))!.scrollIntoViewIfNeeded();
    await screen(shopper.page, 'customer-reviews');
  });

  it('the admin opens a workshop’s live grid from the board, and suspending hides it from the public', async () => {
    const { page } = adminView;
    await page.goto('/#/admin');
    const link = `tr[data-workshop-id="${workshopId}"] a`;
    await page.waitForSelector(link);
    await page.click(link);
    await page.waitForSelector('[data-slot-id]');
    expect(page.url()).toContain(`/workshops/${workshopId}`);

    await page.goto('/#/admin/verify');
    await page.click('[role=tab]:has-text("Verified")');
    const row = `tr[data-workshop-id="${workshopId}"]`;
    await page.waitForSelector(row);
    await page.click(`${row} button:has-text("Suspend")`);
    await page.waitForSelector(row, { state: 'detached' });
    expect((await api.get(`/api/workshops/${workshopId}`)).status).toBe(404);
    const held = await api.post('/api/holds', { workshopId, serviceId, slotId: freeSlotId }, customer.token);
    expect({ status: held.status, code: held.body.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' }); // as if it did not exist

    for (const ctx of [vendor, adminView, shopper]) expect(ctx.errors).toEqual([]);
  });
});
