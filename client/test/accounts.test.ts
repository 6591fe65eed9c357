import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../../server/db/create-database';
import { migrateDatabase } from '../../server/db/migrate';
import { QUICK_MAIL, startSmtp, type TestSmtp } from '../../server/test/fixtures/smtp';
import { pollUntil, startTestServer, uniqueEmail } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * Email verification and password reset, end to end in the browser: the links are read from the
 * mail a real SMTP server received (the server runs the mail worker, so on a database of its own).
 */

const ownDatabase = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_accounts_browser`;
  return url.toString();
})();
const PUBLIC_URL = 'http://holdfast.test';

describe('browser: verify the address from the mailed link, then reset a forgotten password', { timeout: 90_000 }, () => {
  let server: RunningServer;
  let smtp: TestSmtp;
  let browser: Browser;

  beforeAll(async () => {
    await migrateDatabase(ownDatabase);
    smtp = await startSmtp();
    server = await startTestServer({ SERVE_CLIENT: 'true', DATABASE_URL: ownDatabase, MAIL_WORKER: 'true', SMTP_URL: smtp.url, PUBLIC_URL, ...QUICK_MAIL });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await dropDatabase(ownDatabase);
  });

  /** The app path of the n-th mailed link to `address` under `route` (the mail's origin is PUBLIC_URL; the browser opens this server). */
  async function mailedLink(address: string, route: string, n = 1): Promise<string> {
    const mails = await pollUntil(async () => smtp.to(address).filter((m) => m.text.includes(`${PUBLIC_URL}/#${route}?token=`)), (ms) => ms.length >= n);
    const link = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}(/#${route}\\?token=[A-Za-z0-9_-]+)`).exec(mails[n - 1]!.text)?.[1];
    expect(link).toBeTruthy();
    return link!;
  }

  it('a new account sees the banner until the mailed link is opened; a forgotten password is reset through the mailed link', async () => {
    const email = uniqueEmail('browser');
    const { context, page, errors } = await openContext(browser, server.url);
    try {
      // Sign up: the banner says the address needs confirming, and a second link can be asked for.
      await page.goto('/#/signup');
      await page.getByLabel('Name').fill('Bea Browser');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel(/^Password/).fill('first-password');
      await page.getByRole('button', { name: 'Create account' }).click();
      const banner = page.getByTestId('verify-banner');
      await banner.waitFor();
      expect(await banner.textContent()).toContain(email);
      await mailedLink(email, '/verify');
      await banner.getByRole('button', { name: 'Send the link again' }).click();
      await banner.getByRole('status').filter({ hasText: 'Sent.' }).waitFor();
      await screen(page, 'accounts-verify-banner');

      // Only the newer link works: open it, and the banner goes.
      await page.goto(await mailedLink(email, '/verify', 2));
      await page.getByTestId('verify-done').waitFor();
      expect(await page.getByTestId('verify-banner').count()).toBe(0);
      expect(page.url(), 'the spent token leaves the address bar').not.toContain('token=');

      // Forgotten password: from the sign-in screen, a link by mail, a new password, signed out everywhere.
      await page.getByRole('button', { name: 'Sign out' }).click();
      // Signed out once the header offers "Sign in" (the sign-in screen sends a signed-in user home).
      await page.getByRole('link', { name: 'Sign in', exact: true }).first().waitFor();
      await page.goto('/#/signin');
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      await page.getByTestId('reset-requested').waitFor();

      await page.goto(await mailedLink(email, '/reset'));
      await page.getByLabel(/^New password/).fill('second-password');
      await page.getByLabel('Repeat the new password').fill('second-passwork');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(await page.locator('#err-repeat').textContent(), 'a typo in the repeat is caught before sending').toContain('differ');
      await page.getByLabel('Repeat the new password').fill('second-password');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByTestId('reset-done').waitFor();
      await screen(page, 'accounts-reset-done');

      await page.getByRole('link', { name: 'Sign in' }).first().click();
      await page.getByLabel('Email').fill(email);
      await page.getByLabel(/^Password/).fill('first-password');
      await page.getByRole('button', { name: 'Sign in' }).last().click();
      await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
      await page.getByLabel(/^Password/).fill('second-password');
      await page.getByRole('button', { name: 'Sign in' }).last().click();
      await page.getByText('Signed in as').waitFor();
      expect(await page.getByTestId('verify-banner').count(), 'still verified after the reset').toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
