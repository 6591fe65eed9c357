import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './openapi';

/*
 * The one typed HTTP client, derived from the contract: `openapi.d.ts` is generated from the
 * server's declared route schemas (`npm run contract:gen`), so a path, a parameter, a body or a
 * response that drifts from the server fails the type check. The browser client, the test
 * harness and the load runner all call the API through it.
 */

/** Every operation of the API, by versioned path (`/api/v1/…`). */
export type ApiPaths = paths;

/** A typed client: `client.GET('/api/v1/workshops/{id}', { params: { path: { id } } })`. */
export type HoldfastClient = Client<paths>;

/** A JSON success body of an operation, e.g. `Body<'/api/v1/holds', 'post', 201>`. */
export type Body<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch' | 'delete', S extends number = 200> =
  paths[P][M] extends { responses: Record<S, { content: { 'application/json': infer B } }> } ? B : never;

/** A client for `baseUrl` (empty in the browser: same origin); `fetch` may be replaced (the load runner's pools). */
export function createApiClient(options: ClientOptions = {}): HoldfastClient {
  return createClient<paths>(options);
}

/** Drops empty query values (`''`, null, undefined) so an empty search field is no filter. */
export function compactQuery<Q extends Record<string, unknown>>(q: Q): { [K in keyof Q]?: Exclude<Q[K], null | ''> } {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== '')) as never;
}
