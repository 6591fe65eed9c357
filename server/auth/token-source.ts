/*
 * Where a request's session token comes from, the same for HTTP and sockets: an explicit
 * credential (`Authorization: Bearer …` on HTTP, `auth: {token}` in a socket handshake) or the
 * HttpOnly cookie a browser sends by itself.
 */

/** The HttpOnly cookie that carries a browser's session token. */
export const AUTH_COOKIE = 'hf_token';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  return header?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
}

/** The session cookie's value in a `Cookie` header (the first one of that name), or null. */
export function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === AUTH_COOKIE) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim()) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}
