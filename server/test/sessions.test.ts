import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSessionRepository } from '../db/session.repository';
import { createAdmin, register, verifiedWorkshop, connect, disconnected, filePrefix } from './fixtures';
import { expectStatus, pollUntil, testEnv, useTestServer } from './harness';

/*
 * A token speaks for someone only while its session is open and the account is what it was:
 * logout, password change and suspension end sessions at once; a role change or a deleted
 * account takes effect within SESSION_RECHECK_MS (short here, so the polls end quickly).
 */

const t = useTestServer({ REDIS_PREFIX: filePrefix('sessions'), SESSION_RECHECK_MS: '300' });
const cookieOf = (token: string) => ({ cookie: `hf_token=${token}` });
const sql = (q: string, params: unknown[]) => t.server.orm.em.getConnection().execute(q, params);
const PASSWORD = 'correct-horse-battery';
const status = (r: { response: Response }) => r.response.status;
const me = (token?: string, headers?: Record<string, string>) => t.as(token).GET('/api/v1/me', { headers });
const logout = (token?: string, headers?: Record<string, string>) => t.as(token).POST('/api/v1/auth/logout', { headers });
const login = (email: string, password = PASSWORD) => t.as().POST('/api/v1/auth/login', { body: { email, password } });
const loginToken = async (email: string) => expectStatus(await login(email), 200).token;
const changePassword = (token: string, body: { currentPassword: string; newPassword: string }) => t.as(token).POST('/api/v1/me/password', { body });
const adminWorkshops = (token: string) => t.as(token).GET('/api/v1/admin/workshops');
const onUser = (id: string) => ({ params: { path: { id } } });

describe('sessions', () => {
  it('logout ends the session: its token gets 401 by header and by cookie', async () => {
    const user = await register(t.api, 'customer');
    expect(status(await me(user.token))).toBe(200);
    expect(status(await logout(user.token))).toBe(204);
    expect(status(await me(user.token))).toBe(401);
    expect(status(await me(undefined, cookieOf(user.token)))).toBe(401);

    // The browser's way: logout by the cookie from our own page.
    const token = await loginToken(user.email);
    const out = await logout(undefined, { ...cookieOf(token), origin: t.server.url });
    expect(status(out)).toBe(204);
    expect(status(await me(undefined, cookieOf(token)))).toBe(401);
    expect(status(await me(token))).toBe(401);
  });

  it('logout ends only that session', async () => {
    const user = await register(t.api, 'customer');
    const other = await loginToken(user.email);
    await logout(user.token);
    expect(status(await me(other))).toBe(200);
  });

  it('a password change ends every other session and signs the caller in afresh', async () => {
    const user = await register(t.api, 'customer');
    const laptop = await loginToken(user.email);
    const phone = await loginToken(user.email);

    const wrong = await changePassword(laptop, { currentPassword: 'not-my-password', newPassword: 'a-new-password-1' });
    expect(status(wrong)).toBe(401);
    expect(wrong.error!.error.code).toBe('INVALID_CREDENTIALS');
    expect(status(await me(phone))).toBe(200); // a failed attempt ends nothing

    const bad = await changePassword(laptop, { currentPassword: PASSWORD, newPassword: 'short' });
    expect(status(bad)).toBe(400);

    const changed = await changePassword(laptop, { currentPassword: PASSWORD, newPassword: 'a-new-password-1' });
    expect(status(changed), JSON.stringify(changed.error)).toBe(200);
    expect(changed.response.headers.get('set-cookie')).toMatch(/hf_token=ey/);
    for (const old of [user.token, laptop, phone]) expect(status(await me(old))).toBe(401);
    expect(status(await me(changed.data!.token))).toBe(200);
    expect(status(await login(user.email))).toBe(401);
    expect(status(await login(user.email, 'a-new-password-1'))).toBe(200);
  });

  it('a token the server never issued a session for is refused, even signed with the right secret', async () => {
    // What a leaked or placeholder secret used to allow: mint `role: admin` for any user id.
    const admin = await createAdmin(t.server, t.api);
    const key = new TextEncoder().encode(testEnv().JWT_SECRET!);
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(admin.id).setJti(randomUUID()).setIssuer('holdfast').setIssuedAt().setExpirationTime('1h')
      .sign(key);
    expect(status(await adminWorkshops(forged))).toBe(401);
    expect(status(await adminWorkshops(admin.token))).toBe(200);
  });

  it('a changed role takes effect within the recheck window', async () => {
    const admin = await createAdmin(t.server, t.api);
    expect(status(await adminWorkshops(admin.token))).toBe(200);
    await sql('update "user" set role = ? where id = ?', ['customer', admin.id]);
    const res = await pollUntil(() => adminWorkshops(admin.token), (r) => status(r) !== 200);
    expect(status(res)).toBe(403);
    expect(expectStatus(await me(admin.token), 200).user.role).toBe('customer');
  });

  it('a deleted account loses its powers within the recheck window', async () => {
    const user = await register(t.api, 'customer');
    const myBookings = () => t.as(user.token).GET('/api/v1/bookings');
    expect(status(await myBookings())).toBe(200);
    await sql('delete from "user" where id = ?', [user.id]);
    const res = await pollUntil(myBookings, (r) => status(r) !== 200);
    expect(status(res)).toBe(401);
  });

  it('a suspended vendor is signed out everywhere at once (sockets too) and cannot sign in until reinstated', async () => {
    const { vendor, admin } = await verifiedWorkshop(t.server, t.api);
    const socket = await connect(t.server.url, { token: vendor.token });
    const gone = disconnected(socket);
    const vendorWorkshops = () => t.as(vendor.token).GET('/api/v1/vendor/workshops');
    try {
      expect(status(await vendorWorkshops())).toBe(200);
      const res = await t.as(admin.token).POST('/api/v1/admin/users/{id}/suspend', onUser(vendor.id));
      expect(status(res), JSON.stringify(res.error ?? res.data)).toBe(200);
      // No polling: suspension ends the sessions, it does not wait for the cache.
      expect(status(await vendorWorkshops())).toBe(401);
      expect(await gone).toBe('io server disconnect');
      const refused = await login(vendor.email);
      expect(status(refused)).toBe(403);
      expect(refused.error!.error.code).toBe('ACCOUNT_SUSPENDED');
      // Without the password, a suspended account looks like any failed login.
      expect((await login(vendor.email, 'wrong-password')).error!.error.code).toBe('INVALID_CREDENTIALS');
      expect(status(await t.as(admin.token).POST('/api/v1/admin/users/{id}/reinstate', onUser(vendor.id)))).toBe(200);
      expect(status(await login(vendor.email))).toBe(200);
    } finally {
      socket.close();
    }
  });

  it('only admins suspend accounts, and never their own', async () => {
    const admin = await createAdmin(t.server, t.api);
    const customer = await register(t.api, 'customer');
    const suspend = (id: string, token: string) => t.as(token).POST('/api/v1/admin/users/{id}/suspend', onUser(id));
    expect(status(await suspend(admin.id, customer.token))).toBe(403);
    expect(status(await suspend(admin.id, admin.token))).toBe(403);
    expect(status(await suspend(randomUUID(), admin.token))).toBe(404);
  });

  it('a connected socket of a logged-out session is disconnected; the same user\'s other sessions stay', async () => {
    const user = await register(t.api, 'customer');
    const other = await loginToken(user.email);
    const ended = await connect(t.server.url, { token: user.token });
    const kept = await connect(t.server.url, { token: other });
    try {
      const reason = disconnected(ended);
      expect(status(await logout(user.token))).toBe(204);
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
    expect(status(await me(user.token))).toBe(200);
  });
});
