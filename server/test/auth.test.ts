import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { apiClient, startTestServer, uniqueEmail, useTestServer } from './harness';

const t = useTestServer();

describe('accounts', () => {
  it('registers, logs in and answers /me with bearer and with the cookie', async () => {
    const email = uniqueEmail('alice');
    const reg = await t.api.post('/api/auth/register', { email, password: 'a-long-password', name: 'Alice', role: 'customer' });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email, name: 'Alice', role: 'customer' });
    expect(reg.body.user.passwordHash).toBeUndefined();
    const cookie = reg.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/hf_token=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const login = await t.api.post('/api/auth/login', { email: email.toUpperCase(), password: 'a-long-password' });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(reg.body.user.id);

    const me = await t.api.get('/api/me', login.body.token);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(email);

    const viaCookie = await t.api.call('GET', '/api/me', { headers: { cookie: `hf_token=${login.body.token}` } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body.user.id).toBe(reg.body.user.id);
  });

  it('stores the password hashed (scrypt), never in clear', async () => {
    const email = uniqueEmail('hash');
    await t.api.post('/api/auth/register', { email, password: 'plain-text-secret', name: 'H' });
    const [row] = await t.server.orm.em.getConnection().execute<Array<{ password_hash: string }>>('select password_hash from "user" where email = ?', [email]);
    expect(row?.password_hash).toMatch(/^scrypt\$/);
    expect(row?.password_hash).not.toContain('plain-text-secret');
  });

  it('treats emails as unique case-insensitively', async () => {
    const email = uniqueEmail('dup');
    expect((await t.api.post('/api/auth/register', { email, password: 'password-1', name: 'A' })).status).toBe(201);
    const again = await t.api.post('/api/auth/register', { email: email.toUpperCase(), password: 'password-2', name: 'B' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('never self-registers an admin', async () => {
    const res = await t.api.post('/api/auth/register', { email: uniqueEmail(), password: 'password-1', name: 'Eve', role: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('does not tell which part of a failed login was wrong', async () => {
    const email = uniqueEmail('bob');
    await t.api.post('/api/auth/register', { email, password: 'right-password', name: 'Bob' });
    const wrongPassword = await t.api.post('/api/auth/login', { email, password: 'wrong-password' });
    const unknownEmail = await t.api.post('/api/auth/login', { email: uniqueEmail('nobody'), password: 'right-password' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects missing, forged and garbage tokens with 401', async () => {
    expect((await t.api.get('/api/me')).status).toBe(401);
    expect((await t.api.get('/api/me', 'not-a-token')).status).toBe(401);
    const forged =
      'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYWRtaW4iLCJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJob2xkZmFzdCJ9.AAAA';
    const res = await t.api.get('/api/me', forged);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('logout clears the cookie', async () => {
    const res = await t.api.post('/api/auth/logout');
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/hf_token=;/);
  });
});

describe('login rate limit', () => {
  let limited: RunningServer;
  afterAll(() => limited?.close());

  it('answers 429 RATE_LIMITED with Retry-After once the limit is used up', async () => {
    limited = await startTestServer({ RATE_LIMIT_LOGIN_PER_MIN: '3', REDIS_PREFIX: `${crypto.randomUUID().slice(0, 8)}:` });
    const client = apiClient(limited.url);
    const attempt = () => client.post('/api/auth/login', { email: uniqueEmail(), password: 'whatever-1' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const blocked = await attempt();
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
