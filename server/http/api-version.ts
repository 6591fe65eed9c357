/*
 * API versioning. Routes are mounted once, at `/api`; `/api/v1/…` is the versioned address
 * clients use and /openapi.json documents, and `/api/…` without a version stays an alias of v1
 * for the clients that predate it. Within v1 changes are additive only; a breaking change is
 * served as `/api/v2/…` beside v1, which is kept for a deprecation window.
 */

export const API_VERSION_PREFIX = '/api/v1';

/** The routing path of a request: `/api/v1/x` is routed as `/api/x` (so logs, metrics and CSRF see one path). */
export function unversionedPath(path: string): string {
  if (path === API_VERSION_PREFIX) return '/api';
  return path.startsWith(`${API_VERSION_PREFIX}/`) ? `/api${path.slice(API_VERSION_PREFIX.length)}` : path;
}

/** Rewrites the document's `/api/…` paths to their versioned form. */
export function versionedDocument<D extends { paths?: Record<string, unknown> }>(doc: D): D {
  const paths = Object.fromEntries(
    Object.entries(doc.paths ?? {}).map(([p, item]) => [p.startsWith('/api/') ? `${API_VERSION_PREFIX}${p.slice(4)}` : p, item]),
  );
  return { ...doc, paths };
}
