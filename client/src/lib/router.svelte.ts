/*
 * Hash routing (#/workshops/:id, #/bookings …): no router package, no server config,
 * and a reload lands on the same screen.
 */

function current(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = raw.split('?');
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(search) };
}

class Router {
  path = $state(current().path);
  query = $state.raw(current().query);

  constructor() {
    window.addEventListener('hashchange', () => {
      const c = current();
      this.path = c.path;
      this.query = c.query;
    });
  }

  /** Params of `pattern` (e.g. `/workshops/:id`) if the current path matches it. */
  match(pattern: string): Record<string, string> | null {
    return matchPath(pattern, this.path);
  }
}

/** Matches `/a/:b` against a path; returns the named segments or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(s[i]!);
    else if (seg !== s[i]) return null;
  }
  return params;
}

export const router = new Router();

/** Goes to a hash route, e.g. navigate('/bookings'). */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const hash = `#${to}`;
  if (opts.replace) history.replaceState(null, '', hash);
  else if (location.hash !== hash) location.hash = hash;
  // replaceState does not fire hashchange
  if (opts.replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** An href for a route, for plain links (keyboard and middle-click work as usual). */
export const href = (to: string) => `#${to}`;
