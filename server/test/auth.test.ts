import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { startTestServer, typedClient, uniqueEmail, useTestServer } from './harness';

const t = useTestServer();

describe('accounts', () => {
  it('registers, logs in and answers /me with bearer and with the cookie', async () => {
    const email = uniqueEmail('alice');
    const reg = await t.as().POST('/api/v1/auth/register', { body: { email, password: 'a-long-password', name: 'Alice', role: 'customer' } });
    expect(reg.response.status).toBe(201);
    expect(reg.data!.user).toMatchObject({ email, name: 'Alice', role: 'customer' });
    expect((reg.data!.user as Record<string, unknown>).passwordHash).toBeUndefined();
    const cookie = reg.response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/hf_token=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const login = await t.as().POST('/api/v1/auth/login', { body: { email: email.toUpperCase(), password: 'a-long-password' } });
    expect(login.response.status).toBe(200);
    expect(login.data!.user.id).toBe(reg.data!.user.id);

    const me = await t.as(login.data!.token).GET('/api/v1/me');
    expect(me.response.status).toBe(200);
    expect(me.data!.user.email).toBe(email);

    const viaCookie = await t.as().GET('/api/v1/me', { headers: { cookie: `hf_token=${login.data!.token}` } });
    expect(viaCookie.response.status).toBe(200);
    expect(viaCookie.data!.user.id).toBe(reg.data!.user.id);
  });

  it('stores the password hashed (scrypt), never in clear', async () => {
    const email = uniqueEmail('hash');
    expect((await t.as().POST('/api/v1/auth/register', { body: { email, password: 'plain-text-secret', name: 'H' } })).response.status).toBe(201);
    const [row] = await t.server.orm.em.getConnection().execute<Array<{ password_hash: string }>>('select password_hash from "user" where email = ?', [email]);
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    expect(row?.password_hash).not.toContain('plain-text-secret');
  });

  it('treats emails as unique case-insensitively', async () => {
    const email = uniqueEmail('dup');
    expect((await t.as().POST('/api/v1/auth/register', { body: { email, password: 'password-1', name: 'A' } })).response.status).toBe(201);
    const again = await t.as().POST('/api/v1/auth/register', { body: { email: email.toUpperCase(), password: 'password-2', name: 'B' } });
    expect(again.response.status).toBe(409);
    expect(again.error!.error.code).toBe('EMAIL_TAKEN');
  });

  it('never self-registers an admin', async () => {
    // The contract's role has no 'admin': only the raw client can ask for it.
    const res = await t.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password-1', name: 'Eve', role: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('does not tell which part of a failed login was wrong', async () => {
    const email = uniqueEmail('bob');
    expect((await t.as().POST('/api/v1/auth/register', { body: { email, password: 'right-password', name: 'Bob' } })).response.status).toBe(201);
    const wrongPassword = await t.as().POST('/api/v1/auth/login', { body: { email, password: 'wrong-password' } });
    const unknownEmail = await t.as().POST('/api/v1/auth/login', { body: { email: uniqueEmail('nobody'), password: 'right-password' } });
    expect(wrongPassword.response.status).toBe(401);
    expect(unknownEmail.response.status).toBe(401);
    expect(wrongPassword.error).toEqual(unknownEmail.error);
    expect(wrongPassword.error!.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects missing, forged and garbage tokens with 401', async () => {
    expect((await t.as().GET('/api/v1/me')).response.status).toBe(401);
    expect((await t.as('not-a-token').GET('/api/v1/me')).response.status).toBe(401);
    const forged =
      'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYWRtaW4iLCJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJob2xkZmFzdCJ9.AAAA';
    const res = await t.as(forged).GET('/api/v1/me');
    expect(res.response.status).toBe(401);
    expect(res.error!.error.code).toBe('UNAUTHENTICATED');
  });

  it('logout clears the cookie', async () => {
    const res = await t.as().POST('/api/v1/auth/logout');
    expect(res.response.status).toBe(204);
    expect(res.response.headers.get('set-cookie')).toMatch(/hf_token=;/);
  });
});

describe('login rate limit', () => {
  let limited: RunningServer;
  afterAll(() => limited?.close());

  it('answers 429 RATE_LIMITED with Retry-After once the limit is used up', async () => {
    limited = await startTestServer({ RATE_LIMIT_LOGIN_PER_MIN: '3', REDIS_PREFIX: `${crypto.randomUUID().slice(0, 8)}:` });
    const client = typedClient(limited.url);
    const attempt = () => client.POST('/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'whatever-1' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).response.status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const blocked = await attempt();
    expect(blocked.error!.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
