import type { SlotView } from '@shared/availability';
import { rooms } from '@shared/realtime/rooms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../server/domain/clock';
import { createAdmin, register, verifiedWorkshop, type Account } from '../../server/test/fixtures';
import { apiClient, startTestServer, type ApiClient } from '../../server/test/harness';
import type { RunningServer } from '../../server/runtime';
import { launchChromium, markDocument, noReload, openContext, screen, type Browser, type BrowserContext, type Page } from './browser-kit';

/*
 * The product as people use it, in Debian's Chromium against a real server (Postgres,
 * Redis, Socket.IO): two customers, the workshop's vendor and an admin, each in their own
 * browser context. Every "live" assertion waits for the DOM to change by itself, and the
 * page is checked to be the same document (no reload) afterwards. The server's clock moves past
 * B's hold's expiry at the end (the browsers keep real time), so the expiry is not waited out.
 */

const TTL_S = 30; // the minimum hold TTL
const slot = (id: string, look: string) => `[data-slot-id="${id}"][data-look="${look}"]`;
const boardCell = (workshopId: string, col: string) => `tr[data-workshop-id="${workshopId}"] td[data-col="${col}"]`;
const seconds = (mmss: string) => {
  const [m = '0', s = '0'] = mmss.trim().split(':');
  return Number(m) * 60 + Number(s);
};

describe('browser: live booking across customer, vendor and admin screens', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let api: ApiClient;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
  let bea: Account; // customer B (signed in by cookie)
  let cal: Account; // customer C (API only: the rival)
  let admin: Account;
  let S: SlotView, T: SlotView, U: SlotView, V: SlotView;
  let a: { context: BrowserContext; page: Page; errors: string[] };
  let b: typeof a, vendor: typeof a, boardView: typeof a;
  let bookingId = '';
  let workshopUrl = '';
  const serverClock = offsetClock();

  beforeAll(async () => {
    server = await startTestServer({ SERVE_CLIENT: 'true', SWEEP_INTERVAL_MS: '100' }, { sweepers: 'holds', clock: serverClock });
    api = apiClient(server.url);
    shop = await verifiedWorkshop(server, api, { bays: 1, holdTtlSeconds: TTL_S });
    [bea, cal, admin] = await Promise.all([register(api, 'customer', 'Bea Lane'), register(api, 'customer', 'Cal Rival'), createAdmin(server, api)]);

    // Four independent slots at least 3 hours ahead, inside the grid's first week. S has a later
    // time on its own day (the keyboard test moves down from it), whatever the time of day the
    // suite runs at: the first slot 3 hours ahead can be its day's last.
    const avail = await api.get(`/api/workshops/${shop.workshop.id}/availability`);
    const later = (avail.body.slots as SlotView[]).filter((s) => Date.parse(s.startsAt) > Date.now() + 3 * 3600_000);
    const day = (s: SlotView) => new Intl.DateTimeFormat('en-CA', { timeZone: shop.workshop.timezone }).format(new Date(s.startsAt));
    const first = later.findIndex((s, i) => later[i + 1] !== undefined && day(later[i + 1]!) === day(s));
    [S, T, U, V] = [later[first]!, later[first + 2]!, later[first + 4]!, later[first + 6]!];
    expect(V, 'enough slots ahead').toBeDefined();
    workshopUrl = `/#/workshops/${shop.workshop.id}`;

    browser = await launchChromium();
    a = await openContext(browser, server.url);
    [b, vendor, boardView] = await Promise.all([
      openContext(browser, server.url, bea.token),
      openContext(browser, server.url, shop.vendor.token),
      openContext(browser, server.url, admin.token),
    ]);
    console.info(`slots S=${S.startsAt} T=${T.startsAt} U=${U.startsAt} V=${V.startsAt}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function rivalHold(slotId: string): Promise<string> {
    const res = await api.post('/api/holds', { workshopId: shop.workshop.id, serviceId: shop.service.id, slotId }, cal.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.hold.id as string;
  }

  it('A signs up and holds a slot; B sees it held without a reload; the admin board counts the holds', async () => {
    // Customer A signs up through the UI.
    await a.page.goto('/#/signup');
    await a.page.fill('input[name=name]', 'Ada Driver');
    await a.page.fill('input[name=email]', `ada-${Date.now()}@test.holdfast`);
    await a.page.fill('input[name=password]', 'correct-horse-battery');
    await a.page.click('form button[type=submit]');
    await a.page.waitForSelector('text=Signed in as');

    // Which slots' figures light up on A's screen (the grid's flash, a Web Animation on their text).
    // The app is already loaded (the workshop page is a hash route of the same document).
    await a.page.evaluate(() => {
      const flashed: string[] = ((window as unknown as { __hfFlashed: string[] }).__hfFlashed = []);
      const animate = Element.prototype.animate;
      Element.prototype.animate = function (this: Element, ...args: Parameters<Element['animate']>) {
        if (this.matches('[data-slot-id] .txt')) flashed.push(this.closest('[data-slot-id]')!.getAttribute('data-slot-id')!);
        return animate.apply(this, args);
      };
    });
    const flashed = (page: Page) => page.evaluate(() => (window as unknown as { __hfFlashed: string[] }).__hfFlashed);

    // Which board cells light up (the same flash, on the admin board's counters), from the first frame.
    await boardView.page.addInitScript(() => {
      const flashed: string[] = ((window as unknown as { __hfFlashed: string[] }).__hfFlashed = []);
      const animate = Element.prototype.animate;
      Element.prototype.animate = function (this: Element, ...args: Parameters<Element['animate']>) {
        const cell = this.closest('tr[data-workshop-id] td[data-col]');
        if (cell) flashed.push(`${cell.closest('tr')!.getAttribute('data-workshop-id')}:${cell.getAttribute('data-col')}`);
        return animate.apply(this, args);
      };
    });
    const boardFlashes = async () => (await flashed(boardView.page)).filter((f) => f.startsWith(`${shop.workshop.id}:`));
    await Promise.all([a.page.goto(workshopUrl), b.page.goto(workshopUrl), vendor.page.goto('/#/vendor'), boardView.page.goto('/#/admin')]);
    await Promise.all([a.page.waitForSelector(slot(U.id, 'free')), b.page.waitForSelector(slot(U.id, 'free'))]);
    await boardView.page.waitForSelector(boardCell(shop.workshop.id, 'holds'));
    await Promise.all([markDocument(a.page), markDocument(b.page)]);
    // A page that opens lights up nothing: no slot flashes until its figures change.
    expect(await flashed(a.page)).toEqual([]);
    expect(await a.page.$$eval('[data-slot-id] .txt', (els) => els.filter((e) => getComputedStyle(e).animationName !== 'none').length)).toBe(0);
    // Nor does the board: its counters light up when they change, not when it opens.
    expect(await boardFlashes()).toEqual([]);
    expect(await boardView.page.$$eval('td[data-col] span', (els) => els.filter((e) => getComputedStyle(e).animationName !== 'none').length)).toBe(0);

    // B takes U now: this hold runs out at the end of the file.
    await b.page.click(`[data-slot-id="${U.id}"]`);
    await b.page.waitForSelector(slot(U.id, 'mine'));
    await a.page.waitForSelector(slot(U.id, 'held'));
    // U's figures changed on A's screen, and only U's lit up.
    await a.page.waitForFunction((id) => (window as unknown as { __hfFlashed: string[] }).__hfFlashed.includes(id), U.id);
    expect(new Set(await flashed(a.page))).toEqual(new Set([U.id]));
    // On the board, this workshop's holds counter lit up, and nothing else of its row.
    await boardView.page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === '1', boardCell(shop.workshop.id, 'holds'));
    await expect.poll(boardFlashes).toContain(`${shop.workshop.id}:holds`);
    expect(new Set(await boardFlashes())).toEqual(new Set([`${shop.workshop.id}:holds`]));

    // By keyboard: arrows move between times (roving tabindex), Enter holds.
    await a.page.focus(`[data-slot-id="${S.id}"]`);
    await a.page.keyboard.press('ArrowDown');
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute('data-slot-id'))).not.toBe(S.id);
    await a.page.keyboard.press('ArrowUp');
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute('data-slot-id'))).toBe(S.id);
    await a.page.keyboard.press('Enter');
    await a.page.waitForSelector('[data-testid=hold-panel]');
    await a.page.waitForSelector(slot(S.id, 'mine'));
    await b.page.waitForSelector(slot(S.id, 'held'));
    expect(await b.page.textContent(`[data-slot-id="${S.id}"]`)).toContain('On hold');
    expect(await noReload(b.page)).toBe(true);
    expect(await noReload(a.page)).toBe(true);

    await boardView.page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === '2',
      boardCell(shop.workshop.id, 'holds'),
    );
    await screen(a.page, 'customer-workshop', { publish: true });
  });

  it('a slot taken just before B clicks gives a clear message; a released hold frees the slot live', async () => {
    let rivalHoldId = '';
    // Taken "just before the click": the rival's hold lands while B's request is on its way.
    await b.page.route('**/api/v1/holds', async (route) => {
      if (route.request().method() === 'POST') rivalHoldId = await rivalHold(T.id);
      await route.continue();
    }, { times: 1 });
    await b.page.click(`[data-slot-id="${T.id}"]`);
    const alert = await b.page.waitForSelector('[data-testid=pick-error]');
    expect(await alert.textContent()).toContain('Someone else took that slot');
    // A way forward: the nearest free times, one tap each, and similar workshops.
    const ways = b.page.getByTestId('alternatives');
    await ways.locator('button').first().waitFor();
    expect(await ways.textContent()).toContain('Nearest free:');
    expect(await ways.locator('a:has-text("Similar workshops")').getAttribute('href')).toBe('#/?category=maintenance');
    await b.page.waitForSelector(slot(T.id, 'held'));
    await b.page.waitForSelector(slot(U.id, 'mine')); // B's own hold is untouched
    await screen(b.page, 'customer-slot-taken', { publish: true });
    await b.page.unroute('**/api/v1/holds');

    expect((await api.del(`/api/holds/${rivalHoldId}`, cal.token)).status).toBe(204);
    await b.page.waitForSelector(slot(T.id, 'free'));
    await a.page.waitForSelector(slot(T.id, 'free'));
    expect(await noReload(b.page)).toBe(true);
  });

  it('a reload in the middle restores the same hold, countdown and grid', async () => {
    const before = seconds((await a.page.textContent('[data-testid=hold-countdown]')) ?? '');
    await a.page.reload();
    await a.page.waitForSelector('[data-testid=hold-panel]');
    await a.page.waitForSelector(slot(S.id, 'mine'));
    await a.page.waitForSelector(slot(U.id, 'held'));
    const after = seconds((await a.page.textContent('[data-testid=hold-countdown]')) ?? '');
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(before); // the same hold, not a new one
    await a.page.setViewportSize({ width: 390, height: 844 });
    await screen(a.page, 'customer-workshop-phone', { fullPage: true });
    await a.page.setViewportSize({ width: 1360, height: 900 });
    await markDocument(a.page);
  });

  it('A confirms; the vendor desk shows the request live with a tab count; accepting shows on A’s booking live', async () => {
    await vendor.page.waitForSelector('[data-testid=no-requests]');
    await markDocument(vendor.page);

    await a.page.fill('input[name=registration]', 'hf24 abc');
    await a.page.fill('input[name=make]', 'Volvo');
    await a.page.fill('input[name=model]', 'V70');
    await a.page.fill('textarea[name=notes]', 'Squeaks when braking');
    await a.page.click('form[aria-label="Confirm booking"] button[type=submit]');
    await a.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    bookingId = /#\/bookings\/([0-9a-f-]+)/.exec(a.page.url())?.[1] ?? '';
    expect(bookingId).not.toBe('');

    const req = await vendor.page.waitForSelector('[data-testid=request]');
    expect(await req.textContent()).toContain('HF24 ABC');
    expect(await vendor.page.title()).toMatch(/^\(1\) New request/);
    expect(await noReload(vendor.page)).toBe(true);
    await vendor.page.waitForSelector('[data-testid=sla]');
    await boardView.page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === '1', boardCell(shop.workshop.id, 'pending'));
    await boardView.page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === '1', boardCell(shop.workshop.id, 'today'));
    await b.page.waitForSelector(slot(S.id, 'full')); // held → booked on the other customer's screen
    await screen(vendor.page, 'vendor-desk', { publish: true });
    // A reload of the desk restores the same queue (and the tab count).
    await vendor.page.reload();
    await vendor.page.waitForSelector('[data-testid=request]');
    await vendor.page.waitForFunction(() => document.title.startsWith('(1)'));

    await vendor.page.click('[data-testid=request] button:has-text("Accept")');
    await vendor.page.waitForSelector('[data-testid=no-requests]');
    expect(await vendor.page.title()).not.toMatch(/^\(/);

    await a.page.waitForSelector('[data-testid=booking-status][data-status=accepted]');
    expect(await noReload(a.page)).toBe(true);
    await boardView.page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === '0', boardCell(shop.workshop.id, 'pending'));
    await boardView.page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === '1', boardCell(shop.workshop.id, 'holds'));
    await screen(boardView.page, 'admin-board', { publish: true });
    await screen(a.page, 'customer-booking');
  });

  it('My bookings: moving an accepted booking asks the workshop; the desk accepts; capacity follows live on B’s grid; cancel frees it', async () => {
    a.page.on('dialog', (d) => void d.accept());
    await a.page.goto('/#/bookings');
    const item = `[data-booking-id="${bookingId}"]`;
    await a.page.waitForSelector(`${item} [data-status=accepted]`);
    await a.page.click(`${item} a:has-text("Reschedule")`);
    await a.page.waitForSelector('text=Rescheduling');
    // The review step: old → new; "Keep current time" releases the new hold and changes nothing.
    await a.page.click(`[data-slot-id="${T.id}"]`);
    const review = a.page.getByRole('dialog');
    await review.getByTestId('move-to').waitFor();
    await review.locator('button:has-text("Keep current time")').click();
    await b.page.waitForSelector(slot(T.id, 'free'));
    expect((await api.get(`/api/bookings/${bookingId}`, shop.vendor.token)).body.booking.slotIds).toEqual([S.id]);
    // The workshop confirms moves of accepted bookings: asking creates a request, the old time stays.
    await a.page.click(`[data-slot-id="${T.id}"]`);
    await review.getByTestId('move-needs-acceptance').waitFor();
    await review.locator('button:has-text("Ask to move")').click();
    await a.page.waitForSelector('[data-testid=move-request-note]');
    await a.page.waitForSelector('[data-testid=booking-status][data-status=pending]');
    const requestId = a.page.url().split('/bookings/')[1]!;
    expect(requestId).not.toBe(bookingId);
    await b.page.waitForSelector(slot(T.id, 'full'));
    expect((await api.get(`/api/bookings/${bookingId}`, shop.vendor.token)).body.booking.status).toBe('accepted');
    // A tap on a full time says why instead of doing nothing.
    await b.page.click(`[data-slot-id="${T.id}"]`, { force: true }); // aria-disabled: Playwright would wait for it to be enabled
    await b.page.waitForSelector('text=cannot be held: it is fully booked');

    // The desk sees it like a new request, marked as a move, and accepts it: the old booking goes.
    await vendor.page.goto('/#/vendor/requests');
    const card = `[data-testid=request][data-booking-id="${requestId}"]`;
    await vendor.page.waitForSelector(`${card} [data-testid=move-request]`);
    await vendor.page.click(`${card} button:has-text("Accept")`);
    await a.page.waitForSelector('[data-testid=booking-status][data-status=accepted]');
    await b.page.waitForSelector(slot(S.id, 'free'));
    expect((await api.get(`/api/bookings/${bookingId}`, shop.vendor.token)).body.booking.status).toBe('cancelled');
    expect((await api.get(`/api/bookings/${requestId}`, shop.vendor.token)).body.booking.slotIds).toEqual([T.id]);

    await a.page.goto('/#/bookings');
    const moved = `[data-booking-id="${requestId}"]`;
    await a.page.click(`${moved} button:has-text("Cancel")`);
    await a.page.waitForSelector(`${moved} [data-status=cancelled]`);
    await b.page.waitForSelector(slot(T.id, 'free'));
    expect(await noReload(b.page)).toBe(true);
  });

  it('going offline shows a banner; reconnecting resyncs the grid with what was missed', async () => {
    await b.context.setOffline(true);
    server.realtime.io.in(rooms.user(bea.id)).disconnectSockets(true);
    await b.page.waitForSelector('[data-testid=offline-banner]');
    // The grid says it is paused, dims, and explains instead of holding.
    await b.page.waitForSelector('text=PAUSED');
    expect(await b.page.getAttribute('[data-testid=grid-wrap]', 'class')).toContain('dimmed');
    await b.page.click(`[data-slot-id="${V.id}"]`);
    await b.page.waitForSelector('text=You are offline: holding a slot needs a connection');

    const missed = await rivalHold(V.id); // happens while B cannot hear it
    await b.context.setOffline(false);
    await b.page.waitForSelector('[data-testid=offline-banner]', { state: 'detached', timeout: 15_000 });
    await b.page.waitForSelector(slot(V.id, 'held'), { timeout: 15_000 });
    await b.page.waitForSelector('text=● LIVE');
    expect(await noReload(b.page)).toBe(true);
    expect((await api.del(`/api/holds/${missed}`, cal.token)).status).toBe(204);
    await b.page.waitForSelector(slot(V.id, 'free'));
  });

  it('a hold that runs out frees the slot on the other screen and tells its holder', async () => {
    await a.page.goto(workshopUrl);
    // Held, or already free if the earlier tests outlasted the TTL on a busy machine: either way
    // the page is live before the expiry below.
    await a.page.waitForSelector(`${slot(U.id, 'held')}, ${slot(U.id, 'free')}`);
    // The server's time moves a second past the end of B's hold; its hold sweeper (every 100 ms) does the rest.
    const bHolds = (await api.get('/api/holds', bea.token)).body.holds as Array<{ expiresAt: string; slotIds: string[] }>;
    const onU = bHolds.find((h) => h.slotIds.includes(U.id));
    // What B typed survives the expiry.
    // The panel may close under us (the hold's real TTL can run out first on a busy machine): a
    // fill that finds no field in 2 s means it did, and the checks below take that branch.
    const typed = await b.page
      .fill('[data-testid=hold-panel] input[name=registration]', 'KE19 PTX', { timeout: 2_000 })
      .then(() => true, () => false);
    console.info(`expiry: B's hold on U ${onU ? 'live' : 'already gone'}, hold panel ${typed ? 'open' : 'closed'}`);
    if (onU) serverClock.jumpTo(Date.parse(onU.expiresAt) + 1_000);
    await b.page.waitForSelector('[data-testid=hold-expired]');
    await b.page.waitForSelector(slot(U.id, 'free'));
    await a.page.waitForSelector(slot(U.id, 'free'));
    expect(await b.page.$('[data-testid=hold-panel]')).toBeNull();
    expect(await noReload(b.page)).toBe(true);

    // "Hold again" takes the same time back, with the vehicle details still filled in.
    if (onU) {
      await b.page.click('[data-testid=hold-expired] button:has-text("again")');
      await b.page.waitForSelector('[data-testid=hold-panel]');
      if (typed) expect(await b.page.inputValue('[data-testid=hold-panel] input[name=registration]')).toBe('KE19 PTX');
      await a.page.waitForSelector(slot(U.id, 'held'));
    }

    for (const ctx of [a, b, vendor, boardView]) expect(ctx.errors).toEqual([]);
  });
});
