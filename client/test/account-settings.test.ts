import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, register, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { a11yViolations, launchChromium, openContext, type Browser } from './browser-kit';

/*
 * The account screen: a customer renames themself, turns reminders off, and changes their
 * password, which signs out their other browser while this one stays signed in.
 */

describe('browser: the account screen', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let customer: Account;

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    customer = await register(api, 'customer', 'Carla Account');
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('saves the profile and mail switches, and a password change ends the other session only', async () => {
    // axe's script is injected inline, which the app's CSP rightly refuses.
    const here = await openContext(browser, server.url, customer.token, undefined, { bypassCSP: true });
    const elsewhere = await openContext(browser, server.url, customer.token);
    try {
      const { page } = here;
      await page.goto('/#/');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByTestId('mail-preferences').getByLabel(/Reminders/).waitFor();
      expect(await a11yViolations(page)).toEqual([]);

      // Profile: a bad phone is refused on the form, a good one saved.
      const profile = page.getByTestId('profile-form');
      await profile.getByLabel('Name').fill('Carla Renamed');
      await profile.getByLabel(/Phone/).fill('not a phone');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await profile.locator('.err').waitFor();
      await profile.getByLabel(/Phone/).fill('+44 7700 900123');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await page.locator('.app-header strong:has-text("Carla Renamed")').waitFor();
      const me = (await api.get('/api/me', customer.token)).body.user;
      expect(me.name).toBe('Carla Renamed');
      expect(me.phone).not.toBeNull();

      // Mail: reminders off, kept across a reload.
      const reminders = page.getByTestId('mail-preferences').getByLabel(/Reminders/);
      expect(await reminders.isChecked()).toBe(true);
      await reminders.uncheck();
      await expect.poll(async () => (await api.get('/api/me/mail-preferences', customer.token)).body).toEqual({ reminders: false, reviews: true });
      await page.reload();
      await page.getByTestId('mail-preferences').getByLabel(/Reminders/).waitFor();
      expect(await page.getByTestId('mail-preferences').getByLabel(/Reminders/).isChecked()).toBe(false);

      // Password: a wrong current one is refused; the right one ends the other session.
      const form = page.getByTestId('password-form');
      await form.getByLabel('Current password').fill('not-my-password');
      await form.getByLabel(/New password/).fill('a-brand-new-secret');
      await form.getByRole('button', { name: 'Change password' }).click();
      await form.getByRole('alert').waitFor();
      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByRole('button', { name: 'Change password' }).click();
      await page.locator('.toast:has-text("Password changed")').waitFor();
      expect(await form.getByLabel('Current password').inputValue()).toBe('');

      expect((await api.get('/api/me', customer.token)).status).toBe(401); // the token both browsers started with
      await elsewhere.page.goto('/#/account');
      await elsewhere.page.waitForURL(/#\/signin/);
      await page.reload();
      await page.getByRole('heading', { name: 'Your account' }).waitFor(); // this browser has the new cookie
      expect((await api.post('/api/auth/login', { email: customer.email, password: 'a-brand-new-secret' })).status).toBe(200);
      for (const ctx of [here, elsewhere]) expect(ctx.errors).toEqual([]);
    } finally {
      await here.context.close();
      await elsewhere.context.close();
    }
  });
});
