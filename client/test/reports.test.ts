import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '../../server/domain/clock';
import { quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from '../../server/test/fixtures';
import { a11yViolations, launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * The vendor's Insights tab and the admins' Reports page in Chromium, over slots and bookings
 * written straight into Postgres in July 2035 (the server's manual clock reads 20 July 2035), in a
 * city only this file uses. Workshop A (Europe/London, BST): 60-minute slots 10 and 11 July 09:00
 * local (capacity 2, 1 booked each); a completed booking on the 10th (lead 24 h), a cancelled
 * (48 h) and a no-show (12 h) on the 11th. Workshop B (same city): a full 60-minute slot on 10 July
 * 10:00 UTC, two completed bookings (lead 1 h).
 */

const clock = manualClock(Date.parse('2035-07-20T12:00:00Z'));
const CITY = `Chartham ${randomUUID().slice(0, 8)}`;

describe('browser: the vendor Insights tab and the admin Reports page', { timeout: 60_000 }, () => {
  let es: EngineServer;
  let browser: Browser;
  let db: pg.Client;
  let a: Awaited<ReturnType<typeof quickWorkshop>>;
  let b: Awaited<ReturnType<typeof quickWorkshop>>;
  let admin: Account;

  async function slot(workshopId: string, startsAt: string, booked: number) {
    const id = randomUUID();
    const start = new Date(startsAt);
    await db.query(`insert into slot (id, workshop_id, starts_at, ends_at, capacity, booked) values ($1, $2, $3, $4, 2, $5)`, [id, workshopId, start, new Date(start.getTime() + 3_600_000), booked]);
    return id;
  }
  async function booking(customerId: string, w: typeof a, slotId: string, status: string, startsAt: string, leadHours: number) {
    const start = new Date(startsAt);
    await db.query(
      `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status, price_cents, currency, options, created_at, updated_at)
       values ($1, $2, $3, $4, $5, 1, $6, $7, $8, 5000, 'GBP', '{}', $9, $9)`,
      [randomUUID(), customerId, w.workshop.id, w.service.id, slotId, start, new Date(start.getTime() + 3_600_000), status, new Date(start.getTime() - leadHours * 3_600_000)],
    );
  }

  beforeAll(async () => {
    es = await startEngineServer({ clock, env: { SERVE_CLIENT: 'true' } });
    db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    [a, b] = [await quickWorkshop(es), await quickWorkshop(es)];
    const [customer] = (await quickAccounts(es.server, 1)) as [Account];
    [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
    await db.query(`update workshop set city = $1 where id = any($2::uuid[])`, [CITY, [a.workshop.id, b.workshop.id]]);
    const a10 = await slot(a.workshop.id, '2035-07-10T08:00:00Z', 1);
    const a11 = await slot(a.workshop.id, '2035-07-11T08:00:00Z', 1);
    await booking(customer.id, a, a10, 'completed', '2035-07-10T08:00:00Z', 24);
    await booking(customer.id, a, a11, 'cancelled', '2035-07-11T08:00:00Z', 48);
    await booking(customer.id, a, a11, 'no_show', '2035-07-11T08:00:00Z', 12);
    const b10 = await slot(b.workshop.id, '2035-07-10T10:00:00Z', 2);
    await booking(customer.id, b, b10, 'completed', '2035-07-10T10:00:00Z', 1);
    await booking(customer.id, b, b10, 'completed', '2035-07-10T10:00:00Z', 1);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await es?.server.close();
  });

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

  it('the owner opens Insights (the last 30 days by the server clock), picks 10–11 July, reads the figures and downloads the CSV', async () => {
    const { page, errors } = await openContext(browser, es.server.url, a.vendor.token);
    await page.goto('/#/vendor/insights');
    const range = page.getByTestId('report-range');
    await expect.poll(() => range.textContent()).toContain('2035-06-21 to 2035-07-20');
    await page.getByLabel('From', { exact: true }).fill('2035-07-10');
    await page.getByLabel('To', { exact: true }).fill('2035-07-11');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => range.textContent()).toContain('2035-07-10 to 2035-07-11, days in Europe/London');
    const kpi = (name: string) => page.getByTestId('report-kpis').locator(`[data-figure="${name}"]`).textContent();
    await expect.poll(() => kpi('bookings')).toBe('3');
    expect(await kpi('cancellation-rate')).toBe('33.3 %');
    expect(await kpi('no-show-rate')).toBe('50.0 %');
    expect(await kpi('utilisation')).toBe('50.0 %');
    expect(await kpi('lead-median')).toBe('24.0 h');
    const service = page.getByTestId('report-services').locator('tbody tr[data-row="Service 0"] > *');
    await expect.poll(async () => (await service.allTextContents()).map((t) => t.trim())).toEqual(['Service 0', '3', '1', '1', '1', '33.3 %', '50.0 %', '24.0 h', '43.2 h']);
    // The chart's text alternative: one row per day.
    await page.getByText('Bookings and utilisation per day as a table').click();
    const days = page.locator('tr[data-day]');
    await expect.poll(() => days.count()).toBe(2);
    expect((await days.nth(1).locator('> *').allTextContents()).map((t) => t.trim())).toEqual(['2035-07-11', '2', '0', '1', '1', '50.0 %']);
    expect(await page.getByTestId('vendor-trend-chart').getAttribute('role')).toBe('img');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
    expect(download.suggestedFilename()).toBe('report-2035-07-10-to-2035-07-11.csv');
    const lines = (await readFile((await download.path())!, 'utf8')).split('\r\n');
    expect(lines[1]).toBe('total,2035-07-10..2035-07-11,,3,0,0,0,1,0,1,0,1,0.3333,0.5,24,43.2,120,240,0.5');
    expect(lines).toContain(`service,${a.service.id},Service 0,3,0,0,0,1,0,1,0,1,0.3333,0.5,24,43.2,,,`);
    await screen(page, 'vendor-insights-range');
    expect(errors).toEqual([]);
    await accessible(a.vendor.token, '/#/vendor/insights', '[data-testid=report-services]');
  });

  it('the admin reads the marketplace per city and per workshop with the trend chart, and downloads the CSV', async () => {
    const { page, errors } = await openContext(browser, es.server.url, admin.token);
    // The report the page loads on opening arrives late, after the admin has typed a range: the typed days stay.
    let first = true;
    await page.route((url) => url.pathname.endsWith('/admin/reports'), async (route) => {
      if (first) {
        first = false;
        await new Promise((r) => setTimeout(r, 1500));
      }
      await route.continue();
    });
    await page.goto('/#/admin/reports');
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2035-07-10');
    await page.getByLabel('To', { exact: true }).fill('2035-07-11');
    await page.getByRole('textbox', { name: 'City' }).fill(CITY);
    await page.getByRole('button', { name: 'Show' }).click();
    const range = page.getByTestId('report-range');
    await expect.poll(() => range.textContent()).toContain(`2035-07-10 to 2035-07-11, days in UTC, city ${CITY}`);
    const city = page.getByTestId('report-cities').locator('tbody tr > *');
    // The range line and the tables render from one answer, but not in one frame: wait for the rows too.
    await expect.poll(async () => (await city.allTextContents()).map((t) => t.trim())).toEqual([CITY, '2', '5', '3', '1', '1', '20.0 %', '25.0 %', '12.0 h', '38.4 h', '66.7 %']);
    const workshops = page.getByTestId('report-workshops').locator('tbody tr');
    await expect.poll(() => workshops.count()).toBe(2);
    expect(await workshops.nth(0).locator('[data-figure=bookings]').textContent()).toBe('3');
    expect(await workshops.nth(1).locator('[data-figure=utilisation]').textContent()).toBe('100.0 %');
    const chart = page.getByTestId('admin-trend-chart');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toContain('2 days from 2035-07-10 to 2035-07-11');
    expect(await chart.locator('rect').count()).toBe(2);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
    expect(download.suggestedFilename()).toBe('marketplace-report-2035-07-10-to-2035-07-11.csv');
    const lines = (await readFile((await download.path())!, 'utf8')).split('\r\n');
    expect(lines).toContain(`city,${CITY},${CITY},5,0,0,0,3,0,1,0,1,0.2,0.25,12,38.4,240,360,0.6667`);
    await screen(page, 'admin-reports');
    expect(errors).toEqual([]);
    await accessible(admin.token, '/#/admin/reports', '[data-testid=report-cities]');
  });
});
