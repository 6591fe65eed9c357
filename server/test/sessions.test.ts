import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionRepository } from '../db/session.repository';
import { createAdmin, register, verifiedWorkshop, connect, disconnected, filePrefix } from './fixtures';
import { pollUntil, testEnv, useTestServer } from './harness';

/*
 * A token speaks for someone only while its session is open and the account is what it was:
 * logout, password change and suspension end sessions at once; a role change or a deleted
 * account takes effect within SESSION_RECHECK_MS (short here, so the polls end quickly).
 */

const t = useTestServer({ REDIS_PREFIX: filePrefix('sessions'), SESSION_RECHECK_MS: '300' });
const cookieOf = (token: string) => ({ cookie: `hf_token=${token}` });
const sql = (q: string, params: unknown[]) => t.server.orm.em.getConnection().execute(q, params);
const PASSWORD = 'correct-horse-battery';

describe('sessions', () => {
  it('logout ends the session: its token gets 401 by header and by cookie', async () => {
    const user = await register(t.api, 'customer');
    expect((await t.api.get('/api/me', user.token)).status).toBe(200);
    expect((await t.api.post('/api/auth/logout', undefined, user.token)).status).toBe(204);
    expect((await t.api.get('/api/me', user.token)).status).toBe(401);
    expect((await t.api.call('GET', '/api/me', { headers: cookieOf(user.token) })).status).toBe(401);

    // The browser's way: logout by the cookie from our own page.
    const login = await t.api.post('/api/auth/login', { email: user.email, password: PASSWORD });
    const token = login.body.token as string;
    const out = await t.api.call('POST', '/api/auth/logout', { headers: { ...cookieOf(token), origin: t.server.url } });
    expect(out.status).toBe(204);
    expect((await t.api.call('GET', '/api/me', { headers: cookieOf(token) })).status).toBe(401);
    expect((await t.api.get('/api/me', token)).status).toBe(401);
  });

  it('logout ends only that session', async () => {
    const user = await register(t.api, 'customer');
    const other = (await t.api.post('/api/auth/login', { email: user.email, password: PASSWORD })).body.token as string;
    await t.api.post('/api/auth/logout', undefined, user.token);
    expect((await t.api.get('/api/me', other)).status).toBe(200);
  });

  it('a password change ends every other session and signs the caller in afresh', async () => {
    const user = await register(t.api, 'customer');
    const laptop = (await t.api.post('/api/auth/login', { email: user.email, password: PASSWORD })).body.token as string;
    const phone = (await t.api.post('/api/auth/login', { email: user.email, password: PASSWORD })).body.token as string;

    const wrong = await t.api.post('/api/me/password', { currentPassword: 'not-my-password', newPassword: 'a-new-password-1' }, laptop);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await t.api.get('/api/me', phone)).status).toBe(200); // a failed attempt ends nothing

    const bad = await t.api.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'short' }, laptop);
    expect(bad.status).toBe(400);

    const changed = await t.api.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'a-new-password-1' }, laptop);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.headers.get('set-cookie')).toMatch(/hf_token=ey/);
    for (const old of [user.token, laptop, phone]) expect((await t.api.get('/api/me', old)).status).toBe(401);
    expect((await t.api.get('/api/me', changed.body.token)).status).toBe(200);
    expect((await t.api.post('/api/auth/login', { email: user.email, password: PASSWORD })).status).toBe(401);
    expect((await t.api.post('/api/auth/login', { email: user.email, password: 'a-new-password-1' })).status).toBe(200);
  });

  it('a token the server never issued a session for is refused, even signed with the right secret', async () => {
    // What a leaked or placeholder secret used to allow: mint `role: admin` for any user id.
    const admin = await createAdmin(t.server, t.api);
    const key = new TextEncoder().encode(testEnv().JWT_SECRET!);
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(admin.id).setJti(randomUUID()).setIssuer('holdfast').setIssuedAt().setExpirationTime('1h')
      .sign(key);
    expect((await t.api.get('/api/admin/workshops', forged)).status).toBe(401);
    expect((await t.api.get('/api/admin/workshops', admin.token)).status).toBe(200);
  });

  it('a changed role takes effect within the recheck window', async () => {
    const admin = await createAdmin(t.server, t.api);
    expect((await t.api.get('/api/admin/workshops', admin.token)).status).toBe(200);
    await sql('update "user" set role = ? where id = ?', ['customer', admin.id]);
    const res = await pollUntil(() => t.api.get('/api/admin/workshops', admin.token), (r) => r.status !== 200);
    expect(res.status).toBe(403);
    expect((await t.api.get('/api/me', admin.token)).body.user.role).toBe('customer');
  });

  it('a deleted account loses its powers within the recheck window', async () => {
    const user = await register(t.api, 'customer');
    expect((await t.api.get('/api/bookings', user.token)).status).toBe(200);
    await sql('delete from "user" where id = ?', [user.id]);
    const res = await pollUntil(() => t.api.get('/api/bookings', user.token), (r) => r.status !== 200);
    expect(res.status).toBe(401);
  });

  it('a suspended vendor is signed out everywhere at once (sockets too) and cannot sign in until reinstated', async () => {
    const { vendor, admin } = await verifiedWorkshop(t.server, t.api);
    const socket = await connect(t.server.url, { token: vendor.token });
    const gone = disconnected(socket);
    try {
      expect((await t.api.get('/api/vendor/workshops', vendor.token)).status).toBe(200);
      const res = await t.api.post(`/api/admin/users/${vendor.id}/suspend`, undefined, admin.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // No polling: suspension ends the sessions, it does not wait for the cache.
      expect((await t.api.get('/api/vendor/workshops', vendor.token)).status).toBe(401);
      expect(await gone).toBe('io server disconnect');
      const login = await t.api.post('/api/auth/login', { email: vendor.email, password: PASSWORD });
      expect(login.status).toBe(403);
      expect(login.body.error.code).toBe('ACCOUNT_SUSPENDED');
      // Without the password, a suspended account looks like any failed login.
      expect((await t.api.post('/api/auth/login', { email: vendor.email, password: 'wrong-password' })).body.error.code).toBe('INVALID_CREDENTIALS');
      expect((await t.api.post(`/api/admin/users/${vendor.id}/reinstate`, undefined, admin.token)).status).toBe(200);
      expect((await t.api.post('/api/auth/login', { email: vendor.email, password: PASSWORD })).status).toBe(200);
    } finally {
      socket.close();
    }
  });

  it('only admins suspend accounts, and never their own', async () => {
    const admin = await createAdmin(t.server, t.api);
    const customer = await register(t.api, 'customer');
    expect((await t.api.post(`/api/admin/users/${admin.id}/suspend`, undefined, customer.token)).status).toBe(403);
    expect((await t.api.post(`/api/admin/users/${admin.id}/suspend`, undefined, admin.token)).status).toBe(403);
    expect((await t.api.post(`/api/admin/users/${randomUUID()}/suspend`, undefined, admin.token)).status).toBe(404);
  });

  it('a connected socket of a logged-out session is disconnected; the same user\'s other sessions stay', async () => {
    const user = await register(t.api, 'customer');
    const other = (await t.api.post('/api/auth/login', { email: user.email, password: PASSWORD })).body.token as string;
    const ended = await connect(t.server.url, { token: user.token });
    const kept = await connect(t.server.url, { token: other });
    try {
      const reason = disconnected(ended);
      expect((await t.api.post('/api/auth/logout', undefined, user.token)).status).toBe(204);
      expect(await reason).toBe('io server disconnect');
      expect(kept.connected).toBe(true);
      // The ended token cannot open a new one either.
      await expect(connect(t.server.url, { token: user.token })).rejects.toThrow('UNAUTHENTICATED');
    } finally {
      ended.close();
      kept.close();
    }
  });

  it('a socket whose account changed role is disconnected within the recheck window', async () => {
    const admin = await createAdmin(t.server, t.api);
    const socket = await connect(t.server.url, { token: admin.token });
    try {
      const reason = disconnected(socket);
      await sql('update "user" set role = ? where id = ?', ['customer', admin.id]);
      expect(await reason).toBe('io server disconnect');
    } finally {
      socket.close();
    }
  });

  it('expired sessions are purged a day after expiry; live ones stay', async () => {
    const user = await register(t.api, 'customer');
    const store = createSessionRepository(t.server.orm);
    const day = 24 * 3_600_000;
    const now = Date.now();
    const old = await store.create({ userId: user.id, createdAt: new Date(now - 3 * day), expiresAt: new Date(now - 2 * day) });
    const recent = await store.create({ userId: user.id, createdAt: new Date(now - day), expiresAt: new Date(now - 1000) });
    expect(await store.purgeExpired(new Date(now - day))).toBeGreaterThanOrEqual(1);
    expect(await store.find(old)).toBeNull();
    expect(await store.find(recent)).not.toBeNull();
    expect((await t.api.get('/api/me', user.token)).status).toBe(200);
  });
});
