import { createRoute } from '@hono/zod-openapi';
import { toPublicUser } from '../domain/accounts';
import { adminWorkshopQuerySchema } from '@shared/schemas/workshop';
import type { SessionGuard } from '../auth/session-guard';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam } from './params';
import { createRouter } from './router';

const adminOnly = requireAuth('admin');
const tags = ['admin'];

/** Marketplace administration: the verification queue and account suspension. */
export function adminRoutes(s: Services, guard: SessionGuard) {
  const r = createRouter();
  r.openapi(
    createRoute({ method: 'get', path: '/admin/workshops', tags, middleware: adminOnly, request: { query: adminWorkshopQuerySchema }, responses: { 200: { description: '`{workshops}`, optionally by status' } } }),
    async (c) => c.json({ workshops: await s.catalog.adminList(c.req.valid('query').status) }),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/workshops/{id}/verify', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: { description: '`{workshop}` verified; slots generated' } } }),
    async (c) => c.json({ workshop: await s.catalog.setStatus(c.req.valid('param').id, 'verified') }),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/workshops/{id}/suspend', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: { description: '`{workshop}` suspended: hidden and not bookable' } } }),
    async (c) => c.json({ workshop: await s.catalog.setStatus(c.req.valid('param').id, 'suspended') }),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/users/{id}/suspend', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: { description: '`{user}` suspended: signed out everywhere at once, cannot sign in' } } }),
    async (c) => {
      const user = await s.accounts.setStatus(c.var.principal!.id, c.req.valid('param').id, 'suspended');
      await guard.endAllOf(user.id);
      return c.json({ user: toPublicUser(user) });
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/admin/users/{id}/reinstate', tags, middleware: adminOnly, request: { params: idParam }, responses: { 200: { description: '`{user}` may sign in again' } } }),
    async (c) => c.json({ user: toPublicUser(await s.accounts.setStatus(c.var.principal!.id, c.req.valid('param').id, 'active')) }),
  );
  return r;
}
