import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import {
  createVehicleSchema,
  decodedVinSchema,
  registrationLookupSchema,
  registrationParamSchema,
  savedVehicleViewSchema,
  updateVehicleSchema,
  vehicleListSchema,
  vinParamSchema,
} from '@shared/schemas/vehicle';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';

const tags = ['vehicles'];

/**
 * A customer's garage (`/me/vehicles`: only its owner sees or edits a vehicle; another's id is
 * 404, other roles 403), VIN decoding (offline) and registration lookup (DVLA). The lookups are
 * limited per signed-in user (`lookupLimit`).
 */
export function vehicleRoutes(s: Services, lookupLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const customer = requireAuth('customer');
  const signedIn = requireAuth();

  r.openapi(
    createRoute({ method: 'get', path: '/me/vehicles', tags, middleware: customer, responses: { 200: ok(vehicleListSchema, '`{vehicles}`: the caller\'s garage, oldest first'), ...errors(authErrors) } }),
    async (c) => c.json({ vehicles: await s.vehicles.list(c.get('principal')!) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/me/vehicles', tags, middleware: customer, request: { body: jsonBody(createVehicleSchema) },
      responses: {
        201: ok(savedVehicleViewSchema, 'The saved vehicle; with a VIN its blank make, model, year, fuel and weight are filled from the decoded VIN (when the data knows it)'),
        ...errors({ ...authErrors, 409: 'CONFLICT (this registration is already in the garage, or the garage is full)', 422: 'VIN_INVALID' }),
      },
    }),
    async (c) => c.json(await s.vehicles.create(c.get('principal')!, c.req.valid('json')), 201),
  );
  r.openapi(
    createRoute({ method: 'get', path: '/me/vehicles/{id}', tags, middleware: customer, request: { params: idParam }, responses: { 200: ok(savedVehicleViewSchema, 'One vehicle of the caller\'s garage'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json(await s.vehicles.get(c.get('principal')!, c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({
      method: 'patch', path: '/me/vehicles/{id}', tags, middleware: customer, request: { params: idParam, body: jsonBody(updateVehicleSchema) },
      responses: { 200: ok(savedVehicleViewSchema, 'The vehicle after the change (bookings already made keep their copy)'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'VIN_INVALID' }) },
    }),
    async (c) => c.json(await s.vehicles.update(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  r.openapi(
    createRoute({ method: 'delete', path: '/me/vehicles/{id}', tags, middleware: customer, request: { params: idParam }, responses: { 204: noContent('Removed (bookings already made keep their copy)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      await s.vehicles.remove(c.get('principal')!, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'get', path: '/vehicles/vin/{vin}', tags, middleware: [signedIn, lookupLimit] as const, request: { params: vinParamSchema },
      responses: {
        200: ok(decodedVinSchema, 'What the offline NHTSA vPIC data says of this VIN'),
        ...errors({
          ...authErrors,
          422: 'VIN_INVALID (length, characters, or a North American or Chinese VIN\'s check digit; `details.reason`) or VIN_UNKNOWN (well formed, not in the data)',
          429: 'RATE_LIMITED',
          503: 'LOOKUP_UNAVAILABLE (the decoder failed) or SERVICE_UNAVAILABLE',
        }),
      },
    }),
    async (c) => c.json(await s.vehicles.decode(c.req.valid('param').vin), 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/vehicles/registration/{registration}', tags, middleware: [signedIn, lookupLimit] as const, request: { params: registrationParamSchema },
      responses: {
        200: ok(registrationLookupSchema, 'What the DVLA holds for this registration'),
        ...errors({
          ...authErrors,
          404: 'REGISTRATION_NOT_FOUND',
          422: 'REGISTRATION_INVALID (the DVLA refused its format)',
          429: 'RATE_LIMITED',
          503: 'LOOKUP_UNAVAILABLE (no DVLA_API_KEY, or the DVLA is down, throttling or too slow; `details.why`, Retry-After when known): enter the details by hand',
        }),
      },
    }),
    async (c) => c.json(await s.vehicles.lookupRegistration(c.req.valid('param').registration), 200),
  );
  return r;
}
