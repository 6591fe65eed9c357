import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { COMMIT_STEPS, type CommitStep } from '../domain/hold-commit';
import { parseEnv } from '../env';
import { dayOfSlots, expectSlotInvariants, holdAs, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';
import { expectStatus, sharedClockEnv, testEnv, typedClient } from './harness';

/*
 * Crash safety of confirm: a real server process (server/main.ts) is stopped by the test-only fault
 * hook at each named step of a confirm and killed with SIGKILL there. After a restart on the same
 * Postgres and Redis, the customer has either the booking or the unit back — never neither — and a
 * retry with the same Idempotency-Key answers sensibly.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Child {
  url: string;
  /** Resolves once the output contains `text`. */
  saw(text: string): Promise<void>;
  killHard(): Promise<void>;
}

/** Children still running (a test that failed before its kill): killed after the file. */
const children = new Set<ChildProcess>();

/** Starts `server/main.ts` on this run's database and the given Redis prefix; resolves once it listens. */
function startChild(prefix: string, extra: Record<string, string>): Promise<Child> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader (not the tsx CLI, which would leave its own child alive after a SIGKILL).
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        // The child shares this process's clock when the suite runs with a moved clock (npm run test:dates).
        ...sharedClockEnv(),
        NODE_ENV: 'test',
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        REDIS_PREFIX: prefix,
        JWT_SECRET: testEnv().JWT_SECRET,
        PORT: '0',
        SERVE_CLIENT: 'false',
        SLOT_ROLL_MINUTES: '0',
        RECONCILE_INTERVAL_MS: '0',
        // The run's shared database holds every file's outbox, bookings, money and deliveries: no
        // mail worker and no background work here (other files' pending requests, captures,
        // payouts and webhook deliveries are theirs; see harness.ts).
        MAIL_WORKER: 'false',
        BACKGROUND_WORK: 'none',
        // One process (not a cluster primary with workers, which a SIGKILL of the primary would
        // leave serving on the port for a moment): the crash of the process that handles the request.
        WEB_CONCURRENCY: '1',
        PAYOUTS_ENABLED: 'false',
        LOG_LEVEL: 'info',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let out = '';
    const waiters: Array<{ text: string; done: () => void }> = [];
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const w of [...waiters]) {
        if (!out.includes(w.text)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.done();
      }
      const m = out.match(/"url":"(http:[^"]+)","msg":"Holdfast listening"/);
      if (m) {
        resolve({
          url: m[1]!,
          saw: (text) => (out.includes(text) ? Promise.resolve() : new Promise((done) => waiters.push({ text, done }))),
          killHard: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

/** Waits until the child paused at `step`; fails at once, saying why, if the request ended first instead. */
async function pausedAt(child: Child, step: CommitStep, inFlight: Promise<unknown>) {
  const endedFirst = inFlight.then((answer) => {
    throw new Error(`the request ended before the fault at ${step}: ${JSON.stringify(answer)}`);
  });
  await Promise.race([child.saw(`"fault":"${step}"`), endedFirst]);
  endedFirst.catch(() => undefined);
}

let es: EngineServer;
const restarted: EngineServer[] = [];
beforeAll(async () => {
  es = await startEngineServer({ env: { RECONCILE_INTERVAL_MS: '0' } });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const r of restarted) await r.server.close();
  await es?.server.close();
});

/** The restarted process: a short repair grace and a fast periodic pass, so the test need not wait 5 s. */
async function restart() {
  const r = await startEngineServer({ prefix: es.prefix, env: { RECONCILE_INTERVAL_MS: '100', REPAIR_GRACE_MS: '500' } });
  restarted.push(r);
  return r;
}

const bookingsOf = async (server: EngineServer['server'], customerId: string) =>
  server.orm.em.fork().getConnection().execute<Array<{ id: string }>>('select id from booking where customer_id = ?', [customerId]);

// Each test starts a server process that compiles the TypeScript server: slow on a busy machine.
describe('a server killed (SIGKILL) in the middle of a confirm', { timeout: 90_000 }, () => {
  it('the fault hook exists only in tests', () => {
    expect(() => parseEnv({ NODE_ENV: 'development', FAULT_PAUSE_AT: 'after-consume' })).toThrow(/FAULT_PAUSE_AT is only allowed when NODE_ENV=test/);
    expect(parseEnv({ NODE_ENV: 'test', FAULT_PAUSE_AT: 'after-consume' }).FAULT_PAUSE_AT).toBe('after-consume');
  });

  it.each(COMMIT_STEPS.map((step) => [step]))('at %s: after a restart the customer has the booking or the unit, and the retry answers sensibly', async (step: CommitStep) => {
    const w = await quickWorkshop(es, { bays: 2 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const holdId = await holdAs(es, w, c!, slot!.id);
    const key = `crash-${step}`;

    const doomed = await startChild(es.prefix, { FAULT_PAUSE_AT: step });
    const inFlight = typedClient(doomed.url, c!.token).POST('/api/v1/bookings', { body: { holdId }, headers: { 'Idempotency-Key': key } }).catch(() => 'no answer');
    await pausedAt(doomed, step, inFlight);
    await doomed.killHard();
    expect(await inFlight).toBe('no answer');

    // The restart: a new process on the same Postgres and Redis. Its start-up pass repairs drift older
    // than the repair grace at once and leaves younger drift (a consume moments ago) to its periodic pass.
    const r = await restart();
    const made = await bookingsOf(r.server, c!.id);
    const countsNow = async () => (await redisSlots(r.server, w.workshop.id, [slot!.id])).get(slot!.id)!;
    if (!made.length) await vi.waitFor(async () => expect((await countsNow()).booked).toBe(0), { timeout: 10_000, interval: 50 });
    const counts = await countsNow();
    // Never neither: a booking counted as booked, or the unit still held by the customer's hold or free.
    if (made.length) expect(counts).toMatchObject({ booked: 1, held: 0, free: 1 });
    else expect(counts.booked).toBe(0);
    expect(counts.free + counts.held + counts.booked).toBe(2);

    const retry = await r.api.typed(c!.token).POST('/api/v1/bookings', { body: { holdId }, headers: { 'Idempotency-Key': key } });
    if (step === 'before-consume') {
      // Killed before the hold was consumed: nothing happened, the hold is still live, the retry books.
      expect(made).toEqual([]);
      expect(counts).toMatchObject({ booked: 0, held: 1, free: 1 });
      expect(retry.response.status, JSON.stringify(retry.error ?? retry.data)).toBe(201);
    } else if (step === 'after-consume') {
      // Consumed but never committed: Postgres rolled back and the start-up reconcile freed the unit.
      expect(made).toEqual([]);
      expect(counts).toMatchObject({ booked: 0, held: 0, free: 2 });
      expect(retry.response.status).toBe(409);
      expect(retry.error!.error.code).toBe('HOLD_EXPIRED');
      // The unit really is free: the customer holds and books it again.
      const fresh = await holdAs(r, w, c!, slot!.id);
      const again = await r.api.typed(c!.token).POST('/api/v1/bookings', { body: { holdId: fresh }, headers: { 'Idempotency-Key': `${key}-2` } });
      expect(again.response.status).toBe(201);
    } else {
      // Committed: the booking stands and the retry replays it.
      expect(made).toHaveLength(1);
      expect(retry.response.status).toBe(200);
      expect(retry.data!.booking.id).toBe(made[0]!.id);
    }
    const { pg } = await expectSlotInvariants(r.server, w.workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)!.booked).toBe(1);
    expect(await bookingsOf(r.server, c!.id)).toHaveLength(1);
  });
});

describe('a server killed (SIGKILL) in the middle of a reschedule', { timeout: 90_000 }, () => {
  it('after consuming the new hold: after a restart the booking is on its old slot and the new slot is free', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [from, to] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const first = await holdAs(es, w, c!, from!.id);
    const booked = expectStatus(await es.api.typed(c!.token).POST('/api/v1/bookings', { body: { holdId: first } }), 201);
    const onBooking = { params: { path: { id: booked.booking.id } } };
    const holdId = await holdAs(es, w, c!, to!.id);

    const doomed = await startChild(es.prefix, { FAULT_PAUSE_AT: 'after-consume' });
    const inFlight = typedClient(doomed.url, c!.token).POST('/api/v1/bookings/{id}/reschedule', { ...onBooking, body: { holdId } }).catch(() => 'no answer');
    await pausedAt(doomed, 'after-consume', inFlight);
    await doomed.killHard();
    expect(await inFlight).toBe('no answer');

    const r = await restart();
    await vi.waitFor(async () => expect((await redisSlots(r.server, w.workshop.id, [to!.id])).get(to!.id)!.booked).toBe(0), { timeout: 10_000, interval: 50 });
    const counts = await redisSlots(r.server, w.workshop.id, [from!.id, to!.id]);
    expect(counts.get(from!.id)).toMatchObject({ booked: 1, held: 0, free: 0 });
    expect(counts.get(to!.id)).toMatchObject({ booked: 0, held: 0, free: 1 });
    expect(expectStatus(await r.api.typed(c!.token).GET('/api/v1/bookings/{id}', onBooking), 200).booking.slotIds).toEqual([from!.id]);
    await expectSlotInvariants(r.server, w.workshop.id, [from!.id, to!.id]);
  });
});
