import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../server/domain/clock';
import { moneyAt, moneyBookings, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from '../../server/test/fixtures';
import { a11yViolations, launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * The vendor's Money tab and the admins' Finance view in Chromium, over ledger movements posted
 * through the domain at fixed instants (the server's clock), in a currency no other test uses:
 * b1 100.00, b2 40.00 and b3 30.00 captured on 10 March 2031; b1 released on 11 March (payable
 * 90.00); 10.00 of b2 refunded from escrow; 90.00 paid out on 12 March at 06:30; b3 released at
 * 08:00 (payable 27.00). The screens are read at 09:00 that day.
 */

const CUR = 'PYB';
const clock = manualClock();

describe('browser: the vendor Money tab and the admin Finance view', { timeout: 60_000 }, () => {
  let es: EngineServer;
  let browser: Browser;
  let w: Awaited<ReturnType<typeof quickWorkshop>>;
  let admin: Account;
  let bookings: string[];

  beforeAll(async () => {
    es = await startEngineServer({ clock, env: { SERVE_CLIENT: 'true' } });
    w = await quickWorkshop(es);
    const [customer] = (await quickAccounts(es.server, 1)) as [Account];
    [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
    bookings = await moneyBookings(es, w, customer, 3);
    const [b1, b2, b3] = bookings as [string, string, string];
    const m = moneyAt(es.server, clock);
    await m.capture('2031-03-10T09:00:00Z', { bookingId: b1, customerId: customer.id, currency: CUR, amount: 10_000, fee: 200 });
    await m.capture('2031-03-10T09:10:00Z', { bookingId: b2, customerId: customer.id, currency: CUR, amount: 4000, fee: 80 });
    await m.capture('2031-03-10T09:20:00Z', { bookingId: b3, customerId: customer.id, currency: CUR, amount: 3000, fee: 60 });
    await m.release('2031-03-11T10:00:00Z', { bookingId: b1, workshopId: w.workshop.id, currency: CUR, commissionBps: 1000 });
    await m.refund('2031-03-11T12:00:00Z', { bookingId: b2, workshopId: w.workshop.id, currency: CUR, amount: 1000, key: 'r1' });
    clock.set(Date.parse('2031-03-12T06:30:00Z'));
    const run = await es.server.services.payouts.settle('2031-03-12', { only: [w.workshop.id] });
    expect(run.paid.map((p) => p.amount)).toEqual([9000]);
    await m.release('2031-03-12T08:00:00Z', { bookingId: b3, workshopId: w.workshop.id, currency: CUR, commissionBps: 1000 });
    clock.set(Date.parse('2031-03-12T09:00:00Z'));
    browser = await launchChromium();
  }, 120_000);

  /** axe on the screen as the test left it (a second context: the axe script is inline, which the app's CSP refuses). */
  async function accessible(token: string, path: string, ready: string) {
    const { context, page } = await openContext(browser, es.server.url, token, undefined, { bypassCSP: true });
    try {
      await page.goto(path);
      await page.locator(ready).first().waitFor();
      await page.waitForTimeout(300); // entry transitions settle before contrast is measured
      const found = await a11yViolations(page);
      expect(found, JSON.stringify(found, null, 2)).toEqual([]);
    } finally {
      await context.close();
    }
  }

  afterAll(async () => {
    await browser?.close();
    await es?.server.close();
  });

  it('the vendor sees the balance, the next payout and the payout, and downloads the statement it asked for', async () => {
    const { page, errors } = await openContext(browser, es.server.url, w.vendor.token);
    await page.goto('/#/vendor/money');
    await page.getByRole('link', { name: 'Money' }).waitFor();
    expect(await page.getByRole('link', { name: 'Money' }).getAttribute('aria-current')).toBe('page');
    const balance = page.getByTestId(`money-${CUR}`).getByTestId('balance');
    await expect.poll(() => balance.textContent()).toContain('27.00');
    expect(await page.getByTestId('next-payout').textContent()).toMatch(/27\.00.*Thursday 13 March/);
    expect(await page.getByTestId('commission').textContent()).toMatch(/13\.00.*130\.00 released/);
    const row = page.getByTestId('payouts').locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toMatch(/2031-03-12.*90\.00.*paid/);
    // The simulated processor opened the payout account with the first payout, enabled at once: nothing to set up.
    const account = page.locator('[data-testid=payout-account][data-state=enabled]');
    await account.waitFor();
    expect(await account.textContent()).toContain('Payouts are on');
    expect(await account.getByRole('button').count()).toBe(0);

    await page.getByLabel('From', { exact: true }).fill('2031-03-10');
    await page.getByLabel('To', { exact: true }).fill('2031-03-12');
    const link = page.getByRole('link', { name: 'Download statement (CSV)' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('statement-2031-03-10-to-2031-03-12.csv');
    const [b1, , b3] = bookings as [string, string, string];
    expect((await readFile((await download.path())!, 'utf8')).split('\r\n')).toEqual([
      'date,currency,booking,service,kind,gross,commission,net,balance',
      `2031-03-11T10:00:00.000Z,${CUR},${b1},Service 0,release,100.00,10.00,90.00,90.00`,
      `2031-03-12T06:30:00.000Z,${CUR},,,payout,-90.00,0.00,-90.00,0.00`,
      `2031-03-12T08:00:00.000Z,${CUR},${b3},Service 0,release,30.00,3.00,27.00,27.00`,
      '',
    ]);
    await screen(page, 'vendor-money');
    expect(errors).toEqual([]);
    await accessible(w.vendor.token, '/#/vendor/money', '[data-testid=payouts]');
  });

  it('the admin picks 10–12 March and reads GMV, commission, take rate, fees, refunds, escrow and payouts', async () => {
    const { page, errors } = await openContext(browser, es.server.url, admin.token);
    await page.goto('/#/admin/finance');
    await page.getByRole('heading', { name: 'Finance', level: 1 }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2031-03-10');
    await page.getByLabel('To', { exact: true }).fill('2031-03-12');
    await page.getByRole('button', { name: 'Show' }).click();
    const section = page.getByRole('region', { name: `${CUR} · 2031-03-10 to 2031-03-12` });
    await section.waitFor();
    const figure = async (name: string) => (await section.locator(`[data-figure="${name}"]`).textContent())?.replace(/\s+/g, ' ').trim();
    expect(await figure('gmv')).toMatch(/170\.00$/);
    expect(await figure('commission')).toMatch(/13\.00$/);
    expect(await figure('take-rate')).toBe('7.65 %');
    expect(await figure('processor-fees')).toMatch(/3\.40$/);
    expect(await figure('refunds')).toMatch(/10\.00$/);
    expect(await figure('escrow')).toMatch(/30\.00$/);
    const payouts = async (kind: string) => (await section.locator(`[data-payouts="${kind}"] > *`).allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    expect(await payouts('due')).toEqual(['Due now', '1', `${CUR} 27.00`]);
    expect(await payouts('pending')).toEqual(['Pending', '0', `${CUR} 0.00`]);
    expect(await payouts('paid')).toEqual(['Paid', '1', `${CUR} 90.00`]);
    expect(await payouts('failed')).toEqual(['Failed', '0', `${CUR} 0.00`]);
    await screen(page, 'admin-finance');
    expect(errors).toEqual([]);
    await accessible(admin.token, '/#/admin/finance', `[data-testid=finance-${CUR}]`);
  });
  it('the vendor sets how customers pay: a 30 % deposit with fees, then pay at the workshop (no fees to set)', async () => {
    const { context, page, errors } = await openContext(browser, es.server.url, w.vendor.token);
    const policy = async () => (await es.api.get(`/api/workshops/${w.workshop.id}/money-policy`, w.vendor.token)).body.policy;
    try {
      await page.goto('/#/vendor/money');
      const form = page.getByTestId('payment-policy');
      await form.getByLabel(/authorized for a deposit/).check();
      await form.getByLabel(/Deposit/).fill('30');
      await form.getByLabel(/Free cancellation/).fill('48');
      await form.getByLabel(/Late-cancellation fee/).fill('50');
      await form.getByLabel(/No-show fee/).fill('100');
      await form.getByRole('button', { name: 'Save payment policy' }).click();
      await page.locator('.toast:has-text("Payment policy saved")').waitFor();
      expect(await policy()).toMatchObject({ paymentMode: 'deposit', depositBps: 3000, freeCancelHours: 48, lateCancelFeeBps: 5000, noShowFeeBps: 10_000 });
      expect(await form.textContent()).toContain('Holdfast keeps 10% commission');

      await page.reload();
      await expect.poll(() => page.getByTestId('payment-policy').getByLabel(/Deposit/).inputValue()).toBe('30');
      // A deposit over 100 % is refused on the form, before any request.
      await form.getByLabel(/Deposit/).fill('150');
      await form.getByRole('button', { name: 'Save payment policy' }).click();
      await form.getByRole('alert').waitFor();
      expect((await policy()).depositBps).toBe(3000);

      await form.getByLabel(/pays at the workshop/).check();
      expect(await form.getByLabel(/No-show fee/).count()).toBe(0);
      await form.getByRole('button', { name: 'Save payment policy' }).click();
      await expect.poll(async () => (await policy()).paymentMode).toBe('at_workshop');
      expect(await policy()).toMatchObject({ depositBps: null, lateCancelFeeBps: 0, noShowFeeBps: 0, freeCancelHours: 48 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
  it('an admin overrides the commission for a workshop and for one category; a blank field clears it', async () => {
    const { context, page, errors } = await openContext(browser, es.server.url, admin.token);
    const commission = async () => (await es.api.get(`/api/workshops/${w.workshop.id}/money-policy`, admin.token)).body.policy.commission;
    try {
      await page.goto('/#/admin/finance');
      const card = page.getByTestId('commission-rates');
      await card.getByLabel('Workshop').selectOption(w.workshop.id);
      await card.getByLabel(/This workshop's rate/).fill('12.5');
      await card.getByLabel('brakes').fill('8');
      await card.getByRole('button', { name: 'Save commission' }).click();
      await expect.poll(commission).toMatchObject({ workshopBps: 1250, categoryBps: { brakes: 800 } });
      await card.getByLabel(/This workshop's rate/).fill('');
      await card.getByRole('button', { name: 'Save commission' }).click();
      await expect.poll(async () => (await commission()).workshopBps).toBeNull();
      expect((await commission()).categoryBps).toEqual({ brakes: 800 });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
