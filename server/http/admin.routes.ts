import { createRoute } from '@hono/zod-openapi';
import { adminWorkshopQuerySchema } from '@shared/schemas/workshop';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam } from './params';
import { createRouter } from './router';

const adminOnly = requireAuth('admin');
const tags = ['admin'];

/** Marketplace administration: the verification queue. */
export function adminRoutes(s: Services) {
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
  return r;
}
