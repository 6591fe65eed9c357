import { createRoute } from '@hono/zod-openapi';
import { createServiceSchema, updateServiceSchema } from '@shared/schemas/service';
import { closeDaySchema, resolutionOutcomeSchema } from '@shared/schemas/disruption';
import { createWorkshopSchema, openingHoursSchema, placeZonesQuerySchema, updateWorkshopSchema } from '@shared/schemas/workshop';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { closureParam, idParam, jsonBody, serviceParam } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';
import { z } from 'zod';
import { verificationViewSchema } from '@shared/schemas/verification';
import { closureViewSchema, openingHoursViewSchema, serviceViewSchema, workshopListItemSchema, workshopViewSchema } from '@shared/schemas/views';
import { membershipSchema } from '@shared/schemas/staff';

const workshopBody = z.strictObject({ workshop: workshopViewSchema });
const serviceBody = z.strictObject({ service: serviceViewSchema });

const vendorOnly = requireAuth('vendor');
const ownerOrAdmin = requireAuth('vendor', 'admin');
const closedBody = z.strictObject({
  closure: closureViewSchema,
  resolved: z.array(resolutionOutcomeSchema),
  stillOnDay: z.array(z.strictObject({ id: z.uuid(), startsAt: z.string(), endsAt: z.string(), serviceName: z.string(), customerName: z.string(), status: z.string() })),
});
const verificationBody = z.strictObject({ verification: verificationViewSchema });
const tags = ['vendor'];

/** A vendor's own workshop: onboarding, settings, hours, closures and service catalog. */
export function vendorRoutes(s: Services) {
  const r = createRouter();
  const me = (c: { get: (key: 'principal') => { id: string; role: 'customer' | 'vendor' | 'admin' } | null }) => c.get('principal')!;

  r.openapi(
    createRoute({ method: 'get', path: '/vendor/workshops', tags, middleware: vendorOnly, responses: { 200: ok(z.strictObject({ workshops: z.array(workshopListItemSchema), memberships: z.array(membershipSchema) }), '`{workshops, memberships}`: the workshops I work in (own or staff), any status, and my role in each'), ...errors(authErrors) } }),
    async (c) => c.json(await s.catalog.mine(me(c)), 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/workshops', tags, middleware: vendorOnly, request: { body: jsonBody(createWorkshopSchema) }, responses: { 201: ok(workshopBody, '`{workshop}` in status pending'), ...errors(authErrors) } }),
    async (c) => c.json({ workshop: await s.catalog.create(me(c), c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/places/zones', tags, middleware: ownerOrAdmin, request: { query: placeZonesQuerySchema }, responses: { 200: ok(z.strictObject({ zones: z.array(z.string()) }), '`{zones}`: the IANA zones the place can be in (from the map point, else the city name; empty when unknown)'), ...errors(authErrors) } }),
    async (c) => {
      const { city, lat, lng } = c.req.valid('query');
      return c.json({ zones: s.placeZones({ city, lat: lat ?? null, lng: lng ?? null }) ?? [] }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'get', path: '/workshops/{id}/verification', tags, middleware: ownerOrAdmin, request: { params: idParam }, responses: { 200: ok(verificationBody, 'The verification checklist and the last decision: `{verification}` (the owner and admins)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json({ verification: await s.catalog.verification(me(c), c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/workshops/{id}/review-request', tags, middleware: vendorOnly, request: { params: idParam }, responses: { 200: ok(verificationBody, 'Asked for review again after a return: `{verification}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'CONFLICT (not returned to you)' }) } }),
    async (c) => c.json({ verification: await s.catalog.requestReview(me(c), c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({ method: 'patch', path: '/workshops/{id}', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(updateWorkshopSchema) }, responses: { 200: ok(workshopBody, '`{workshop}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 422: 'SCHEDULE_TOO_LARGE' }) } }),
    async (c) => c.json({ workshop: await s.catalog.update(me(c), c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  r.openapi(
    createRoute({ method: 'put', path: '/workshops/{id}/hours', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(openingHoursSchema) }, responses: { 200: ok(z.strictObject({ hours: z.array(openingHoursViewSchema) }), '`{hours}`; future free slots regenerated'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 422: 'SCHEDULE_TOO_LARGE' }) } }),
    async (c) => c.json({ hours: await s.catalog.setHours(me(c), c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/workshops/{id}/closures', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(closeDaySchema) },
      responses: {
        201: ok(closedBody, '`{closure, resolved, stillOnDay}`: the day is closed after each booking on it was moved or cancelled as `resolutions` said (`stillOnDay`: a booking confirmed from an earlier hold in the very instant of closing, kept on its withdrawn slot)'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'CONFLICT (already closed that day) or DAY_HAS_BOOKINGS (bookings on the day without a resolution, or resolutions that failed: `details.bookings`, `details.resolved`, `details.failures`; the day stays open)' }),
      },
    }),
    async (c) => c.json(await s.disruption.closeDay(me(c), c.req.valid('param').id, c.req.valid('json')), 201),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/workshops/{id}/closures/{closureId}', tags, middleware: vendorOnly, request: { params: closureParam }, responses: { 204: noContent('removed'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 422: 'SCHEDULE_TOO_LARGE' }) } }),
    async (c) => {
      const p = c.req.valid('param');
      await s.catalog.removeClosure(me(c), p.id, p.closureId);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({ method: 'post', path: '/workshops/{id}/services', tags, middleware: vendorOnly, request: { params: idParam, body: jsonBody(createServiceSchema) }, responses: { 201: ok(serviceBody, '`{service}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json({ service: await s.catalog.createService(me(c), c.req.valid('param').id, c.req.valid('json')) }, 201),
  );
  r.openapi(
    createRoute({ method: 'patch', path: '/workshops/{id}/services/{serviceId}', tags, middleware: vendorOnly, request: { params: serviceParam, body: jsonBody(updateServiceSchema) }, responses: { 200: ok(serviceBody, '`{service}`'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json({ service: await s.catalog.updateService(me(c), p.id, p.serviceId, c.req.valid('json')) }, 200);
    },
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/workshops/{id}/services/{serviceId}', tags, middleware: vendorOnly, request: { params: serviceParam }, responses: { 204: noContent('retired (kept for past bookings)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      const p = c.req.valid('param');
      await s.catalog.retireService(me(c), p.id, p.serviceId);
      return c.body(null, 204);
    },
  );
  return r;
}
