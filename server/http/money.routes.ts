import { createRoute } from '@hono/zod-openapi';
import { commissionOverridesInputSchema, moneyPolicyInputSchema, moneyPolicyViewSchema, paymentTermsViewSchema, type PaymentTermsView } from '@shared/schemas/money-policy';
import { reconciliationReportSchema } from '@shared/schemas/reconciliation';
import { z } from 'zod';
import type { Services } from '../services';
import { requireAuth } from './auth.middleware';
import { idParam, jsonBody } from './params';
import { authErrors, errors, ok } from './responses';
import { createRouter } from './router';

const policyBody = z.strictObject({ policy: moneyPolicyViewSchema });

/** A workshop's money policy: its owner reads and sets it, admins read it and set commission; admins reconcile. */
export function moneyRoutes(s: Services) {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/money-policy', tags: ['vendor', 'admin'], middleware: requireAuth('vendor', 'admin'),
      request: { params: idParam },
      responses: { 200: ok(policyBody, '`{policy}`: payment mode, fees and the commission that applies (the owner or an admin)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ policy: await s.money.policy(c.get('principal')!, c.req.valid('param').id) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'put', path: '/workshops/{id}/money-policy', tags: ['vendor'], middleware: requireAuth('vendor'),
      request: { params: idParam, body: jsonBody(moneyPolicyInputSchema) },
      responses: { 200: ok(policyBody, '`{policy}` as saved (only the workshop owner)'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ policy: await s.money.setPolicy(c.get('principal')!, c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'put', path: '/admin/workshops/{id}/commission', tags: ['admin'], middleware: requireAuth('admin'),
      request: { params: idParam, body: jsonBody(commissionOverridesInputSchema) },
      responses: { 200: ok(policyBody, '`{policy}` with the new commission overrides'), ...errors({ ...authErrors, 404: 'NOT_FOUND' }) },
    }),
    async (c) => c.json({ policy: await s.money.setCommission(c.req.valid('param').id, c.req.valid('json')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/workshops/{id}/payment-terms', tags: ['catalog'],
      request: { params: idParam },
      responses: { 200: ok(z.strictObject({ terms: paymentTermsViewSchema }), '`{terms}`: how this workshop is paid and its cancellation terms (public)'), ...errors({ 404: 'NOT_FOUND' }) },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await s.catalog.visible(id, c.get('principal') ?? null);
      const { policy } = await s.money.termsFor(id);
      const provider: PaymentTermsView['provider'] = policy.paymentMode === 'at_workshop' ? 'none' : s.payments.provider.name;
      return c.json({ terms: { ...policy, provider } }, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get', path: '/admin/reconciliation', tags: ['admin', 'money'], middleware: requireAuth('admin'),
      responses: { 200: ok(z.strictObject({ report: reconciliationReportSchema }), '`{report}`: a reconciliation run now — where the ledger, booking payments and the provider disagree on what was captured or refunded'), ...errors(authErrors) },
    }),
    async (c) => c.json({ report: await s.reconciliation.run() }, 200),
  );
  return r;
}
