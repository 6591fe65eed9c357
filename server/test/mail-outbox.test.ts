import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../db/create-database';
import { migrateDatabase } from '../db/migrate';
import { manualClock } from '../domain/clock';
import type { SlotRow } from '../domain/catalog-ports';
import { type Account, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';
import { QUICK_MAIL, startSmtp, type TestSmtp } from './fixtures/smtp';
import { expectStatus, pollUntil } from './harness';

// A database of its own: mail workers send whatever the outbox holds, and the run's shared
// database holds every other file's bookings (their servers run no worker: MAIL_WORKER=false).
const ownDatabase = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_mail`;
  return url.toString();
})();

const PUBLIC_URL = 'http://holdfast.test';
const clock = manualClock();
let smtp: TestSmtp;
const servers: EngineServer[] = [];

/** A server on the mail database; `worker`: it runs the relay and the mail worker (two processes may). */
async function server(worker: boolean, smtpUrl = smtp.url) {
  const es = await startEngineServer({
    clock,
    env: {
      DATABASE_URL: ownDatabase,
      MAIL_WORKER: String(worker),
      SMTP_URL: smtpUrl,
      PUBLIC_URL,
      ...QUICK_MAIL,
    },
  });
  servers.push(es);
  return es;
}

beforeAll(async () => {
  await migrateDatabase(ownDatabase);
  smtp = await startSmtp();
});
afterAll(async () => {
  for (const es of servers) await es.server.close();
  await smtp?.close();
  await dropDatabase(ownDatabase);
});

type Booking = { id: string; status: string; startsAt: string; version: number };

async function book(es: EngineServer, who: Account, ws: Awaited<ReturnType<typeof quickWorkshop>>, slot: SlotRow): Promise<Booking> {
  const as = es.api.typed(who.token);
  const h = expectStatus(await as.POST('/api/v1/holds', { body: { workshopId: ws.workshop.id, serviceId: ws.service.id, slotId: slot.id } }), 201);
  return expectStatus(await as.POST('/api/v1/bookings', { body: { holdId: h.hold.id } }), 201).booking as Booking;
}

async function outboxOf(es: EngineServer, bookingId: string) {
  return es.server.orm.em.fork().execute<Array<{ template: string; recipient_id: string; status: string; send_after: Date | null; attempts: number; detail: string | null }>>(
    'select template, recipient_id, status, send_after, attempts, detail from outbox_message where booking_id = ? order by template',
    [bookingId],
  );
}

/** Waits until the relay handed every outbox row of the booking to the queue (their delays counted on the clock of then). */
const relayed = (es: EngineServer, bookingId: string) =>
  pollUntil(
    () => es.server.orm.em.fork().execute<Array<{ n: string }>>('select count(*) as n from outbox_message where booking_id = ? and enqueued_at is null', [bookingId]),
    ([r]) => Number(r?.n) === 0,
  );

const mailsTo = (address: string, subject: RegExp) => pollUntil(async () => smtp.to(address).filter((m) => subject.test(m.subject)), (ms) => ms.length > 0);

describe('mail through the outbox and the job queue', () => {
  let a: EngineServer;
  let ws: Awaited<ReturnType<typeof quickWorkshop>>;
  let day: SlotRow[];
  let customer: Account;

  beforeAll(async () => {
    // Two processes share the work; neither has a socket connected.
    a = await server(true);
    await server(true);
    ws = await quickWorkshop(a, { bays: 3, acceptSlaMinutes: 60 });
    day = await dayOfSlots(a.server, ws.workshop.id, clock.now(), 2);
    [customer] = (await quickAccounts(a.server, 1)) as [Account];
  });

  it('a new request reaches the vendor by email within seconds, once, with a link to it; the escalation waits for half the SLA', async () => {
    const b = await book(a, customer, ws, day[0]!);
    const [mail] = await mailsTo(ws.vendor.email, /^New booking request: Service 0/);
    expect(mail, 'the vendor got the request').toBeDefined();
    expect(mail!.to).toEqual([ws.vendor.email]);
    expect(mail!.text).toContain(`${PUBLIC_URL}/#/bookings/${b.id}`);
    expect(mail!.html).toContain(`href="${PUBLIC_URL}/#/bookings/${b.id}"`);
    // Times in the workshop's zone (Europe/London), as the desk shows them.
    expect(mail!.subject).toMatch(/\(Europe\/London\)$/);
    expect(mail!.headers.has('list-unsubscribe'), 'essential mail has no unsubscribe').toBe(false);

    const rows = await pollUntil(() => outboxOf(a, b.id), (rs) => rs.find((r) => r.template === 'request_new')?.status === 'sent');
    expect(rows.find((r) => r.template === 'request_new')).toMatchObject({ recipient_id: ws.vendor.id, status: 'sent', attempts: 1 });
    const escalation = rows.find((r) => r.template === 'accept_escalation')!;
    expect(escalation.status).toBe('pending');
    // Half of the 60-minute SLA after the request (clock time).
    expect(new Date(escalation.send_after!).getTime()).toBe(clock.now() + 30 * 60_000);
    expect(smtp.to(ws.vendor.email).filter((m) => m.messageId === mail!.messageId)).toHaveLength(1);
  });

  it('accepted: the customer is told (essential), reminders are scheduled 24 h and 2 h before; a reminder still due is sent with an unsubscribe link that works without signing in', async () => {
    const b = await book(a, customer, ws, day[1]!);
    const startsAt = Date.parse(b.startsAt);
    await relayed(a, b.id);
    // Accepted 2 h and 2 s before the start: the 24 h reminder is past its time, the 2 h one due in 2 s.
    clock.set(startsAt - 2 * 3_600_000 - 2000);
    try {
      expectStatus(await a.api.typed(ws.vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: b.id, action: 'accept' } } }), 200);
      const [confirmed] = await mailsTo(customer.email, /^Confirmed: Service 0 at Engine Garage/);
      expect(confirmed!.text).toContain(`${PUBLIC_URL}/#/bookings/${b.id}`);

      const [reminder] = await mailsTo(customer.email, /^Reminder: Service 0/);
      expect(reminder, 'the 2 h reminder').toBeDefined();
      const rows = await pollUntil(() => outboxOf(a, b.id), (rs) => rs.filter((r) => r.template.startsWith('reminder')).every((r) => r.status !== 'pending'));
      expect(rows.find((r) => r.template === 'reminder_24h')).toMatchObject({ status: 'skipped', detail: 'too close to the start' });
      expect(rows.find((r) => r.template === 'reminder_2h')).toMatchObject({ status: 'sent' });
      expect(new Date(rows.find((r) => r.template === 'reminder_2h')!.send_after!).getTime()).toBe(startsAt - 2 * 3_600_000);
      // Accepted: the escalation is no longer wanted when its time comes.
      expect(rows.find((r) => r.template === 'accept_escalation')?.status).toBe('pending');

      const link = /(http:\/\/holdfast\.test\/mail\/unsubscribe\?token=[\w.-]+)/.exec(reminder!.text)?.[1];
      expect(link, reminder!.text).toBeDefined();
      expect(reminder!.html).toContain(`href="${link}"`);
      expect(reminder!.headers.get('list-unsubscribe')).toBe(`<${link}>`);
      const path = link!.slice(PUBLIC_URL.length);
      const page = await fetch(a.server.url + path);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post"');
      expect((await a.api.typed(customer.token).GET('/api/v1/me/mail-preferences')).data).toEqual({ reminders: true, reviews: true });
      const done = await fetch(a.server.url + path, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('no longer get reminders');
      expect((await a.api.typed(customer.token).GET('/api/v1/me/mail-preferences')).data).toEqual({ reminders: false, reviews: true });
      const forged = await fetch(`${a.server.url}/mail/unsubscribe?token=${link!.split('token=')[1]!.slice(0, -4)}AAAA`, { method: 'POST' });
      expect(forged.status).toBe(400);
    } finally {
      clock.set(Date.now());
    }
  });

  it('non-essential mail respects the preference; essential mail does not', async () => {
    const [other] = (await quickAccounts(a.server, 1)) as [Account];
    expectStatus(await a.api.typed(other.token).PUT('/api/v1/me/mail-preferences', { body: { reminders: false } }), 200);
    const b = await book(a, other, ws, day[2]!);
    await relayed(a, b.id);
    clock.set(Date.parse(b.startsAt) - 2 * 3_600_000 - 1000);
    try {
      expectStatus(await a.api.typed(ws.vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: b.id, action: 'accept' } } }), 200);
      await mailsTo(other.email, /^Confirmed:/);
      const rows = await pollUntil(() => outboxOf(a, b.id), (rs) => rs.find((r) => r.template === 'reminder_2h')?.status !== 'pending');
      expect(rows.find((r) => r.template === 'reminder_2h')).toMatchObject({ status: 'skipped', detail: 'recipient turned reminders off' });
      expect(smtp.to(other.email).map((m) => m.subject).filter((s) => s.startsWith('Reminder'))).toEqual([]);
    } finally {
      clock.set(Date.now());
    }
  });

  it('declined: the customer gets the reason', async () => {
    const b = await book(a, customer, ws, day[3]!);
    expectStatus(await a.api.typed(ws.vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: b.id, action: 'decline' } }, body: { reason: 'No parts this week' } }), 200);
    const [mail] = await mailsTo(customer.email, /^Declined:/);
    expect(mail!.text).toContain('Their reason: No parts this week');
  });
});

describe('a worker that stops before delivering', () => {
  it('leaves its messages to the next process, which delivers each once', async () => {
    // No worker here: the request is written (with its outbox row) and the process goes away.
    const first = await server(false);
    const ws = await quickWorkshop(first, { bays: 1 });
    const [customer] = (await quickAccounts(first.server, 1)) as [Account];
    const day = await dayOfSlots(first.server, ws.workshop.id, clock.now(), 3);
    const b = await book(first, customer!, ws, day[0]!);
    expect((await outboxOf(first, b.id)).find((r) => r.template === 'request_new')?.status).toBe('pending');
    await first.server.close();
    servers.splice(servers.indexOf(first), 1);

    const next = await server(true);
    const [mail] = await mailsTo(ws.vendor.email, /^New booking request/);
    expect(mail).toBeDefined();
    const rows = await pollUntil(() => outboxOf(next, b.id), (rs) => rs.find((r) => r.template === 'request_new')?.status === 'sent');
    expect(rows.find((r) => r.template === 'request_new')?.attempts).toBe(1);
    expect(smtp.to(ws.vendor.email)).toHaveLength(1);
  });
});
