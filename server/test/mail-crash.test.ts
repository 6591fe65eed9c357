import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../db/create-database';
import { migrateDatabase } from '../db/migrate';
import { manualClock } from '../domain/clock';
import { type Account, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';
import { QUICK_MAIL, startSmtp, type TestSmtp } from './fixtures/smtp';
import { expectStatus, pollUntil, sharedClockEnv } from './harness';

// A database of its own (see mail-outbox.test.ts): the killed process is a real `server/main.ts`.
const ownDatabase = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_mailcrash`;
  return url.toString();
})();
const root = fileURLToPath(new URL('../..', import.meta.url));

const MAIL_ENV = { DATABASE_URL: ownDatabase, ...QUICK_MAIL };

let smtp: TestSmtp;
const servers: EngineServer[] = [];
beforeAll(async () => {
  await migrateDatabase(ownDatabase);
  // The first message hangs after its DATA: the sender is killed while delivering it.
  smtp = await startSmtp({ stall: (n) => n === 1 });
});
afterAll(async () => {
  for (const es of servers) await es.server.close();
  await smtp?.close();
  await dropDatabase(ownDatabase);
});

describe('a worker killed mid-delivery', () => {
  it('has its message delivered by another process after the job times out, once', async () => {
    const clock = manualClock();
    const writer = await startEngineServer({ clock, env: { ...MAIL_ENV, MAIL_WORKER: 'false', SMTP_URL: smtp.url } });
    servers.push(writer);
    const ws = await quickWorkshop(writer, { bays: 1 });
    const [customer] = (await quickAccounts(writer.server, 1)) as [Account];
    const [slot] = await dayOfSlots(writer.server, ws.workshop.id, clock.now(), 2);
    const as = writer.api.typed(customer!.token);
    const h = expectStatus(await as.POST('/api/v1/holds', { body: { workshopId: ws.workshop.id, serviceId: ws.service.id, slotId: slot!.id } }), 201);
    const booking = expectStatus(await as.POST('/api/v1/bookings', { body: { holdId: h.hold.id } }), 201).booking;

    // A whole Holdfast process (one node process, so SIGKILL ends it at once) picks the message up.
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // The child shares this process's clock when the suite runs with a moved clock (npm run test:dates).
        ...sharedClockEnv(),
        ...MAIL_ENV,
        MAIL_WORKER: 'true',
        SMTP_URL: smtp.url,
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: `${inject('redisPrefix')}mailcrash:`,
        PORT: '0',
        WEB_CONCURRENCY: '1',
        SERVE_CLIENT: 'false',
        SLOT_ROLL_MINUTES: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // A busy machine compiles the server slowly: give it time, but never hang the run.
    const timeout = setTimeout(() => child.kill('SIGKILL'), 150_000);
    const first = await Promise.race([smtp.stalled.then(() => 'delivering' as const), exited.then(() => 'exited' as const)]);
    clearTimeout(timeout);
    expect(first, `the process ended before delivering; its output:\n${out}`).toBe('delivering');
    child.kill('SIGKILL');
    await exited;

    const rowOf = () =>
      writer.server.orm.em.fork().execute<Array<{ status: string; attempts: number }>>(
        `select status, attempts from outbox_message where booking_id = ? and template = 'request_new'`,
        [booking.id],
      );
    expect((await rowOf())[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(smtp.to(ws.vendor.email)).toHaveLength(0);

    const next = await startEngineServer({ clock, env: { ...MAIL_ENV, MAIL_WORKER: 'true', SMTP_URL: smtp.url } });
    servers.push(next);
    const [row] = await pollUntil(rowOf, ([r]) => r?.status === 'sent', 30_000);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    const mails = smtp.to(ws.vendor.email);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/^New booking request/)]);
    expect(mails[0]!.text).toContain(`/#/bookings/${booking.id}`);
  }, 240_000);
});
