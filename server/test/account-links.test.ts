import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase } from '../db/create-database';
import { migrateDatabase } from '../db/migrate';
import { manualClock } from '../domain/clock';
import { createAdmin, register, startEngineServer, type Account, type EngineServer } from './fixtures';
import { QUICK_MAIL, startSmtp, type ReceivedMail, type TestSmtp } from './fixtures/smtp';
import { pollUntil, uniqueEmail } from './harness';

// A database of its own (as mail-outbox.test.ts): this file's servers run the mail worker, which
// would send every other file's booking mail from the run's shared database.
const ownDatabase = (() => {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_accounts`;
  return url.toString();
})();

const PUBLIC_URL = 'http://holdfast.test';
const PASSWORD = 'correct-horse-battery';
const HOUR = 3_600_000;
const clock = manualClock();
let smtp: TestSmtp;
let es: EngineServer;
const others: EngineServer[] = [];

beforeAll(async () => {
  await migrateDatabase(ownDatabase);
  smtp = await startSmtp();
  es = await startEngineServer({ clock, env: { DATABASE_URL: ownDatabase, MAIL_WORKER: 'true', SMTP_URL: smtp.url, PUBLIC_URL, ...QUICK_MAIL } });
}, 60_000);
afterAll(async () => {
  for (const s of [es, ...others]) await s?.server.close();
  await smtp?.close();
  await dropDatabase(ownDatabase);
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The n-th (from 1) message to `address` whose subject matches, once it arrived. */
async function mailTo(address: string, subject: RegExp, n = 1): Promise<ReceivedMail> {
  const ms = await pollUntil(async () => smtp.to(address).filter((m) => subject.test(m.subject)), (ms) => ms.length >= n);
  return ms[n - 1]!;
}

/** The link of `path` in a message, checked to be the same in the text and the HTML part; returns its token. */
function linkToken(m: ReceivedMail, path: string): string {
  const re = new RegExp(`${PUBLIC_URL.replace(/\./g, '\\.')}/#${path}\\?token=([A-Za-z0-9_-]+)`);
  const text = re.exec(m.text)?.[1];
  expect(text, `a ${path} link in the text:\n${m.text}`).toBeTruthy();
  expect(m.html).toContain(`href="${PUBLIC_URL}/#${path}?token=${text}"`);
  return text!;
}

const db = <R>(sql: string, params: unknown[] = []) => es.server.orm.em.fork().execute<R[]>(sql, params);
const me = (token: string) => es.api.get('/api/me', token);
const login = (email: string, password: string) => es.api.post('/api/auth/login', { email, password });

/** Runs `fn` with the domain clock `ms` ahead, then puts it back (the sessions keep wall-clock time). */
async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const at = clock.now();
  clock.set(at + ms);
  try {
    return await fn();
  } finally {
    clock.set(at);
  }
}

describe('password reset by emailed link', () => {
  let user: Account;
  beforeAll(async () => {
    user = await register(es.api, 'customer', 'Rita Reset');
  });

  it('mails a single-use link; using it sets the password, ends every session, and works once', async () => {
    const other = (await login(user.email, PASSWORD)).body.token as string;
    const asked = await es.api.post('/api/auth/password-reset', { email: user.email.toUpperCase() });
    expect(asked.status).toBe(202);
    expect(asked.body).toBeNull();

    const mail = await mailTo(user.email, /^Reset your Holdfast password$/);
    expect(mail.to).toEqual([user.email]);
    expect(mail.text).toContain('Hello Rita Reset,');
    expect(mail.headers.get('x-holdfast-template')).toBe('password_reset');
    const token = linkToken(mail, '/reset');

    // At rest: the token's hash only; the sealed copy in the outbox is gone once the mail was sent.
    const [row] = await db<{ token_hash: string; expires_at: Date; created_at: Date }>('select token_hash, expires_at, created_at from account_token where user_id = ? and purpose = ?', [user.id, 'password_reset']);
    expect(row!.token_hash).toBe(sha256(token));
    expect(new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()).toBe(HOUR);
    const outbox = await pollUntil(
      () => db<{ status: string; sealed_token: string | null; dedupe_key: string; booking_id: string | null }>('select o.status, o.sealed_token, o.dedupe_key, o.booking_id from outbox_message o join account_token t on t.id = o.account_token_id where t.user_id = ? and t.purpose = ?', [user.id, 'password_reset']),
      (rs) => rs[0]?.status === 'sent',
    );
    expect(outbox).toEqual([{ status: 'sent', sealed_token: null, dedupe_key: expect.stringMatching(/^account:/), booking_id: null }]);
    const anywhere = await db<{ n: string }>(`select count(*) as n from outbox_message o, account_token t where o::text like '%' || ? || '%' or t::text like '%' || ? || '%'`, [token, token]);
    expect(Number(anywhere[0]!.n), 'the raw token is stored nowhere').toBe(0);

    const done = await es.api.post('/api/auth/password-reset/confirm', { token, password: 'a-brand-new-password' });
    expect(done.status).toBe(204);
    expect((await me(user.token)).status, 'the sessions before the reset are ended').toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await login(user.email, PASSWORD)).status).toBe(401);
    const fresh = await login(user.email, 'a-brand-new-password');
    expect(fresh.status).toBe(200);
    user = { ...user, token: fresh.body.token };

    const again = await es.api.post('/api/auth/password-reset/confirm', { token, password: 'yet-another-password' });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('TOKEN_USED');
    expect((await login(user.email, 'a-brand-new-password')).status).toBe(200);
  });

  it('answers 202 alike for unknown addresses and sends nothing; wrong or replaced tokens are TOKEN_INVALID; short passwords are refused', async () => {
    const nobody = uniqueEmail('nobody');
    const unknown = await es.api.post('/api/auth/password-reset', { email: nobody });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toBeNull();
    expect(await db('select id from account_token where email = ?', [nobody])).toEqual([]);

    // A second request replaces the first link: only the newer one works.
    const had = smtp.to(user.email).filter((m) => /^Reset/.test(m.subject)).length;
    expect((await es.api.post('/api/auth/password-reset', { email: user.email })).status).toBe(202);
    const older = linkToken(await mailTo(user.email, /^Reset/, had + 1), '/reset');
    expect((await es.api.post('/api/auth/password-reset', { email: user.email })).status).toBe(202);
    const newestToken = linkToken(await mailTo(user.email, /^Reset/, had + 2), '/reset');
    const replaced = await es.api.post('/api/auth/password-reset/confirm', { token: older, password: 'whatever-password' });
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.code).toBe('TOKEN_INVALID');

    const wrong = await es.api.post('/api/auth/password-reset/confirm', { token: 'x'.repeat(43), password: 'whatever-password' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('TOKEN_INVALID');
    const short = await es.api.post('/api/auth/password-reset/confirm', { token: newestToken, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a link expires after one hour on the app clock (TOKEN_EXPIRED)', async () => {
    const u = await register(es.api, 'customer', 'Ed Expiry');
    expect((await es.api.post('/api/auth/password-reset', { email: u.email })).status).toBe(202);
    const token = linkToken(await mailTo(u.email, /^Reset/), '/reset');
    const still = await later(HOUR - 1000, () => es.api.post('/api/auth/verify-email', { token }));
    expect(still.body.error.code, 'a reset token is no verification token').toBe('TOKEN_INVALID');
    const expired = await later(HOUR, () => es.api.post('/api/auth/password-reset/confirm', { token, password: 'too-late-password' }));
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('TOKEN_EXPIRED');
    const inTime = await later(HOUR - 1000, () => es.api.post('/api/auth/password-reset/confirm', { token, password: 'just-in-time-pw' }));
    expect(inTime.status).toBe(204);
  });

  it('a suspended account cannot reset its way in: no link is issued, and an earlier link is refused and left unused', async () => {
    const admin = await createAdmin(es.server, es.api);
    const u = await register(es.api, 'customer', 'Sam Suspended');
    expect((await es.api.post('/api/auth/password-reset', { email: u.email })).status).toBe(202);
    const token = linkToken(await mailTo(u.email, /^Reset/), '/reset');
    expect((await es.api.post(`/api/admin/users/${u.id}/suspend`, undefined, admin.token)).status).toBe(200);

    const refused = await es.api.post('/api/auth/password-reset/confirm', { token, password: 'sneaking-back-in' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ACCOUNT_SUSPENDED');
    expect((await db<{ used_at: Date | null }>('select used_at from account_token where token_hash = ?', [sha256(token)]))[0]!.used_at).toBeNull();

    const before = await db('select id from account_token where user_id = ?', [u.id]);
    const asked = await es.api.post('/api/auth/password-reset', { email: u.email });
    expect(asked.status).toBe(202);
    expect(await db('select id from account_token where user_id = ?', [u.id])).toEqual(before);
  });

  it('asking for reset links is rate-limited per address like login (429 RATE_LIMITED)', async () => {
    const limited = await startEngineServer({ clock, env: { DATABASE_URL: ownDatabase, MAIL_WORKER: 'false', RATE_LIMIT_LOGIN_PER_MIN: '2' } });
    others.push(limited);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await limited.api.post('/api/auth/password-reset', { email: uniqueEmail('flood') })).status);
    expect(codes).toEqual([202, 202, 429]);
  });
});

describe('email verification', () => {
  it('registering mails a 7-day link; the account is unverified until it is used, once', async () => {
    const u = await register(es.api, 'customer', 'Vera Verify');
    expect((await me(u.token)).body.user.emailVerified).toBe(false);
    const mail = await mailTo(u.email, /^Confirm your email address/);
    expect(mail.to).toEqual([u.email]);
    const token = linkToken(mail, '/verify');
    const [row] = await db<{ expires_at: Date; created_at: Date }>(`select expires_at, created_at from account_token where user_id = ? and purpose = 'email_verify'`, [u.id]);
    expect(new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()).toBe(7 * 24 * HOUR);

    // Anyone holding the link may use it: no session needed (another browser, the phone's mail app).
    expect((await es.api.post('/api/auth/verify-email', { token })).status).toBe(204);
    expect((await me(u.token)).body.user.emailVerified).toBe(true);
    const again = await es.api.post('/api/auth/verify-email', { token });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('TOKEN_USED');
    const resend = await es.api.post('/api/me/verify-email/resend', undefined, u.token);
    expect(resend.status).toBe(409);
    expect(resend.body.error.code).toBe('ALREADY_VERIFIED');
  });

  it('resending replaces the link (the old one is TOKEN_INVALID), is rate-limited per user, and a link past 7 days is TOKEN_EXPIRED', async () => {
    const u = await register(es.api, 'vendor', 'Rhea Resend');
    const first = linkToken(await mailTo(u.email, /^Confirm/), '/verify');
    expect((await es.api.post('/api/me/verify-email/resend', undefined, u.token)).status).toBe(202);
    const second = linkToken(await mailTo(u.email, /^Confirm/, 2), '/verify');
    expect(second).not.toBe(first);
    expect((await es.api.post('/api/auth/verify-email', { token: first })).body.error.code).toBe('TOKEN_INVALID');
    expect((await es.api.post('/api/me/verify-email/resend')).status, 'signed-in users only').toBe(401);

    const expired = await later(7 * 24 * HOUR, () => es.api.post('/api/auth/verify-email', { token: second }));
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('TOKEN_EXPIRED');

    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await es.api.post('/api/me/verify-email/resend', undefined, u.token)).status);
    expect(codes).toEqual([202, 202, 202, 202, 429]);
  });

  it('a password reset proves the address too; admins made by admin:create are verified', async () => {
    const u = await register(es.api, 'customer', 'Pat Proves');
    expect((await es.api.post('/api/auth/password-reset', { email: u.email })).status).toBe(202);
    const token = linkToken(await mailTo(u.email, /^Reset/), '/reset');
    expect((await es.api.post('/api/auth/password-reset/confirm', { token, password: 'proven-password' })).status).toBe(204);
    expect((await login(u.email, 'proven-password')).body.user.emailVerified).toBe(true);

    const made = await es.server.services.accounts.createAdmin({ email: uniqueEmail('op'), name: 'Op', password: 'a-long-admin-password' });
    expect(made.emailVerifiedAt).not.toBeNull();
  });
});

describe('admin invitations', () => {
  let admin: Account;
  let customer: Account;
  let vendor: Account;
  beforeAll(async () => {
    admin = await createAdmin(es.server, es.api);
    [customer, vendor] = await Promise.all([register(es.api, 'customer'), register(es.api, 'vendor')]);
  });

  it('only admins may list, send or revoke invitations', async () => {
    const someId = '00000000-0000-4000-8000-000000000000';
    for (const who of [customer, vendor]) {
      expect((await es.api.get('/api/admin/invitations', who.token)).status).toBe(403);
      expect((await es.api.post('/api/admin/invitations', { email: uniqueEmail('x') }, who.token)).status).toBe(403);
      expect((await es.api.del(`/api/admin/invitations/${someId}`, who.token)).status).toBe(403);
    }
    expect((await es.api.get('/api/admin/invitations')).status).toBe(401);
    expect((await es.api.post('/api/admin/invitations', { email: uniqueEmail('x') })).status).toBe(401);
    expect((await es.api.del(`/api/admin/invitations/${someId}`, admin.token)).status).toBe(404);
  });

  it('an invitee gets a 72-hour single-use link that creates a verified admin, signed in', async () => {
    const email = uniqueEmail('newadmin');
    const sent = await es.api.post('/api/admin/invitations', { email }, admin.token);
    expect(sent.status).toBe(201);
    expect(sent.body.invitation).toMatchObject({ email, invitedBy: 'Test admin', status: 'pending' });
    expect(new Date(sent.body.invitation.expiresAt).getTime() - new Date(sent.body.invitation.createdAt).getTime()).toBe(72 * HOUR);
    const listed = await es.api.get('/api/admin/invitations', admin.token);
    expect(listed.body.invitations.map((i: { id: string }) => i.id)).toContain(sent.body.invitation.id);

    const mail = await mailTo(email, /^You are invited to run Holdfast as an admin$/);
    expect(mail.to).toEqual([email]);
    expect(mail.text).toContain('Test admin invited you');
    const token = linkToken(mail, '/invite');

    const weak = await es.api.post('/api/auth/invitations/accept', { token, name: 'Nia New', password: 'only-eleven' });
    expect(weak.status, 'the admin password policy (12+)').toBe(400);
    const made = await es.api.post('/api/auth/invitations/accept', { token, name: 'Nia New', password: 'a-long-admin-password' });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({ email, name: 'Nia New', role: 'admin', emailVerified: true });
    expect((await es.api.get('/api/admin/invitations', made.body.token)).status, 'the new admin is an admin').toBe(200);
    expect((await login(email, 'a-long-admin-password')).status).toBe(200);

    const reuse = await es.api.post('/api/auth/invitations/accept', { token, name: 'Again', password: 'a-long-admin-password' });
    expect(reuse.status).toBe(410);
    expect(reuse.body.error.code).toBe('TOKEN_USED');
    expect((await es.api.get('/api/admin/invitations', admin.token)).body.invitations.map((i: { id: string }) => i.id)).not.toContain(sent.body.invitation.id);
    expect((await es.api.post('/api/admin/invitations', { email }, admin.token)).body.error.code, 'the address has an account now').toBe('EMAIL_TAKEN');
  });

  it('a revoked invitation stops working; an expired one is listed as expired and refused', async () => {
    const email = uniqueEmail('revoked');
    const sent = await es.api.post('/api/admin/invitations', { email }, admin.token);
    const token = linkToken(await mailTo(email, /^You are invited/), '/invite');
    expect((await es.api.del(`/api/admin/invitations/${sent.body.invitation.id}`, admin.token)).status).toBe(204);
    expect((await es.api.del(`/api/admin/invitations/${sent.body.invitation.id}`, admin.token)).status).toBe(404);
    const audit = await es.api.get(`/api/admin/audit?targetType=invitation&targetId=${sent.body.invitation.id}`, admin.token);
    expect(audit.body.entries.map((e: { action: string; actor: { id: string } }) => [e.action, e.actor.id])).toEqual([['admin.invite_revoke', admin.id], ['admin.invite', admin.id]]);
    const revoked = await es.api.post('/api/auth/invitations/accept', { token, name: 'Rex', password: 'a-long-admin-password' });
    expect(revoked.status).toBe(400);
    expect(revoked.body.error.code).toBe('TOKEN_INVALID');

    // Inviting the same address again replaces the open invitation: one row, only the newer link works.
    const twice = uniqueEmail('twice');
    const firstInvite = await es.api.post('/api/admin/invitations', { email: twice }, admin.token);
    const firstToken = linkToken(await mailTo(twice, /^You are invited/), '/invite');
    const secondInvite = await es.api.post('/api/admin/invitations', { email: twice }, admin.token);
    expect(secondInvite.status).toBe(201);
    const open = (await es.api.get('/api/admin/invitations', admin.token)).body.invitations.filter((i: { email: string }) => i.email === twice);
    expect(open.map((i: { id: string }) => i.id)).toEqual([secondInvite.body.invitation.id]);
    expect(open[0].id).not.toBe(firstInvite.body.invitation.id);
    expect((await es.api.post('/api/auth/invitations/accept', { token: firstToken, name: 'Old', password: 'a-long-admin-password' })).body.error.code).toBe('TOKEN_INVALID');

    const late = uniqueEmail('late');
    const lateSent = await es.api.post('/api/admin/invitations', { email: late }, admin.token);
    const lateToken = linkToken(await mailTo(late, /^You are invited/), '/invite');
    await later(72 * HOUR, async () => {
      const listed = (await es.api.get('/api/admin/invitations', admin.token)).body.invitations.find((i: { id: string }) => i.id === lateSent.body.invitation.id);
      expect(listed.status).toBe('expired');
      const r = await es.api.post('/api/auth/invitations/accept', { token: lateToken, name: 'Lou', password: 'a-long-admin-password' });
      expect(r.status).toBe(410);
      expect(r.body.error.code).toBe('TOKEN_EXPIRED');
    });
  });

  it('an address registered after the invitation was sent cannot accept it (EMAIL_TAKEN) and the invitation stays open', async () => {
    const email = uniqueEmail('raced');
    const sent = await es.api.post('/api/admin/invitations', { email }, admin.token);
    const token = linkToken(await mailTo(email, /^You are invited/), '/invite');
    expect((await es.api.post('/api/auth/register', { email, password: PASSWORD, name: 'Quick' })).status).toBe(201);
    const r = await es.api.post('/api/auth/invitations/accept', { token, name: 'Slow', password: 'a-long-admin-password' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('EMAIL_TAKEN');
    expect((await es.api.get('/api/admin/invitations', admin.token)).body.invitations.map((i: { id: string }) => i.id)).toContain(sent.body.invitation.id);
  });
});
