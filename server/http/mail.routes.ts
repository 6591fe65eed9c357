import { createRoute } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { mailPreferencesPatchSchema, mailPreferencesSchema, unsubscribeQuerySchema } from '@shared/schemas/mail';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import type { AppEnv } from './context';
import { requireAuth } from './auth.middleware';
import { jsonBody } from './params';
import { createRouter } from './router';
import { authErrors, errors, ok } from './responses';

const tags = ['mail'];

/** A signed-in user's switches for non-essential mail (reminders, review requests). */
export function mailPreferenceRoutes(s: Services) {
  const r = createRouter();
  const signedIn = requireAuth();
  r.openapi(
    createRoute({ method: 'get', path: '/me/mail-preferences', tags, middleware: signedIn, responses: { 200: ok(mailPreferencesSchema, '`{reminders, reviews}`: whether that non-essential mail is on (mail about a change to a booking is always sent)'), ...errors(authErrors) } }),
    async (c) => c.json(await s.mailPreferences.mine(c.get('principal')!), 200),
  );
  r.openapi(
    createRoute({ method: 'put', path: '/me/mail-preferences', tags, middleware: signedIn, request: { body: jsonBody(mailPreferencesPatchSchema) }, responses: { 200: ok(mailPreferencesSchema, 'The preferences after the change'), ...errors(authErrors) } }),
    async (c) => c.json(await s.mailPreferences.update(c.get('principal')!, c.req.valid('json')), 200),
  );
  return r;
}

const CATEGORY_TEXT = { reminders: 'reminders before your bookings', reviews: 'requests to review a visit' } as const;

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Holdfast</title></head>
<body style="font-family:system-ui,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;line-height:1.5">
<main><h1 style="font-size:1.4rem">${title}</h1>${body}</main></body></html>`;

/**
 * The link in non-essential mail, outside /api (a page, no sign-in: the signed token is the
 * authority). GET shows a button (so link scanners unsubscribe no one); POST does it, both from
 * that button and as RFC 8058 one-click (List-Unsubscribe-Post) from a mail client.
 */
export function unsubscribeRoutes(s: Services) {
  const r = new Hono<AppEnv>();
  const tokenOf = (q: Record<string, string>) => unsubscribeQuerySchema.safeParse(q);
  r.get('/mail/unsubscribe', (c) => {
    const q = tokenOf(c.req.query());
    if (!q.success) return c.html(page('This link is not valid', '<p>Open the link from the message again, or change your mail settings after signing in.</p>'), 400);
    const action = `/mail/unsubscribe?token=${encodeURIComponent(q.data.token)}`;
    return c.html(page('Unsubscribe', `<p>Stop this kind of mail (reminders or review requests) for your account? Mail about changes to your bookings still comes.</p>
<form method="post" action="${action}"><button type="submit">Unsubscribe</button></form>`));
  });
  r.post('/mail/unsubscribe', async (c) => {
    const q = tokenOf(c.req.query());
    if (!q.success) return c.html(page('This link is not valid', '<p>Open the link from the message again.</p>'), 400);
    try {
      const { category } = await s.mailPreferences.unsubscribe(q.data.token);
      return c.html(page('Unsubscribed', `<p>You will no longer get ${CATEGORY_TEXT[category]}. Turn them back on in your account's mail settings.</p>`));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'VALIDATION_FAILED') return c.html(page('This link is not valid', `<p>${err.message}.</p>`), 400);
      throw err;
    }
  });
  return r;
}
