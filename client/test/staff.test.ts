import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, confirm, hold, register, slotAhead, staffInviteToken, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, uniqueEmail, type ApiClient } from '../../server/test/harness';
import { startTestServer } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, screen, type Browser, type BrowserContext, type Page } from './browser-kit';

/*
 * Staff accounts in Debian's Chromium against a real server: the owner invites a mechanic from the
 * desk, the mechanic joins through the link and lands on that workshop's desk only (the sections of
 * their role), the owner gives them a job and their open desk shows it live; the customer sees the
 * mechanic on the booking but not who did what, the admin sees both; then the owner removes the
 * mechanic and their open desk loses the workshop and its live feed.
 */

describe('browser: staff accounts', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let owner: Account;
  let admin: Account;
  let customer: Account;
  let workshopId = '';
  let otherWorkshopName = '';
  let bookingId = '';
  let pendingId = '';
  const contexts: Array<{ context: BrowserContext; page: Page; errors: string[] }> = [];
  const mechanicEmail = uniqueEmail('milo');

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    const shop = await verifiedWorkshop(server, api, { bays: 2 });
    const other = await verifiedWorkshop(server, api, { bays: 1 });
    await api.patch(`/api/workshops/${other.workshop.id}`, { name: 'Elsewhere Motors' }, other.vendor.token);
    otherWorkshopName = 'Elsewhere Motors';
    workshopId = shop.workshop.id;
    owner = shop.vendor;
    admin = await createAdmin(server, api);
    customer = await register(api, 'customer', 'Dee Customer');
    // An accepted job a day or more ahead, to be assigned.
    const slot = await slotAhead(api, workshopId);
    bookingId = (await confirm(api, customer.token, await hold(api, customer.token, workshopId, shop.service.id, slot.id))).id;
    expect((await api.post(`/api/bookings/${bookingId}/accept`, undefined, owner.token)).status).toBe(200);
    // And a request still waiting for an answer.
    const later = await slotAhead(api, workshopId, 1);
    pendingId = (await confirm(api, customer.token, await hold(api, customer.token, workshopId, shop.service.id, later.id))).id;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function open(token?: string) {
    const c = await openContext(browser, server.url, token);
    contexts.push(c);
    return c;
  }

  it('the owner invites a mechanic, who joins by the link and sees only that workshop\'s desk; a job given to them appears live', async () => {
    const { page: desk } = await open(owner.token);
    await desk.goto('/#/vendor/staff');
    await desk.getByRole('heading', { name: /People at/ }).waitFor();
    await desk.getByLabel('Email', { exact: true }).fill(mechanicEmail);
    await desk.locator('select[name=staff-role]').selectOption('mechanic');
    await desk.getByRole('button', { name: 'Send invitation' }).click();
    await desk.getByTestId('staff-invitations').getByText(mechanicEmail).waitFor();
    await screen(desk, 'staff-invite');

    // The link from the mail, opened in a browser that is signed in as nobody.
    const token = await staffInviteToken(server, mechanicEmail);
    const { page: mech, errors } = await open();
    await mech.goto(`/#/staff-invite?token=${token}`);
    await mech.getByRole('heading', { name: 'Join Test Garage' }).waitFor();
    expect(await mech.getByTestId('staff-invite-summary').textContent()).toContain('mechanic');
    await mech.getByLabel('Your name').fill('Milo Mechanic');
    await mech.getByLabel(/Choose a password/).fill('correct-horse-battery');
    await mech.getByRole('button', { name: 'Join the workshop' }).click();

    // The desk of that workshop only, with a mechanic's sections.
    await mech.getByTestId('desk-role').filter({ hasText: 'Mechanic' }).waitFor();
    expect(await mech.getByRole('heading', { level: 1 }).textContent()).toContain('Test Garage');
    const tabs = await mech.getByRole('navigation', { name: 'Desk sections' }).getByRole('link').allTextContents();
    expect(tabs.map((t) => t.replace(/\d+$/, '').trim())).toEqual(['Requests', 'Jobs', 'Today by bay', 'Week']);
    expect(await mech.getByText(otherWorkshopName).count()).toBe(0);
    expect(await mech.getByRole('combobox', { name: 'Workshop' }).count()).toBe(0);
    // A mechanic sees a waiting request but is offered no answer to it (the front desk's and owner's job).
    const detail = await mech.context().newPage();
    await detail.goto(`/#/bookings/${pendingId}`);
    await detail.getByRole('complementary', { name: 'Actions' }).getByText('Nothing to do').waitFor();
    expect(await detail.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    await detail.close();
    await mech.getByRole('link', { name: 'Jobs' }).click();
    await mech.getByTestId('no-jobs').waitFor();

    // The owner gives the job to Milo in bay 2; Milo's open desk shows it without a reload.
    await desk.getByRole('link', { name: 'Jobs' }).click();
    const job = desk.locator(`[data-booking-id="${bookingId}"]`);
    await job.getByRole('combobox', { name: /^Mechanic for/ }).selectOption({ label: 'Milo Mechanic (Mechanic)' });
    await job.getByTestId('job-assignment').filter({ hasText: 'Mechanic: Milo Mechanic' }).waitFor();
    await job.getByRole('combobox', { name: /^Bay for/ }).selectOption('2');
    await job.getByTestId('job-assignment').filter({ hasText: 'Bay 2' }).waitFor();
    const mine = mech.locator(`[data-booking-id="${bookingId}"]`);
    await mine.getByTestId('job-assignment').filter({ hasText: 'Mechanic: Milo Mechanic · Bay 2' }).waitFor();
    // A mechanic sees the assignment but cannot change it.
    expect(await mine.getByRole('combobox').count()).toBe(0);
    await screen(mech, 'staff-mechanic-jobs');
    expect(errors).toEqual([]);
  });

  it('the customer sees the mechanic and bay but not who did what; the admin sees the names in the history', async () => {
    const { page: shopper } = await open(customer.token);
    await shopper.goto(`/#/bookings/${bookingId}`);
    await shopper.getByTestId('booking-assignee').filter({ hasText: 'Milo Mechanic' }).waitFor();
    expect(await shopper.getByTestId('booking-bay').textContent()).toBe('2');
    const history = shopper.getByRole('region', { name: 'History' });
    await history.getByText('Mechanic or bay assigned').first().waitFor();
    expect(await history.textContent()).not.toContain('Test vendor');

    const { page: ops } = await open(admin.token);
    await ops.goto(`/#/bookings/${bookingId}`);
    const adminHistory = ops.getByRole('region', { name: 'History' });
    await adminHistory.getByText('Mechanic or bay assigned').first().waitFor();
    expect(await adminHistory.textContent()).toContain('by Test vendor (vendor)');
  });

  it('the owner removes the mechanic: their open desk loses the workshop and its live feed at once', async () => {
    const mech = contexts[1]!.page;
    const desk = contexts[0]!.page;
    await desk.getByRole('link', { name: 'Staff' }).click();
    const row = desk.locator(`[data-member="${mechanicEmail}"]`);
    await row.getByRole('button', { name: 'Remove Milo Mechanic' }).click();
    await row.waitFor({ state: 'detached' });

    await mech.getByTestId('desk-revoked').filter({ hasText: 'You no longer work at Test Garage' }).waitFor();
    expect(await mech.locator(`[data-booking-id="${bookingId}"]`).count()).toBe(0);
    // The server agrees: the workshop is gone from their list, and its booking is no longer theirs to read.
    const mechToken = (await mech.context().cookies()).find((c) => c.name === 'hf_token')!.value;
    expect((await api.get('/api/vendor/workshops', mechToken)).body.workshops).toEqual([]);
    expect((await api.get(`/api/bookings/${bookingId}`, mechToken)).status).toBe(404);
    await screen(mech, 'staff-removed');
  });
});
