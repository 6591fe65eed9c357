import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '@shared/availability';
import { register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, openContext, screen, type Browser } from './browser-kit';

/*
 * A visitor who clicks a slot is asked to sign in with the reason in words; the intent
 * survives sign-in and sign-up, and they come back with that slot held — or, when another
 * customer took it meanwhile, told so with the slot picked out.
 */

const PHONE = { width: 390, height: 844 };

describe('browser: the booking intent survives signing in and signing up', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let rival: Account;
  let slots: SlotView[];

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true' });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 1 });
    rival = await register(api, 'customer', 'Rita Rival');
    // Slots a few hours on, whatever the time of day.
    slots = ((await api.get(`/api/workshops/${shop.workshop.id}/availability`)).body.slots as SlotView[]).filter((s) => Date.parse(s.startsAt) > Date.now() + 3 * 3600_000);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [label, viewport] of [['desktop', undefined], ['phone', PHONE]] as const) {
    it(`${label}: sign-up from a slot click comes back with that slot held`, async () => {
      const target = slots[label === 'desktop' ? 0 : 2]!;
      const { context, page, errors } = await openContext(browser, server.url, undefined, viewport);
      try {
        await page.goto(`/#/workshops/${shop.workshop.id}`);
        await page.click(`[data-slot-id="${target.id}"]`);
        const why = page.getByTestId('auth-why');
        await why.waitFor();
        expect(await why.textContent()).toMatch(/^Sign in or create an account to hold .+ at Test Garage\.$/);
        await page.click('a:has-text("Create an account")');
        await page.waitForSelector('input[name=name]');
        expect(await page.getByTestId('auth-why').textContent()).toContain('to hold');
        await page.fill('input[name=name]', `Vic Visitor ${label}`);
        await page.fill('input[name=email]', `vic-${label}-${Date.now()}@test.holdfast`);
        await page.fill('input[name=password]', 'correct-horse-battery');
        await page.click('button[type=submit]');
        await page.waitForSelector('[data-testid=hold-panel]');
        expect(await page.getAttribute(`[data-slot-id="${target.id}"]`, 'data-look')).toBe('mine');
        expect(page.url()).not.toContain('hold='); // a reload will not hold it twice
        if (label === 'phone') await screen(page, 'intent-held-phone');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('a slot taken while the visitor signs in: told so, the slot picked out, nothing held', async () => {
    const target = slots[4]!;
    const visitor = await register(api, 'customer', 'Sam Second');
    const { context, page, errors } = await openContext(browser, server.url, undefined, PHONE);
    try {
      await page.goto(`/#/workshops/${shop.workshop.id}`);
      await page.click(`[data-slot-id="${target.id}"]`);
      await page.getByTestId('auth-why').waitFor();
      // Meanwhile another customer holds the only bay.
      expect((await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId: target.id }, rival.token)).status).toBe(201);
      await page.fill('input[name=email]', visitor.email);
      await page.fill('input[name=password]', 'correct-horse-battery');
      await page.click('button[type=submit]');
      await page.waitForSelector('text=Someone took that time while you were signing in');
      await page.waitForFunction((id) => document.activeElement?.getAttribute('data-slot-id') === id, target.id);
      expect((await api.get('/api/holds', visitor.token)).body.holds).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
