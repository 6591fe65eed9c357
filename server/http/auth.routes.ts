import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { changePasswordSchema, loginSchema, registerSchema } from '@shared/schemas/auth';
import type { SessionGuard } from '../auth/session-guard';
import { toPublicUser, type Accounts, type UserRecord } from '../domain/accounts';
import { AUTH_COOKIE, requireAuth } from './auth.middleware';
import type { AppEnv } from './context';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';
import { z } from 'zod';
import { authResultSchema, publicUserSchema, updateProfileSchema } from '@shared/schemas/auth';

export interface AuthRoutesDeps {
  accounts: Accounts;
  guard: SessionGuard;
  tokenTtlHours: number;
  secureCookies: boolean;
  loginLimit: import('hono').MiddlewareHandler<AppEnv>;
  registerLimit: import('hono').MiddlewareHandler<AppEnv>;
  passwordLimit: import('hono').MiddlewareHandler<AppEnv>;
}

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

export function authRoutes(deps: AuthRoutesDeps) {
  const { accounts, guard } = deps;
  const r = createRouter();

  async function signedIn<S extends 200 | 201>(c: Context<AppEnv>, user: UserRecord, status: S) {
    const { token } = await guard.signIn(user);
    setCookie(c, AUTH_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: deps.secureCookies,
      path: '/',
      maxAge: deps.tokenTtlHours * 3600,
    });
    return c.json({ user: toPublicUser(user), token }, status);
  }

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/register', tags: ['auth'], middleware: deps.registerLimit,
      request: { body: json(registerSchema) },
      responses: { 201: ok(authResultSchema, 'Registered and signed in: `{user, token}`'), ...errors({ 409: 'EMAIL_TAKEN', 429: 'RATE_LIMITED' }) },
    }),
    async (c) => signedIn(c, await accounts.register(c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/login', tags: ['auth'], middleware: deps.loginLimit,
      request: { body: json(loginSchema) },
      responses: { 200: ok(authResultSchema, 'Signed in: `{user, token}`'), ...errors({ 401: 'INVALID_CREDENTIALS', 403: 'ACCOUNT_SUSPENDED', 429: 'RATE_LIMITED' }) },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      return signedIn(c, await accounts.login(email, password), 200);
    },
  );

  r.openapi(
    createRoute({ method: 'post', path: '/auth/logout', tags: ['auth'], responses: { 204: noContent('Session ended (its token stops working, its sockets disconnect) and cookie cleared'), ...errors({ 403: 'CSRF_REJECTED' }) } }),
    async (c) => {
      if (c.var.sid) await guard.end(c.var.sid);
      deleteCookie(c, AUTH_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/me', tags: ['auth'], middleware: requireAuth(),
      responses: { 200: ok(z.strictObject({ user: publicUserSchema }), 'The signed-in user: `{user}`'), ...errors(authErrors) },
    }),
    async (c) => c.json({ user: toPublicUser(await accounts.get(c.var.principal!.id)) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'patch', path: '/me', tags: ['auth'], middleware: requireAuth(),
      request: { body: json(updateProfileSchema) },
      responses: { 200: ok(z.strictObject({ user: publicUserSchema }), 'Name and/or phone saved: `{user}` (a null phone removes it)'), ...errors(authErrors) },
    }),
    async (c) => c.json({ user: toPublicUser(await accounts.updateProfile(c.var.principal!.id, c.req.valid('json'))) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/me/password', tags: ['auth'], middleware: [deps.passwordLimit, requireAuth()],
      request: { body: json(changePasswordSchema) },
      responses: {
        200: ok(authResultSchema, 'Password changed: every session ended, a new one for the caller `{user, token}`'),
        ...errors({ ...authErrors, 401: 'INVALID_CREDENTIALS (wrong current password) or UNAUTHENTICATED', 429: 'RATE_LIMITED' }),
      },
    }),
    async (c) => {
      const { currentPassword, newPassword } = c.req.valid('json');
      const user = await accounts.changePassword(c.var.principal!.id, currentPassword, newPassword);
      await guard.endAllOf(user.id);
      return signedIn(c, user, 200);
    },
  );

  return r;
}
