import type { Logger } from 'pino';
import type { Principal } from '../auth/tokens';

/** Variables every request carries through the middleware chain. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal | null;
    /** The open session behind `principal` (what logout ends). */
    sid: string | null;
    /** How the request presented a token, valid or not: the CSRF check depends on it. */
    authVia: 'bearer' | 'cookie' | null;
    /** The route that answered and the responses it declares (set by createRouter's handlers). */
    declared?: { route: string; responses: import('@hono/zod-openapi').RouteConfig['responses'] };
  };
}

/** The same, once `requireAuth` has run. */
export interface AuthedEnv {
  Variables: AppEnv['Variables'] & { principal: Principal; sid: string };
}
