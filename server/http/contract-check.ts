import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { apiErrorBodySchema } from '@shared/errors';
import type { AppEnv } from './context';

type Schema = z.ZodType;

/** Why an answer breaks the contract, or null when it keeps it. */
async function violation(c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<{ problem: string; issues?: string; body?: string } | null> {
  const res = c.res;
  const status = res.status;
  const text = await res.clone().text();
  const parse = (schema: Schema, what: string) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { problem: `${what} is not JSON`, body: text.slice(0, 500) };
    }
    const r = schema.safeParse(json);
    return r.success ? null : { problem: `${what} does not match its schema`, issues: z.prettifyError(r.error), body: text.slice(0, 2000) };
  };
  const declared = c.get('declared');
  // Before a handler ran (no route, auth, CSRF, rate limit, body limit) only the error shape is checked.
  if (!declared) return status >= 400 ? parse(apiErrorBodySchema, `the ${status} error body`) : null;
  const spec = (declared.responses as Record<string, { content?: Record<string, { schema?: unknown }> } | undefined>)[String(status)];
  if (!spec) return { problem: `status ${status} is not declared by ${declared.route}` };
  if (status >= 400) return parse(apiErrorBodySchema, `the ${status} error body`);
  // A file answer (a calendar, a CSV statement): the media type it declares, and a body.
  const media = Object.keys(spec.content ?? {});
  if (media.length && !media.includes('application/json')) {
    const type = res.headers.get('content-type')?.split(';')[0]?.trim() ?? '(none)';
    if (!media.includes(type)) return { problem: `${declared.route} sent ${type} where it declares ${media.join(', ')}` };
    return text ? null : { problem: `${declared.route} sent an empty ${type} body` };
  }
  const schema = spec.content?.['application/json']?.schema as Schema | undefined;
  if (!schema) return text ? { problem: `${declared.route} declares no body for ${status} but sent one`, body: text.slice(0, 500) } : null;
  return parse(schema, `the ${status} body of ${declared.route}`);
}

/**
 * Test-only (NODE_ENV=test): every `/api` answer must match what its route declares in
 * `createRoute({ responses })`: a status the route declares (errors its handler raised
 * included), with the declared schema for a success and the `{error}` shape for a failure. A mismatch is replaced by a loud 500 CONTRACT_VIOLATION (and logged with the zod
 * diff), so every integration test is also a test of the published contract.
 */
export function contractCheck(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const v = await violation(c);
    if (!v) return;
    const route = c.get('declared')?.route ?? `${c.req.method} ${c.req.path}`;
    c.get('log')?.error({ route, status: c.res.status, ...v }, 'response breaks the declared contract');
    const message = `${route} answered ${c.res.status}: ${v.problem}${v.issues ? `\n${v.issues}` : ''}`;
    c.res = new Response(JSON.stringify({ error: { code: 'CONTRACT_VIOLATION', message, details: { status: c.res.status, body: v.body } } }), {
      status: 500,
      headers: { 'content-type': 'application/json' },
    });
  };
}
