import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

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
