import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { bookingViewSchema } from '@shared/schemas/booking';
import { assignmentSchema, staffInvitationViewSchema, staffInviteSchema, staffListSchema, staffMemberViewSchema, staffRoleSchema } from '@shared/schemas/staff';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';

const workshopSide = requireAuth('vendor');
const tags = ['staff'];
const memberParam = z.object({ id: z.uuid(), userId: z.uuid() });
const invitationParam = z.object({ id: z.uuid(), invitationId: z.uuid() });
const refusals = { ...authErrors, 403: 'FORBIDDEN (not your workshop, or your role lacks the permission: README "Staff and roles")', 404: 'NOT_FOUND' } as const;

/** A workshop's team (owner only, except the list front desk reads to assign jobs) and job assignment. */
export function staffRoutes(s: Services) {
  const r = createRouter();

  r.openapi(
    createRoute({ method: 'get', path: '/workshops/{id}/staff', tags, middleware: workshopSide, request: { params: idParam }, responses: { 200: ok(staffListSchema, '`{members, invitations}` (jobs.assign; invitations only with staff.manage)'), ...errors(refusals) } }),
    async (c) => c.json(await s.staff.list(c.get('principal')!, c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/workshops/{id}/staff/invitations', tags, middleware: workshopSide, request: { params: idParam, body: jsonBody(staffInviteSchema) },
      responses: { 201: ok(z.strictObject({ invitation: staffInvitationViewSchema }), '`{invitation}`: a seven-day link is mailed (staff.manage)'), ...errors({ ...refusals, 409: 'CONFLICT (already a member) or EMAIL_TAKEN (a customer or admin account has this address)' }) },
    }),
    async (c) => c.json({ invitation: await s.staff.invite(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/workshops/{id}/staff/invitations/{invitationId}', tags, middleware: workshopSide, request: { params: invitationParam }, responses: { 204: noContent('withdrawn: the link stops working (staff.manage)'), ...errors(refusals) } }),
    async (c) => {
      const p = c.req.valid('param');
      await s.staff.revokeInvitation(c.get('principal')!, p.id, p.invitationId);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({
      method: 'patch', path: '/workshops/{id}/staff/{userId}', tags, middleware: workshopSide, request: { params: memberParam, body: jsonBody(staffRoleSchema) },
      responses: { 200: ok(z.strictObject({ member: staffMemberViewSchema }), '`{member}` with the new role (staff.manage)'), ...errors({ ...refusals, 409: 'CONFLICT (the owner\'s role never changes)' }) },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json({ member: await s.staff.changeRole(c.get('principal')!, p.id, p.userId, c.req.valid('json').role) }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'delete', path: '/workshops/{id}/staff/{userId}', tags, middleware: workshopSide, request: { params: memberParam },
      responses: { 204: noContent('removed at once: their next request is refused and their screens leave the live feed; their assignments clear (staff.manage)'), ...errors({ ...refusals, 409: 'CONFLICT (the owner cannot be removed)' }) },
    }),
    async (c) => {
      const p = c.req.valid('param');
      await s.staff.remove(c.get('principal')!, p.id, p.userId);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({
      method: 'put', path: '/bookings/{id}/assignment', tags, middleware: workshopSide, request: { params: idParam, body: jsonBody(assignmentSchema) },
      responses: { 200: ok(z.strictObject({ booking: bookingViewSchema }), '`{booking}` with its mechanic and bay; an `assigned` event names who did it (jobs.assign)'), ...errors({ ...refusals, 409: 'INVALID_TRANSITION (finished), CONFLICT (no longer a member) or VERSION_CONFLICT' }) },
    }),
    async (c) => c.json({ booking: await s.assignment.assign(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  return r;
}
