import { createRoute } from '@hono/zod-openapi';
import { createServiceSchema, updateServiceSchema } from '@shared/schemas/service';
import { closureSchema, createWorkshopSchema, openingHoursSchema, updateWorkshopSchema } from '@shared/schemas/workshop';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { closureParam, idParam, jsonBody, serviceParam } from './params';
import { createRouter } from './router';

const vendorOnly = requireAuth('vendor');
const tags = ['vendor'];

/** A vendor's own workshop: onboarding, settings, hours, closures and service catalog. */
export function vendorRoutes(s: Services) {
  const r = createRouter();
  const me = (c: { var: { principal: { id: string; role: 'customer' | 'vendor' | 'admin' } | null } }) => c.var.principal!;

  r.openapi(
    createRoute({ method: 'get', path: '/vendor/workshops', tags, middleware: vendorOnly, responses: { 200: { description: '`{workshops}` I own, any status' } } }),
    async (c) => c.json({ workshops: await s.catalog.mine(me(c)) }),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/workshops', tags, middleware: vendorOnly, request: { body: jsonBody(createWorkshopSchema) }, responses: { 201: { description: '`{workshop}` in status pending' } } }),
    async (c) => c.json({ workshop: await s.catalog.create(me(c), c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'patch', path: '/workshops/{id}', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(updateWorkshopSchema) }, responses: { 200: { description: '`{workshop}`' } } }),
    async (c) => c.json({ workshop: await s.catalog.update(me(c), c.req.valid('param').id, c.req.valid('json')) }),
  );
  r.openapi(
    createRoute({ method: 'put', path: '/workshops/{id}/hours', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(openingHoursSchema) }, responses: { 200: { description: '`{hours}`; future free slots regenerated' } } }),
    async (c) => c.json({ hours: await s.catalog.setHours(me(c), c.req.valid('param').id, c.req.valid('json')) }),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/workshops/{id}/closures', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(closureSchema) }, responses: { 201: { description: '`{closure}`' }, 409: { description: 'already closed that day' } } }),
    async (c) => c.json({ closure: await s.catalog.addClosure(me(c), c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/workshops/{id}/closures/{closureId}', tags, middleware: vendorOnly, request: { params: closureParam }, responses: { 204: { description: 'removed' } } }),
    async (c) => {
      const p = c.req.valid('param');
      await s.catalog.removeClosure(me(c), p.id, p.closureId);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/workshops/{id}/services', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(createServiceSchema) }, responses: { 201: { description: '`{service}`' } } }),
    async (c) => c.json({ service: await s.catalog.createService(me(c), c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'patch', path: '/workshops/{id}/services/{serviceId}', tags, middleware: vendorOnly, request: { params: serviceParam, body: jsonBody(updateServiceSchema) }, responses: { 200: { description: '`{service}`' } } }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json({ service: await s.catalog.updateService(me(c), p.id, p.serviceId, c.req.valid('json')) });
    },
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/workshops/{id}/services/{serviceId}', tags, middleware: vendorOnly, request: { params: serviceParam }, responses: { 204: { description: 'retired (kept for past bookings)' } } }),
    async (c) => {
      const p = c.req.valid('param');
      await s.catalog.retireService(me(c), p.id, p.serviceId);
      return c.body(null, 204);
    },
  );
  return r;
}
