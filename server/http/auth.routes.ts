import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { acceptInvitationSchema, changePasswordSchema, loginSchema, passwordResetConfirmSchema, passwordResetRequestSchema, registerSchema, verifyEmailSchema } from '@shared/schemas/auth';
import type { AccountLinks } from '../domain/account-links';
import type { SessionGuard } from '../auth/session-guard';
import { toPublicUser, type Accounts, type UserRecord } from '../domain/accounts';
import { AUTH_COOKIE, requireAuth } from './auth.middleware';
import type { AppEnv } from './context';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';
import { z } from 'zod';
import { authResultSchema, publicUserSchema, updateProfileSchema } from '@shared/schemas/auth';
import { staffInviteAcceptSchema, staffInvitePreviewInputSchema, staffInvitePreviewSchema } from '@shared/schemas/staff';

export interface AuthRoutesDeps {
  accounts: Accounts;
  links: AccountLinks;
  guard: SessionGuard;
  tokenTtlHours: number;
  secureCookies: boolean;
  loginLimit: import('hono').MiddlewareHandler<AppEnv>;
  registerLimit: import('hono').MiddlewareHandler<AppEnv>;
  passwordLimit: import('hono').MiddlewareHandler<AppEnv>;
  /** Per address, the login budget: asking for reset links and using any emailed link's token. */
  linkLimit: import('hono').MiddlewareHandler<AppEnv>;
  /** Per signed-in user: asking for the verification mail again. */
  resendLimit: import('hono').MiddlewareHandler<AppEnv>;
}

/** The refusals of a route that takes an emailed link's token. */
const tokenErrors = { 400: 'TOKEN_INVALID (matches no open link), VALIDATION_FAILED or MALFORMED_JSON', 410: 'TOKEN_EXPIRED or TOKEN_USED', 429: 'RATE_LIMITED' } as const;

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
      responses: { 201: ok(authResultSchema, 'Registered and signed in: `{user, token}`; the address starts unverified and a verification link is mailed'), ...errors({ 409: 'EMAIL_TAKEN', 429: 'RATE_LIMITED' }) },
    }),
    async (c) => {
      const user = await accounts.register(c.req.valid('json'));
      await deps.links.sendVerification(user.id);
      return signedIn(c, user, 201);
    },
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/password-reset', tags: ['auth'], middleware: deps.linkLimit,
      request: { body: json(passwordResetRequestSchema) },
      responses: { 202: noContent('Accepted: when the address belongs to an active account, a reset link (one hour, single use) is mailed to it. The answer is the same either way'), ...errors({ 429: 'RATE_LIMITED' }) },
    }),
    async (c) => {
      await deps.links.requestPasswordReset(c.req.valid('json').email);
      return c.body(null, 202);
    },
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/password-reset/confirm', tags: ['auth'], middleware: deps.linkLimit,
      request: { body: json(passwordResetConfirmSchema) },
      responses: { 204: noContent('Password set; every session of the account ended (sign in with the new password)'), ...errors({ ...tokenErrors, 403: 'ACCOUNT_SUSPENDED (the link is left unused)' }) },
    }),
    async (c) => {
      const { token, password } = c.req.valid('json');
      const user = await deps.links.resetPassword(token, password);
      await guard.endAllOf(user.id);
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/verify-email', tags: ['auth'], middleware: deps.linkLimit,
      request: { body: json(verifyEmailSchema) },
      responses: { 204: noContent('The address is verified (no sign-in needed: the link may open in another browser)'), ...errors(tokenErrors) },
    }),
    async (c) => {
      await deps.links.verifyEmail(c.req.valid('json').token);
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/invitations/accept', tags: ['auth'], middleware: deps.linkLimit,
      request: { body: json(acceptInvitationSchema) },
      responses: { 201: ok(authResultSchema, 'A verified admin account made from the invitation, signed in: `{user, token}`'), ...errors({ ...tokenErrors, 409: 'EMAIL_TAKEN (the address has an account already; the invitation stays unused)' }) },
    }),
    async (c) => {
      const { token, name, password } = c.req.valid('json');
      return signedIn(c, await deps.links.acceptInvitation(token, { name, password }), 201);
    },
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/staff-invitations/preview', tags: ['auth', 'staff'], middleware: deps.linkLimit,
      request: { body: json(staffInvitePreviewInputSchema) },
      responses: { 200: ok(staffInvitePreviewSchema, 'What the staff link invites to: `{workshopName, role, email, hasAccount}` (nothing is used)'), ...errors(tokenErrors) },
    }),
    async (c) => c.json(await deps.links.staffInvitePreview(c.req.valid('json').token), 200),
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/auth/staff-invitations/accept', tags: ['auth', 'staff'], middleware: deps.linkLimit,
      request: { body: json(staffInviteAcceptSchema) },
      responses: {
        200: ok(authResultSchema, 'Joined the workshop with the existing account of that address (its password), signed in: `{user, token}`'),
        201: ok(authResultSchema, 'A verified workshop-side account made from the invitation, member of the workshop, signed in: `{user, token}`'),
        ...errors({ ...tokenErrors, 401: 'INVALID_CREDENTIALS (not the password of the existing account)', 403: 'ACCOUNT_SUSPENDED', 409: 'EMAIL_TAKEN (a customer or admin account has this address) or CONFLICT (already a member)' }),
      },
    }),
    async (c) => {
      const { token, name, password } = c.req.valid('json');
      const preview = await deps.links.staffInvitePreview(token);
      const joined = await deps.links.acceptStaffInvitation(token, { name, password });
      return preview.hasAccount ? signedIn(c, joined.user, 200) : signedIn(c, joined.user, 201);
    },
  );

  r.openapi(
    createRoute({
      method: 'post', path: '/me/verify-email/resend', tags: ['auth'], middleware: [requireAuth(), deps.resendLimit],
      responses: { 202: noContent('A new verification link (seven days) is mailed; earlier ones stop working'), ...errors({ ...authErrors, 409: 'ALREADY_VERIFIED', 429: 'RATE_LIMITED' }) },
    }),
    async (c) => {
      await deps.links.sendVerification(c.get('principal')!.id);
      return c.body(null, 202);
    },
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
      const sid = c.get('sid');
      if (sid) await guard.end(sid);
      deleteCookie(c, AUTH_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/me', tags: ['auth'], middleware: requireAuth(),
      responses: { 200: ok(z.strictObject({ user: publicUserSchema }), 'The signed-in user: `{user}`'), ...errors(authErrors) },
    }),
    async (c) => c.json({ user: toPublicUser(await accounts.get(c.get('principal')!.id)) }, 200),
  );

  r.openapi(
    createRoute({
      method: 'patch', path: '/me', tags: ['auth'], middleware: requireAuth(),
      request: { body: json(updateProfileSchema) },
      responses: { 200: ok(z.strictObject({ user: publicUserSchema }), 'Name and/or phone saved: `{user}` (a null phone removes it)'), ...errors(authErrors) },
    }),
    async (c) => c.json({ user: toPublicUser(await accounts.updateProfile(c.get('principal')!.id, c.req.valid('json'))) }, 200),
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
      const user = await accounts.changePassword(c.get('principal')!.id, currentPassword, newPassword);
      await guard.endAllOf(user.id);
      return signedIn(c, user, 200);
    },
  );

  return r;
}
