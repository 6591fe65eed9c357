import type { SlotView } from '@shared/availability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, type Browser, type BrowserContext, type Page } from './browser-kit';

/*
 * Paying at confirm, in Chromium against a real server with the simulated processor: a workshop
 * that takes the price at booking shows a card field (with the test cards as help); a declined card
 * is said clearly and keeps the hold, and a good card then books and the booking page shows the
 * receipt. A card whose bank asks for 3-D Secure books nothing until the customer approves the
 * (simulated) bank check, then books with that one payment. A workshop paid at the workshop shows
 * no card field at all.
 */

describe('browser: paying at confirm', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let paid: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let cash: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let dana: Account;
  let tab: { context: BrowserContext; page: Page; errors: string[] };

  const laterSlot = async (workshopId: string): Promise<SlotView> => {
    const avail = await api.get(`/api/workshops/${workshopId}/availability`);
    return (avail.body.slots as SlotView[]).find((s) => Date.parse(s.startsAt) > Date.now() + 3 * 3600_000 && s.free > 0)!;
  };

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' }, { sweepers: 'holds' });
    api = apiClient(server.url);
    [paid, cash] = await Promise.all([
      verifiedWorkshop(server, api, { bays: 1, holdTtlSeconds: 300, money: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 0 } }),
      verifiedWorkshop(server, api, { bays: 1, holdTtlSeconds: 300 }),
    ]);
    dana = await register(api, 'customer', 'Dana Card');
    browser = await launchChromium();
    // CSP bypassed only so axe-core can be injected for the accessibility scans (as accessibility.test.ts does).
    tab = await openContext(browser, server.url, dana.token, undefined, { bypassCSP: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function holdIn(workshopId: string) {
    const s = await laterSlot(workshopId);
    await tab.page.goto(`/#/workshops/${workshopId}`);
    await tab.page.click(`[data-slot-id="${s.id}"]`);
    await tab.page.waitForSelector('[data-testid=hold-panel]');
    await tab.page.fill('input[name=registration]', 'pa12 yer');
  }

  it('a declined card is said clearly and keeps the hold; a good card then books and the booking shows its receipt', async () => {
    await holdIn(paid.workshop.id);
    const card = tab.page.getByLabel('Card number');
    await card.waitFor();
    expect(await tab.page.textContent('[data-testid=card-form]')).toContain('4242 4242 4242 4242');

    expect(await a11yViolations(tab.page)).toEqual([]);
    // No card: said at the field.
    await tab.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await tab.page.waitForSelector('#err-card');

    await card.fill('4000 0000 0000 0002');
    await tab.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    const alert = tab.page.locator('form[aria-label="Confirm booking"] [role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/declined/i);
    expect(await a11yViolations(tab.page)).toEqual([]);
    // Still held: the panel and its countdown stay, no booking was made.
    expect(await tab.page.isVisible('[data-testid=hold-panel]')).toBe(true);
    expect((await api.get('/api/bookings', dana.token)).body.bookings).toHaveLength(0);

    await card.fill('4242 4242 4242 4242');
    await tab.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await tab.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    const receipt = await tab.page.waitForSelector('[data-testid=receipt]');
    expect(await receipt.textContent()).toContain('Reserved on your card');
    expect(await tab.page.textContent('[data-testid=receipt-authorized]')).toContain('49.99');
    expect(await tab.page.textContent('[data-testid=receipt-captured]')).toContain('0.00');
    expect(tab.errors).toEqual([]);
  });

  it('3-D Secure: the bank check is asked for before anything is booked, and approving it books', async () => {
    await holdIn(paid.workshop.id);
    const before = (await api.get('/api/bookings', dana.token)).body.bookings.length;
    await tab.page.getByLabel('Card number').fill('4000 0027 6000 3184');
    await tab.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    const check = tab.page.locator('[data-testid=bank-check]');
    await check.waitFor();
    expect(await check.textContent()).toContain('Confirm this payment with your bank');
    expect(await a11yViolations(tab.page)).toEqual([]);
    // Nothing booked while the bank waits; the hold is still there.
    expect((await api.get('/api/bookings', dana.token)).body.bookings).toHaveLength(before);
    expect(await tab.page.isVisible('[data-testid=hold-panel]')).toBe(true);

    await tab.page.getByRole('button', { name: 'Approve payment' }).click();
    await tab.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    expect(await tab.page.textContent('[data-testid=receipt-authorized]')).toContain('49.99');
    expect((await api.get('/api/bookings', dana.token)).body.bookings).toHaveLength(before + 1);
    expect(tab.errors).toEqual([]);
  });

  it('a workshop paid at the workshop asks for no card', async () => {
    await holdIn(cash.workshop.id);
    // The workshop's payment terms have arrived, and there is no card field.
    await tab.page.waitForSelector('form[aria-label="Confirm booking"][data-payment=none]');
    expect(await tab.page.locator('[data-testid=card-form]').count()).toBe(0);
    expect(await tab.page.getByLabel('Card number').count()).toBe(0);
    await tab.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await tab.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    expect(await tab.page.textContent('[data-testid=receipt-status]')).toContain('Pay at the workshop');
  });
});
