/*
 * Where a browser request comes from, judged from its headers. Used by the HTTP CSRF check and
 * by the socket handshake, so both trust the same things: the Host header names our origin,
 * X-Forwarded-Host/Proto only when TRUST_PROXY says a proxy we run sets them (a client could
 * send them itself otherwise).
 */

export type Provenance = 'same' | 'cross' | 'unknown';

type Header = (name: string) => string | undefined;

const first = (v: string | undefined) => v?.split(',')[0]?.trim() || undefined;

/** 'same' / 'cross' from Origin (or Sec-Fetch-Site when there is no Origin); 'unknown' when a client sends neither. */
export function provenance(header: Header, trustProxy: boolean): Provenance {
  const origin = header('origin');
  if (origin) {
    const host = (trustProxy && first(header('x-forwarded-host'))) || header('host');
    const proto = trustProxy ? first(header('x-forwarded-proto')) : undefined;
    try {
      const o = new URL(origin);
      if (!host || o.host !== host.toLowerCase()) return 'cross';
      return !proto || o.protocol === `${proto.toLowerCase()}:` ? 'same' : 'cross';
    } catch {
      return 'cross'; // includes `Origin: null` (sandboxed frames, some redirects)
    }
  }
  const site = header('sec-fetch-site');
  if (site === 'same-origin') return 'same';
  if (site === 'cross-site' || site === 'same-site') return 'cross';
  return 'unknown';
}
