import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { offsetClock } from '../../server/domain/clock';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { completedBooking } from './journeys';
import { a11yViolations, launchChromium, openContext, type Browser } from './browser-kit';

/*
 * Review governance across four people: the workshop (desktop) answers a customer's review on the
 * booking; another customer reads both on the workshop page and reports it; the admin hides it with
 * a reason from the reported-reviews queue, and finds the step in the audit trail; the review then
 * leaves the workshop page.
 */

describe('browser: a review is answered, reported and hidden with a reason', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let author: Account;
  let reader: Account;
  const serverClock = offsetClock();

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' }, { clock: serverClock });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api);
    [author, reader] = await Promise.all([register(api, 'customer', 'Rita Reviewer'), register(api, 'customer', 'Reed Reader')]);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });


  it('the desk replies; a reader reports; the admin hides it with a reason and the audit trail shows it', async () => {
    const booking = await completedBooking(api, shop, author, serverClock);
    const review = (await api.post(`/api/bookings/${booking.id}/review`, { rating: 1, text: 'Slow, and the manager is an idiot' }, author.token)).body.review;
    const desk = await openContext(browser, server.url, shop.vendor.token);
    const reading = await openContext(browser, server.url, reader.token);
    // axe's script is injected inline, which the app's CSP rightly refuses.
    const admin = await openContext(browser, server.url, shop.admin.token, undefined, { bypassCSP: true });
    try {
      // The workshop answers on the booking, once.
      await desk.page.goto(`/#/bookings/${booking.id}`);
      const form = desk.page.getByTestId('review-reply-form');
      await form.getByRole('button', { name: 'Post reply' }).click();
      await form.getByRole('alert').waitFor(); // an empty reply is refused on the form
      await form.getByLabel(/Reply in public/).fill('Sorry for the wait: we were a mechanic short that day.');
      await form.getByRole('button', { name: 'Post reply' }).click();
      await desk.page.getByTestId('review-reply').waitFor();
      expect(await desk.page.getByTestId('review-reply-form').count()).toBe(0);

      // Another customer reads review and reply, and reports it.
      await reading.page.goto(`/#/workshops/${shop.workshop.id}`);
      const item = reading.page.locator(`[data-review-id="${review.id}"]`);
      await item.getByText('Reply from the workshop').waitFor();
      await item.getByRole('button', { name: 'Report' }).click();
      await item.getByLabel('What is wrong with this review?').fill('Insults a named person');
      await item.getByRole('button', { name: 'Send report' }).click();
      await item.getByText('Reported. Thank you.').waitFor();

      // The admin hides it, with a reason, from the queue.
      await admin.page.goto('/#/admin/reviews');
      const row = admin.page.locator(`[data-review-id="${review.id}"]`);
      await row.getByText('“Insults a named person”').waitFor();
      expect(await a11yViolations(admin.page)).toEqual([]);
      await row.getByRole('button', { name: 'Hide review' }).click();
      await row.getByRole('alert').waitFor(); // no reason, no hiding
      await row.getByLabel(/Reason/).fill('Personal insult breaks the review rules');
      await row.getByRole('button', { name: 'Hide review' }).click();
      await admin.page.getByText('No reported reviews.').waitFor();

      await admin.page.getByRole('link', { name: 'Audit trail' }).click();
      const entry = admin.page.locator('[data-testid=audit-trail] tr[data-action="review.hide"]');
      await entry.getByText('Personal insult breaks the review rules').waitFor();
      expect(await a11yViolations(admin.page)).toEqual([]);

      // Off the workshop's page; its author still sees it on the booking, marked hidden.
      await reading.page.reload();
      await reading.page.getByTestId('workshop-reviews').waitFor();
      expect(await reading.page.locator(`[data-review-id="${review.id}"]`).count()).toBe(0);
      expect((await api.get(`/api/bookings/${booking.id}/review`, author.token)).body.review.hidden.reason).toBe('Personal insult breaks the review rules');
      for (const ctx of [desk, reading, admin]) expect(ctx.errors).toEqual([]);
    } finally {
      for (const ctx of [desk, reading, admin]) await ctx.context.close();
    }
  });
});
