/*
 * The servers' own Prometheus histograms (GET /metrics), read before and after a scenario:
 * server-side request time and emit time, to tell server work from client-side queueing.
 * Buckets give an upper bound ("p95 ≤ 25 ms"), not an exact figure.
 */

type Buckets = Map<string, Map<number, number>>; // series key → le → cumulative count

const LINE = /^(holdfast_http_request_duration_seconds|holdfast_change_broadcast_delay_seconds)_bucket\{([^}]*)\} ([0-9.e+-]+)$/;

function seriesKey(metric: string, labels: string): string | null {
  if (metric === 'holdfast_change_broadcast_delay_seconds') return 'broadcast';
  const route = /route="([^"]*)"/.exec(labels)?.[1];
  const method = /method="([^"]*)"/.exec(labels)?.[1];
  return route && method ? `${method} ${route}` : null;
}

export async function scrapeHistograms(urls: string[]): Promise<Buckets> {
  const out: Buckets = new Map();
  for (const url of urls) {
    let text: string;
    try {
      const r = await fetch(`${url}/metrics`);
      if (!r.ok) continue;
      text = await r.text();
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (!m) continue;
      const key = seriesKey(m[1]!, m[2]!);
      const le = /le="([^"]*)"/.exec(m[2]!)?.[1];
      if (!key || !le) continue;
      const bound = le === '+Inf' ? Infinity : Number(le) * 1000;
      const series = out.get(key) ?? new Map<number, number>();
      series.set(bound, (series.get(bound) ?? 0) + Number(m[3]));
      out.set(key, series);
    }
  }
  return out;
}

export interface ServerSide {
  count: number;
  /** Upper bounds in ms from the histogram buckets. */
  p50AtMostMs: number | null;
  p95AtMostMs: number | null;
  p99AtMostMs: number | null;
}

/** Per-series percentiles (bucket bounds) of what happened between two scrapes. */
export function histogramDelta(before: Buckets, after: Buckets, keys: string[]): Record<string, ServerSide> {
  const res: Record<string, ServerSide> = {};
  for (const key of keys) {
    const a = after.get(key);
    if (!a) continue;
    const b = before.get(key) ?? new Map<number, number>();
    const bounds = [...a.keys()].sort((x, y) => x - y);
    const cum = bounds.map((le) => (a.get(le) ?? 0) - (b.get(le) ?? 0));
    const count = cum[cum.length - 1] ?? 0;
    const at = (p: number) => {
      if (!count) return null;
      const i = cum.findIndex((c) => c >= p * count);
      const le = bounds[i];
      return le === undefined || le === Infinity ? null : le;
    };
    res[key] = { count, p50AtMostMs: at(0.5), p95AtMostMs: at(0.95), p99AtMostMs: at(0.99) };
  }
  return res;
}

export const SERVER_SERIES = ['POST /api/holds', 'POST /api/bookings', 'DELETE /api/holds/:id', 'GET /api/workshops/:id/availability', 'GET /api/workshops', 'broadcast'];
