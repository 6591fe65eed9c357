import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { createApiClient, type HoldfastClient } from '@shared/api/client';

export interface Reply<T = any> {
  status: number;
  body: T;
  /** Wall time from sending to the whole body read, in ms. */
  ms: number;
}

/** Keep-alive HTTP/1.1 client over undici pools, one pool per server process, round-robin. */
export class Http {
  private pools: Pool[];
  private next = 0;

  constructor(readonly urls: string[], connectionsPerServer = 128) {
    this.pools = urls.map((u) => new Pool(u, { connections: connectionsPerServer, pipelining: 1, keepAliveTimeout: 30_000 }));
  }

  /** Index of the server process the next request goes to (for spreading work). */
  pick(): number {
    const i = this.next;
    this.next = (this.next + 1) % this.pools.length;
    return i;
  }

  async call<T = any>(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string>; server?: number } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(opts.body);
    }
    const pool = this.pools[opts.server ?? this.pick()]!;
    const t0 = performance.now();
    const res = await pool.request({ method: method as 'GET', path, headers, body: payload });
    const text = await res.body.text();
    const ms = performance.now() - t0;
    let body: any = text;
    if (text && (res.headers['content-type'] ?? '').toString().includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        /* keep text */
      }
    }
    return { status: res.statusCode, body, ms };
  }

  /**
   * The typed client generated from the API contract, sending through these keep-alive pools
   * (round-robin, or pinned to `server`) as the holder of `token` when given.
   */
  typed(token?: string, server?: number): HoldfastClient {
    const fetch = async (req: Request): Promise<Response> => {
      const url = new URL(req.url);
      const pool = this.pools[server ?? this.pick()]!;
      const body = req.body ? await req.text() : undefined;
      const sent: Record<string, string> = {};
      req.headers.forEach((v, k) => (sent[k] = v));
      const res = await pool.request({ method: req.method as 'GET', path: url.pathname + url.search, headers: sent, body });
      const text = await res.body.text();
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      return new Response(res.statusCode === 204 || res.statusCode === 304 ? null : text, { status: res.statusCode, headers });
    };
    return createApiClient({ baseUrl: this.urls[0], fetch, headers: token ? { authorization: `Bearer ${token}` } : undefined });
  }

  get<T = any>(path: string, token?: string, server?: number) {
    return this.call<T>('GET', path, { token, server });
  }
  post<T = any>(path: string, body?: unknown, token?: string, headers?: Record<string, string>, server?: number) {
    return this.call<T>('POST', path, { body, token, headers, server });
  }
  put<T = any>(path: string, body?: unknown, token?: string) {
    return this.call<T>('PUT', path, { body, token });
  }
  del<T = any>(path: string, token?: string) {
    return this.call<T>('DELETE', path, { token });
  }

  async close() {
    await Promise.all(this.pools.map((p) => p.close()));
  }
}

/** Throws with the response in the message unless the status is one of `ok`. */
export function expectStatus(r: Reply, ok: number | number[], what: string): void {
  const list = Array.isArray(ok) ? ok : [ok];
  if (!list.includes(r.status)) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
}

/** The success body of a typed call; throws with the answer in the message unless the status is `ok`. */
export function expectOk<D>(r: { data?: D; error?: unknown; response: Response }, ok: number, what: string): D {
  if (r.response.status !== ok) throw new Error(`${what}: HTTP ${r.response.status} ${JSON.stringify(r.error ?? r.data).slice(0, 300)}`);
  return r.data as D;
}

/** Runs `fn` over items with at most `limit` in flight. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]!, k);
    }
  });
  await Promise.all(workers);
  return out;
}
