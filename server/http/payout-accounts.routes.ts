import { createRoute } from '@hono/zod-openapi';
import { payoutAccountLinkSchema, payoutAccountViewSchema } from '@shared/schemas/payout-accounts';
import { z } from 'zod';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam } from './params';
import { authErrors, errors, ok } from './responses';
import { createRouter } from './router';

const accountBody = z.strictObject({ account: payoutAccountViewSchema });

/** A workshop's payout account (Connect onboarding in stripe mode): its owner and admins only. */
export function payoutAccountRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/payout-account', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam },
      responses: {
        200: ok(accountBody, '`{account}`: where payouts go and whether they can (stripe mode: an account not enabled yet is re-read from Stripe first)'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND', 503: 'PAYMENT_PROVIDER_UNAVAILABLE' }),
      },
    }),
    async (c) => c.json({ account: await s.payoutAccounts.view(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post', path: '/workshops/{id}/payout-account/link', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam },
      responses: {
        200: ok(payoutAccountLinkSchema, '`{url, expiresAt, account}`: "Set up payouts" — opens the workshop\'s account at the provider if it has none and answers where to send the owner (Stripe\'s hosted onboarding, single-use; simulated mode: straight back to the Money tab, the account already enabled)'),
        ...errors({ ...authErrors, 404: 'NOT_FOUND', 503: 'PAYMENT_PROVIDER_UNAVAILABLE' }),
      },
    }),
    async (c) => c.json(await s.payoutAccounts.link(c.get('principal')!, c.req.valid('param').id), 200),
  );
  return r;
}
