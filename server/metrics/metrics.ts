import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/*
 * Prometheus metrics of one server instance. Every instance gets its own Registry: tests
 * start several servers in one process, and the global default registry would make them
 * collide on metric names (or mix their numbers).
 */

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How an attempt to hold or book ended, from its HTTP status (the error code is in the body). */
export function resultOf(status: number): string {
  if (status === 201) return 'ok';
  if (status === 200) return 'replayed';
  if (status === 409) return 'conflict';
  if (status === 429) return 'limited';
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'error';
  return 'invalid';
}

/** Creates the registry and the metrics a Holdfast process exports at GET /metrics. */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  const registers = [registry];
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  let socketCount: () => number = () => 0;
  new Gauge({
    name: 'holdfast_sockets_connected',
    help: 'Socket.IO connections open on this process',
    registers,
    collect() {
      this.set(socketCount());
    },
  });
  let ledgerImbalance: () => Promise<Array<{ currency: string; sum: number }>> = async () => [];
  new Gauge({
    name: 'holdfast_ledger_imbalance_minor',
    help: 'Sum of every ledger entry per currency, in minor units: 0 while every transaction balances (the database refuses one that does not)',
    labelNames: ['currency'],
    registers,
    async collect() {
      this.reset();
      for (const { currency, sum } of await ledgerImbalance()) this.set({ currency }, sum);
    },
  });
  const reconciliationDifferences = new Gauge({ name: 'holdfast_reconciliation_differences', help: 'Disagreements between the ledger, booking payments and the provider found by the last reconciliation run (0 = all agree)', registers });
  const emitted = new Counter({ name: 'holdfast_socket_events_emitted_total', help: 'Socket.IO events emitted (one per broadcast, not per recipient), by event', labelNames: ['event'], registers });
  const holds = new Counter({ name: 'holdfast_hold_requests_total', help: 'POST /api/holds by result', labelNames: ['result'], registers });
  const bookings = new Counter({ name: 'holdfast_booking_requests_total', help: 'POST /api/bookings by result', labelNames: ['result'], registers });
  const slotChanges = new Counter({ name: 'holdfast_slot_changes_total', help: 'Availability changes published, by cause', labelNames: ['cause'], registers });
  const bookingEvents = new Counter({ name: 'holdfast_booking_events_total', help: 'Booking lifecycle events published, by type', labelNames: ['type'], registers });
  const http = new Histogram({ name: 'holdfast_http_request_duration_seconds', help: 'HTTP request latency by route pattern', labelNames: ['route', 'method', 'status'], buckets: SECONDS, registers });
  const sweeperLag = new Histogram({ name: 'holdfast_hold_sweeper_lag_seconds', help: 'Time from a hold expiring to the sweeper releasing it', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers });
  const broadcastDelay = new Histogram({ name: 'holdfast_change_broadcast_delay_seconds', help: 'Time from a change reaching the publisher to its emit returning', buckets: SECONDS, registers });

  return {
    registry,
    /** The socket gauge reads this at scrape time (the realtime server sets it). */
    countSocketsWith(fn: () => number) {
      socketCount = fn;
    },
    /** The last reconciliation run's count of differences. */
    reconciliationDifferences: (n: number) => reconciliationDifferences.set(n),
    /** The ledger gauge sums the journal per currency at scrape time (the runtime plugs the ledger in). */
    ledgerImbalanceWith(fn: () => Promise<Array<{ currency: string; sum: number }>>) {
      ledgerImbalance = fn;
    },
    /** requestLog's observe callback: route is the matched pattern (e.g. `/api/*` when nothing matched), never the raw path. */
    observeHttp(route: string, method: string, status: number, ms: number) {
      const pattern = route || 'unmatched';
      http.observe({ route: pattern, method, status: String(status) }, ms / 1000);
      if (method !== 'POST') return;
      if (pattern === '/api/holds') holds.inc({ result: resultOf(status) });
      else if (pattern === '/api/bookings') bookings.inc({ result: resultOf(status) });
    },
    emitted: (event: string) => emitted.inc({ event }),
    slotChange: (cause: string, delayMs: number) => {
      slotChanges.inc({ cause });
      broadcastDelay.observe(delayMs / 1000);
    },
    bookingEvent: (type: string) => bookingEvents.inc({ type }),
    sweeperLag: (ms: number) => sweeperLag.observe(Math.max(0, ms) / 1000),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
