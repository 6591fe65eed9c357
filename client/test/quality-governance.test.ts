import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifiedWorkshop } from '../../server/test/fixtures';
import { offsetClock } from '../../server/domain/clock';
import { apiClient, startTestServer, useOwnDatabase, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, type Browser } from './browser-kit';

/*
 * Trust and quality with an admin and two owners: a workshop rated 2.2 over 11 reviews appears in
 * the admin's quality queue with the breach explained; the admin dismisses it with a reason (the
 * dialog refuses none) and finds it in the audit trail. Another workshop's insurance lapses (the
 * sweep run at a server clock past its expiry): its owner's desk says so and what to do.
 */

// A database of its own: the insurance sweep 45 days ahead would lapse other files' verified workshops.
const database = useOwnDatabase('quality_governance');

describe('browser: the quality queue and an insurance lapse', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let lowRated: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let insured: Awaited<ReturnType<typeof verifiedWorkshop>>;
  const serverClock = offsetClock();

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true', DATABASE_URL: database() }, { clock: serverClock });
    api = apiClient(server.url);
    [lowRated, insured] = await Promise.all([verifiedWorkshop(server, api), verifiedWorkshop(server, api)]);
    await server.orm.em.getConnection().execute('update workshop set rating_avg = 2.2, rating_count = 11 where id = ?', [lowRated.workshop.id]);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    serverClock.reset();
    await browser?.close();
    await server?.close();
  });

  it('the admin sees a low-rated workshop with the breach explained and dismisses it with a reason; the audit trail shows it', async () => {
    // Its owner sees the same numbers on the desk.
    const desk = await openContext(browser, server.url, lowRated.vendor.token);
    const admin = await openContext(browser, server.url, lowRated.admin.token, undefined, { bypassCSP: true });
    try {
      await desk.page.goto('/#/vendor/insights');
      const card = desk.page.getByTestId('quality-card');
      await card.locator('[data-metric=rating]:has-text("2.20")').waitFor();
      await card.getByText('Rating 2.20 over 11 reviews (flagged below 3.0 over at least 10)').waitFor();

      await admin.page.goto('/#/admin/quality');
      const row = admin.page.locator(`[data-testid=quality-queue] li[data-workshop-id="${lowRated.workshop.id}"]`);
      await row.locator('[data-breach=rating]', { hasText: 'Rating 2.20 over 11 reviews' }).waitFor();
      expect(await a11yViolations(admin.page)).toEqual([]);
      await row.getByRole('button', { name: 'Dismiss…' }).click();
      const dialog = admin.page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Dismiss' }).click();
      await dialog.getByRole('alert').waitFor(); // no reason, no dismissal
      await dialog.getByLabel(/Reason/).fill('New owner since last month; reviews are from before');
      await dialog.getByRole('button', { name: 'Dismiss' }).click();
      await row.waitFor({ state: 'detached' });

      await admin.page.getByRole('link', { name: 'Audit trail' }).click();
      const entry = admin.page.locator('[data-testid=audit-trail] tr[data-action="workshop.quality_dismiss"]');
      await entry.getByText('New owner since last month; reviews are from before').waitFor();
      expect(await entry.textContent()).toContain('dismissed a workshop from the quality queue');
      for (const ctx of [desk, admin]) expect(ctx.errors).toEqual([]);
    } finally {
      for (const ctx of [desk, admin]) await ctx.context.close();
    }
  });

  it('after the insurance lapses the owner\'s desk says to update the expiry; an admin re-verifies', async () => {
    // Insurance to 40 days from the server's today (London), then the server's clock 45 days on.
    const now = serverClock.now();
    const expiry = DateTime.fromMillis(now, { zone: 'Europe/London' }).plus({ days: 40 }).toISODate()!;
    expect((await api.patch(`/api/v1/workshops/${insured.workshop.id}`, { insuranceExpiresOn: expiry }, insured.vendor.token)).status).toBe(200);
    serverClock.jumpTo(now + 45 * 86_400_000);
    try {
      const lapsed = await server.services.catalog.lapseExpiredInsurance();
      expect(lapsed.map((w) => w.id)).toContain(insured.workshop.id);

      const desk = await openContext(browser, server.url, insured.vendor.token);
      try {
        await desk.page.goto('/#/vendor/requests');
        const banner = desk.page.getByTestId('insurance-lapsed');
        await banner.waitFor();
        expect(await banner.textContent()).toContain(`Your insurance expired on ${expiry} — update the expiry; an admin will re-verify.`);
        await desk.page.locator('.checklist [data-item=insurance].open').waitFor();
        await banner.getByRole('link', { name: 'Update the insurance date' }).click();
        await desk.page.getByLabel('Insurance valid until').fill('2099-12-31');
        await desk.page.getByRole('button', { name: 'Save registration and insurance' }).click();
        await desk.page.locator('.checklist [data-item=insurance].ok').waitFor();
        expect(desk.errors).toEqual([]);
      } finally {
        await desk.context.close();
      }
      expect((await api.post(`/api/admin/workshops/${insured.workshop.id}/verify`, { reason: 'Renewed certificate seen' }, insured.admin.token)).status).toBe(200);
      const records = (await api.get(`/api/admin/workshops/${insured.workshop.id}/verifications`, insured.admin.token)).body.verifications;
      expect(records.map((r: { action: string }) => r.action)).toEqual(['reverified', 'lapsed', 'verified']);
    } finally {
      serverClock.reset();
    }
  });
});
