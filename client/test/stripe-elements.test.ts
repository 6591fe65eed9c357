import type { SlotView } from '@shared/availability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/domain/clock';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { startFakeStripe, type FakeStripe } from '../../server/test/fixtures/fake-stripe';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, type Browser, type Page } from './browser-kit';

/*
 * Paying at confirm with Stripe Elements, in Chromium: a server in stripe mode talks to the local
 * fake Stripe API (server/test/fixtures/fake-stripe.ts), and the browser's requests for Stripe.js
 * (https://js.stripe.com/v3) are answered with a tiny stand-in that implements the calls we make
 * (elements().create('card').mount(), on('change'), createPaymentMethod()). So this tests our
 * integration, not Stripe: the page's CSP lets the script load (a CSP refusal would stop the
 * request before it is routed, and is counted as an error), the pm_… id it makes reaches the
 * confirm, and the booking is authorized at the fake Stripe. In simulated mode, js.stripe.com is
 * never asked for. The CSP is NOT bypassed here.
 */

const PUBLISHABLE_KEY = 'pk_test_elements';

/** Stripe.js as far as our card form uses it: a plain input stands in for Stripe's card iframe. */
const FAKE_STRIPE_JS = `
window.Stripe = function (key) {
  window.__stripeKey = key;
  var field = null;
  return {
    elements: function () {
      return { create: function (type) {
        var handlers = [];
        return {
          mount: function (host) {
            field = document.createElement('input');
            field.setAttribute('aria-label', 'Card number');
            field.setAttribute('data-fake-stripe', type);
            field.addEventListener('input', function () { handlers.forEach(function (h) { h({ complete: field.value.length >= 16, empty: !field.value }); }); });
            host.appendChild(field);
          },
          on: function (event, h) { if (event === 'change') handlers.push(h); },
          focus: function () { field && field.focus(); },
          destroy: function () { field && field.remove(); },
        };
      } };
    },
    createPaymentMethod: function (data) {
      window.__createPaymentMethod = (window.__createPaymentMethod || 0) + 1;
      var digits = field ? field.value.replace(/\\s/g, '') : '';
      if (data.type !== 'card' || !data.card) return Promise.resolve({ error: { type: 'invalid_request_error', message: 'bad call' } });
      if (digits.length < 16) return Promise.resolve({ error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' } });
      return Promise.resolve({ paymentMethod: { id: digits === '4000000000000002' ? 'pm_card_chargeDeclined' : 'pm_card_visa' } });
    },
  };
};`;

async function laterSlot(api: ApiClient, workshopId: string): Promise<SlotView> {
  const avail = await api.get(`/api/workshops/${workshopId}/availability`);
  return (avail.body.slots as SlotView[]).find((s) => Date.parse(s.startsAt) > Date.now() + 3 * 3600_000 && s.free > 0)!;
}

async function holdIn(page: Page, api: ApiClient, workshopId: string) {
  const s = await laterSlot(api, workshopId);
  await page.goto(`/#/workshops/${workshopId}`);
  await page.click(`[data-slot-id="${s.id}"]`);
  await page.waitForSelector('[data-testid=hold-panel]');
  await page.fill('input[name=registration]', 'st12 ipe');
}

const paidPolicy = { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 0 } as const;
const submit = 'form[aria-label="Confirm booking"] button[type=submit]';

describe('browser: Stripe Elements at confirm', { timeout: 60_000 }, () => {
  let fake: FakeStripe;
  let stripeServer: RunningServer;
  let simulatedServer: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeStripe({ clock: systemClock });
    [stripeServer, simulatedServer] = await Promise.all([
      startTestServer(
        { SERVE_CLIENT: 'true', PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_elements', STRIPE_PUBLISHABLE_KEY: PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET: 'whsec_elements', STRIPE_API_BASE: fake.url },
        { sweepers: 'holds' },
      ),
      startTestServer({ SERVE_CLIENT: 'true' }, { sweepers: 'holds' }),
    ]);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([stripeServer?.close(), simulatedServer?.close()]);
    await fake?.close();
  });

  it('stripe mode: the CSP allows Stripe.js, its error is an alert, and its pm_… id books with an authorization at Stripe', async () => {
    const api = apiClient(stripeServer.url);
    const csp = (await fetch(`${stripeServer.url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' https://js.stripe.com");
    expect(csp).toContain('frame-src https://js.stripe.com');
    expect(csp).toContain("connect-src 'self' https://api.stripe.com");

    const { workshop } = await verifiedWorkshop(stripeServer, api, { bays: 1, holdTtlSeconds: 300, money: paidPolicy });
    const dana: Account = await register(api, 'customer', 'Dana Elements');
    const { context, page, errors } = await openContext(browser, stripeServer.url, dana.token);
    const stripeRequests: string[] = [];
    page.on('request', (r) => r.url().startsWith('https://js.stripe.com/') && stripeRequests.push(r.url()));
    await context.route('https://js.stripe.com/v3**', (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_STRIPE_JS }));
    try {
      await page.goto('/');
      await page.waitForLoadState('networkidle');
      // Not on every page: only once a confirm form needs a card.
      expect(stripeRequests).toEqual([]);

      await holdIn(page, api, workshop.id);
      await page.waitForSelector('[data-testid=stripe-card][data-state=ready]');
      expect(stripeRequests).toEqual(['https://js.stripe.com/v3']);
      expect(await page.evaluate(() => (window as unknown as { __stripeKey: string }).__stripeKey)).toBe(PUBLISHABLE_KEY);

      // Stripe.js refuses an incomplete card: its message is an alert, and nothing reaches the server.
      const intentsBefore = fake.requests.filter((r) => r.path === '/v1/payment_intents').length;
      await page.getByLabel('Card number').fill('4242 4242');
      await page.click(submit);
      const alert = page.locator('[data-testid=stripe-card] [role=alert]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('Your card number is incomplete.');
      expect((await api.get('/api/bookings', dana.token)).body.bookings).toHaveLength(0);

      await page.getByLabel('Card number').fill('4242 4242 4242 4242');
      await page.click(submit);
      await page.waitForSelector('[data-testid=booking-status][data-status=pending]');
      expect(await page.textContent('[data-testid=receipt]')).toContain('Reserved on your card');

      // The pm_… id from Stripe.js reached the confirm, and the server authorized it at (fake) Stripe.
      const created = fake.requests.filter((r) => r.path === '/v1/payment_intents').slice(intentsBefore);
      expect(created).toHaveLength(1);
      expect(created[0]!.params).toMatchObject({ payment_method: 'pm_card_visa', capture_method: 'manual', confirm: 'true', amount: '4999' });
      // Only this test talks to the fake: one authorization, held for capture.
      expect([...fake.intents.values()].map((pi) => [pi.status, pi.amount])).toEqual([['requires_capture', 4999]]);
      expect((await api.get('/api/bookings', dana.token)).body.bookings).toHaveLength(1);
      expect(await page.evaluate(() => (window as unknown as { __createPaymentMethod: number }).__createPaymentMethod)).toBe(2);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('simulated mode: the strict CSP, and js.stripe.com is never requested, even on a confirm form that takes a card', async () => {
    const api = apiClient(simulatedServer.url);
    const csp = (await fetch(`${simulatedServer.url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('stripe');
    expect((await api.get('/api/payments/config')).body).toEqual({ provider: 'simulated', publishableKey: null });

    const { workshop } = await verifiedWorkshop(simulatedServer, api, { bays: 1, holdTtlSeconds: 300, money: paidPolicy });
    const erin = await register(api, 'customer', 'Erin Simulated');
    const { context, page, errors } = await openContext(browser, simulatedServer.url, erin.token);
    const stripeRequests: string[] = [];
    page.on('request', (r) => /stripe\.com/.test(r.url()) && stripeRequests.push(r.url()));
    await context.route('https://js.stripe.com/**', (route) => route.fulfill({ status: 200, contentType: 'application/javascript', body: FAKE_STRIPE_JS }));
    try {
      await holdIn(page, api, workshop.id);
      await page.waitForSelector('form[aria-label="Confirm booking"][data-payment=simulated]');
      await page.getByLabel('Card number').fill('4242 4242 4242 4242');
      await page.click(submit);
      await page.waitForSelector('[data-testid=booking-status][data-status=pending]');
      expect(await page.locator('[data-testid=stripe-card]').count()).toBe(0);
      expect(stripeRequests).toEqual([]);
      expect(await page.evaluate(() => 'Stripe' in window)).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
