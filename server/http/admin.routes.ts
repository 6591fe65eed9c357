import { createRoute } from '@hono/zod-openapi';
import { toPublicUser } from '../domain/accounts';
import { adminWorkshopQuerySchema } from '@shared/schemas/workshop';
import type { SessionGuard } from '../auth/session-guard';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';
import { z } from 'zod';
import { createInvitationSchema, invitationViewSchema, publicUserSchema } from '@shared/schemas/auth';
import { adminReasonSchema } from '@shared/schemas/audit';
import type { Context } from 'hono';
import { DomainError } from '../domain/errors';
import { validationFailed } from '../validation-error';
import type { InvitationRecord } from '../domain/account-links';
import { workshopViewSchema } from '@shared/schemas/views';
import { adminWorkshopItemSchema, returnWorkshopSchema, verificationRecordSchema, verificationViewSchema } from '@shared/schemas/verification';

const workshopsBody = z.strictObject({ workshops: z.array(adminWorkshopItemSchema) });
const verificationBody = z.strictObject({ verification: verificationViewSchema });
const verificationsBody = z.strictObject({ verifications: z.array(verificationRecordSchema) });
const workshopBody = z.strictObject({ workshop: workshopViewSchema });
const userBody = z.strictObject({ user: publicUserSchema });
const invitationsBody = z.strictObject({ invitations: z.array(invitationViewSchema) });
const invitationBody = z.strictObject({ invitation: invitationViewSchema });

const invitationView = (i: InvitationRecord & { status: 'pending' | 'expired' }) => ({
  id: i.id, email: i.email, invitedBy: i.invitedByName, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString(), status: i.status,
});

const adminOnly = requireAuth('admin');
/**
 * Verify, suspend and reinstate take an optional JSON `{reason}` for the audit trail. These routes
 * took no body before, and clients still send none, an empty JSON body or another content type:
 * only a non-empty JSON body is read (and must then be valid), so none of them is refused.
 */
async function reasonOf(c: Context): Promise<string | null> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return null;
  const text = (await c.req.text()).trim();
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DomainError('MALFORMED_JSON', 'Request body is not valid JSON');
  }
  const parsed = adminReasonSchema.safeParse(json);
  if (!parsed.success) throw validationFailed(parsed.error, 'reason');
  return parsed.data.reason ?? null;
}
const tags = ['admin'];

/** Marketplace administration: the verification queue and account suspension, each step in the audit trail. */
export function adminRoutes(s: Services, guard: SessionGuard) {
  const r = createRouter();
  r.openapi(
    createRoute({ method: 'get', path: '/admin/workshops', tags, middleware: adminOnly, request: { query: adminWorkshopQuerySchema }, responses: { 200: ok(workshopsBody, '`{workshops}`, optionally by status, each with its owner and verification checklist (returned ones last)'), ...errors(authErrors) } }),
    async (c) => c.json({ workshops: await s.catalog.adminList(c.req.valid('query').status) }, 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/workshops/{id}/verify', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: ok(workshopBody, '`{workshop}` verified; slots generated; audited with the optional `{reason}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 422: 'NOT_READY (the checklist has open items: `details.missing`) or SCHEDULE_TOO_LARGE' }) } }),
    async (c) => {
      const reason = await reasonOf(c);
      const workshop = await s.catalog.setStatus(c.req.valid('param').id, 'verified', { actorId: c.get('principal')!.id, reason });
      await s.audit.record(c.get('principal')!, 'workshop.verify', { type: 'workshop', id: workshop.id }, reason);
      return c.json({ workshop }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'get', path: '/admin/workshops/{id}/verifications', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: ok(verificationsBody, '`{verifications}`: the workshop\'s append-only verification record, newest first (verified, lapsed, reverified; what was checked, by whom, why, when)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json({ verifications: await s.catalog.verificationHistory(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/workshops/{id}/return', tags, middleware: adminOnly, request: { params: idParam, body: jsonBody(returnWorkshopSchema) }, responses: { 200: ok(verificationBody, 'Returned to the vendor with the reason: `{verification}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'CONFLICT (not waiting for verification)' }) } }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const verification = await s.catalog.returnToVendor(id, reason);
      await s.audit.record(c.get('principal')!, 'workshop.return', { type: 'workshop', id }, reason);
      return c.json({ verification }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/workshops/{id}/suspend', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: ok(workshopBody, '`{workshop}` suspended: hidden and not bookable; audited with the optional `{reason}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      const reason = await reasonOf(c);
      const workshop = await s.catalog.setStatus(c.req.valid('param').id, 'suspended');
      await s.audit.record(c.get('principal')!, 'workshop.suspend', { type: 'workshop', id: workshop.id }, reason);
      return c.json({ workshop }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/users/{id}/suspend', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: ok(userBody, '`{user}` suspended: signed out everywhere at once, cannot sign in; audited with the optional `{reason}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      const reason = await reasonOf(c);
      const user = await s.accounts.setStatus(c.get('principal')!.id, c.req.valid('param').id, 'suspended');
      await guard.endAllOf(user.id);
      await s.audit.record(c.get('principal')!, 'user.suspend', { type: 'user', id: user.id }, reason);
      return c.json({ user: toPublicUser(user) }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/users/{id}/reinstate', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: ok(userBody, '`{user}` may sign in again; audited with the optional `{reason}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      const reason = await reasonOf(c);
      const user = await s.accounts.setStatus(c.get('principal')!.id, c.req.valid('param').id, 'active');
      await s.audit.record(c.get('principal')!, 'user.reinstate', { type: 'user', id: user.id }, reason);
      return c.json({ user: toPublicUser(user) }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'get', path: '/admin/invitations', tags, middleware: adminOnly, responses: { 200: ok(invitationsBody, '`{invitations}`: admin invitations neither accepted nor revoked, newest first (expired ones included, marked)'), ...errors(authErrors) } }),
    async (c) => c.json({ invitations: (await s.accountLinks.invitations()).map(invitationView) }, 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/invitations', tags, middleware: adminOnly, request: { body: jsonBody(createInvitationSchema) }, responses: { 201: ok(invitationBody, '`{invitation}`: a single-use link (72 h) to become an admin is mailed to the address; an earlier invitation to it stops working; audited'), ...errors({ ...authErrors, 409: 'EMAIL_TAKEN (the address has an account)' }) } }),
    async (c) => {
      const invitation = await s.accountLinks.invite(c.get('principal')!.id, c.req.valid('json').email);
      await s.audit.record(c.get('principal')!, 'admin.invite', { type: 'invitation', id: invitation.id });
      return c.json({ invitation: invitationView({ ...invitation, status: 'pending' }) }, 201);
    },
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/admin/invitations/{id}', tags, middleware: adminOnly, request: { params: idParam }, responses: { 204: noContent('Revoked: its link stops working (and its mail, if not sent yet, is not sent); audited'), ...errors({ ...authErrors, 404: 'NOT_FOUND (no open invitation with this id)' }) } }),
    async (c) => {
      const id = c.req.valid('param').id;
      await s.accountLinks.revokeInvitation(id);
      await s.audit.record(c.get('principal')!, 'admin.invite_revoke', { type: 'invitation', id });
      return c.body(null, 204);
    },
  );
  return r;
}
