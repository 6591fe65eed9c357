import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../db/create-database';
import { sharedClockEnv } from './harness';
import { startCommand } from './start-command';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  out: string;
}

/** Runs `server/main.ts` with the given variables; `onListening` may act once it serves. */
function runMain(env: Record<string, string>, onListening?: (url: string, kill: () => void) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, startCommand(), {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...sharedClockEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let acted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 85_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/"url":"(http:[^"]+)","msg":"Holdfast listening"/);
      if (m && !acted) {
        acted = true;
        onListening?.(m[1]!, () => child.kill('SIGTERM')).catch(reject);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

// A database of its own (main.ts creates and migrates it): the process runs every sweeper on
// the real clock, and the run's shared database holds other files' bookings.
const ownDatabase = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_main`;
  return url.toString();
})();
afterAll(() => dropDatabase(ownDatabase));

const base = () => ({
  DATABASE_URL: ownDatabase,
  REDIS_URL: inject('redisUrl'),
  REDIS_PREFIX: `${inject('redisPrefix')}main:`,
  PORT: '0',
  // One process: the workers of WEB_CONCURRENCY > 1 have their own test (cluster-workers.test.ts).
  WEB_CONCURRENCY: '1',
  SERVE_CLIENT: 'false',
  SLOT_ROLL_MINUTES: '0',
});

// Each test starts `server/main.ts` under tsx, which compiles the server first: tens of seconds on
// a loaded CI box, hence the timeout (a limit, not a speed assertion).
describe('the server process', { timeout: 90_000 }, () => {
  it('refuses bad configuration with a message naming the variable, and exit code 1', async () => {
    const run = await runMain({ ...base(), PORT: 'seventy', REDIS_URL: 'not a url' });
    expect(run.code).toBe(1);
    expect(run.out).toContain('Invalid configuration');
    expect(run.out).toContain('PORT');
    expect(run.out).toContain('REDIS_URL');
  });

  it('requires JWT_SECRET in production', async () => {
    const run = await runMain({ ...base(), NODE_ENV: 'production' });
    expect(run.code).toBe(1);
    expect(run.out).toContain('JWT_SECRET is required when NODE_ENV=production');
  });

  it('with workers, stops with exit 1 when a worker cannot start and none ever served (no restart loop)', async () => {
    const run = await runMain({ ...base(), WEB_CONCURRENCY: '2', REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT_MS: '200' });
    expect(run.code).toBe(1);
    expect(run.out).toContain('Holdfast could not start');
    expect(run.out).toContain('a worker failed before any served: stopping');
    expect(run.out).not.toContain('worker died: restarting it');
  }, 90_000); // a primary and two workers compiling TypeScript at once: slow on a busy machine

  it("the Docker image runs npm start's command itself (npm would not pass SIGTERM on)", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(`${root}Dockerfile`, 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', ...startCommand()]);
  });

  it("npm start's launcher hands SIGTERM to a busy process and lets it finish (no kill)", async () => {
    // The tsx CLI failed this: 30 ms after relaying the signal it SIGKILLed the busy child (exit 143).
    const child = spawn(process.execPath, startCommand('server/test/programs/busy-until-sigterm.ts'), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 60_000, interval: 50 }).toContain('ready');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toBe('ready\nshutting down\nbye\n');
  });

  it('warns about a generated secret in development, serves, and shuts down cleanly on SIGTERM', async () => {
    let health: unknown;
    const run = await runMain(base(), async (url, kill) => {
      health = await (await fetch(`${url}/health`)).json();
      kill();
    });
    expect(health).toEqual({ status: 'ok', pid: expect.any(Number) });
    expect(run.out).toContain('JWT_SECRET is not set');
    // One pino line per request, with a request id.
    expect(run.out).toMatch(/"reqId":"[0-9a-f-]{36}","method":"GET","path":"\/health","status":200,"ms":[\d.]+,"msg":"request"/);
    expect(run.out).toContain('"signal":"SIGTERM"');
    expect(run.out).toContain('"msg":"bye"');
    expect(run.code).toBe(0);
  });
});
