import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { apiClient, expectStatus, startTestServer, uniqueEmail } from './harness';

/*
 * `npm run admin:create`: the command an operator runs on a fresh production database. It reads
 * the password from stdin when that is not a terminal, makes an admin who can sign in and refuses a
 * taken email (its flags and validation: server/auth/admin-create-args.test.ts).
 */

const root = new URL('../../', import.meta.url).pathname;

function run(args: string[], stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${root}node_modules/.bin/tsx`, ['server/db/admin-create.cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl'), SCRYPT_COST_LOG2: '10', LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('npm run admin:create', { timeout: 60_000 }, () => {
  it('makes an admin who signs in and reaches admin routes; the same email again is refused', async () => {
    const email = uniqueEmail('ops');
    const made = await run(['--email', email, '--name', 'Olive Ops'], 'a long enough secret\n');
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(made.out).toContain(`Admin ${email} (Olive Ops) created`);

    const api = apiClient(server.url);
    const login = expectStatus(await api.typed().POST('/api/v1/auth/login', { body: { email, password: 'a long enough secret' } }), 200);
    expect(login.user).toMatchObject({ email, name: 'Olive Ops', role: 'admin' });
    expect((await api.typed(login.token).GET('/api/v1/admin/workshops', { params: { query: {} } })).response.status).toBe(200);

    const again = await run(['--email', email, '--name', 'Someone Else'], 'another long secret\n');
    expect(again.code).toBe(1);
    expect(again.err).toContain(`Not created: An account with the email ${email} already exists`);
  });
});
