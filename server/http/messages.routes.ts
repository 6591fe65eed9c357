import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { messageViewSchema, postMessageSchema, threadViewSchema, unreadSummarySchema } from '@shared/schemas/message';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, noContent, ok } from './responses';

const tags = ['messages'];

/** A booking's message thread between its customer and its workshop (admins read it). */
export function messageRoutes(s: Services, postLimit: MiddlewareHandler<AppEnv>) {
  const r = createRouter();
  const signedIn = requireAuth();

  r.openapi(
    createRoute({ method: 'get', path: '/bookings/{id}/messages', tags, middleware: signedIn, request: { params: idParam }, responses: { 200: ok(threadViewSchema, '`{messages, unread}`: the thread, oldest first, and how many the caller has not read'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => c.json(await s.messages.thread(c.get('principal')!, c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/bookings/{id}/messages', tags, middleware: [signedIn, postLimit] as const, request: { params: idParam, body: jsonBody(postMessageSchema) }, responses: { 201: ok(z.strictObject({ message: messageViewSchema }), '`{message}`, also pushed as `booking:message` to both sides'), ...errors({ ...authErrors, 404: 'NOT_FOUND', 429: 'RATE_LIMITED' }) } }),
    async (c) => c.json({ message: await s.messages.post(c.get('principal')!, c.req.valid('param').id, c.req.valid('json').body) }, 201),
  );
  r.openapi(
    createRoute({ method: 'post', path: '/bookings/{id}/messages/read', tags, middleware: signedIn, request: { params: idParam }, responses: { 204: noContent('The thread is read up to now for the caller'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) } }),
    async (c) => {
      await s.messages.markRead(c.get('principal')!, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  r.openapi(
    createRoute({ method: 'get', path: '/messages/unread', tags, middleware: signedIn, responses: { 200: ok(unreadSummarySchema, '`{total, byBooking}`: unread messages from the other side of my bookings'), ...errors(authErrors) } }),
    async (c) => c.json(await s.messages.unread(c.get('principal')!), 200),
  );
  return r;
}
