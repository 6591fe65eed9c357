import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { SlotsChangedEvent } from '../../../shared/availability';
import type { Ack } from '../../../shared/realtime/events';
import { constantArrivals } from '../arrivals';
import { cpuSnapshot, cpuSpent } from '../cpu';
import { auditCapacity } from '../db-check';
import { createWorkshops, registerCustomers, type Account, type Slot } from '../../../server/test/fixtures/bench';
import { progress } from '../log';
import { newCounts, round2, Samples } from '../stats';
import type { ScenarioContext, ScenarioResult } from '../context';

interface Shopper extends Account {
  socket?: Socket;
  /** Slots this shopper held and has not heard about yet → when the hold was sent. */
  waiting: Map<string, number>;
}

/**
 * A realistic journey at a constant arrival rate: browse availability → watch the workshop over
 * Socket.IO → hold a free slot → confirm → unwatch. Measures each step and hold → own-screen delivery.
 */
export async function flowScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { http, opts } = ctx;
  const rate = opts.rate ?? 20;
  const workshops = await createWorkshops(http, ctx.admin, opts.workshops, { bays: 10 });
  // A journey takes several round trips; enough customers that arrivals are not dropped for want of one.
  const poolSize = opts.customers ?? Math.max(10, Math.ceil(rate * 1.5));
  const shoppers: Shopper[] = (await registerCustomers(http, poolSize)).map((a) => ({ ...a, waiting: new Map<string, number>() }));
  const free: Shopper[] = [...shoppers];

  let eventsExpected = 0;
  let eventsReceived = 0;
  const deliveryMs = new Samples();
  if (ctx.realtime) {
    await Promise.all(
      shoppers.map(
        (s, i) =>
          new Promise<void>((resolve) => {
            s.socket = io(http.urls[i % http.urls.length]!, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: s.token } });
            s.socket.on('slots:changed', (e: SlotsChangedEvent) => {
              for (const c of e.changes) {
                if (c.cause !== 'held') continue;
                for (const x of c.slots) {
                  const sentAt = s.waiting.get(x.id);
                  if (sentAt === undefined) continue;
                  s.waiting.delete(x.id);
                  eventsReceived++;
                  deliveryMs.add(performance.now() - sentAt);
                }
              }
            });
            s.socket.once('connect', () => resolve());
            s.socket.once('connect_error', () => resolve());
          }),
      ),
    );
    progress(`${shoppers.filter((s) => s.socket?.connected).length}/${shoppers.length} shoppers connected over WebSocket`);
  }

  const browse = newCounts();
  const holds = newCounts();
  const confirms = newCounts();
  const browseMs = new Samples();
  const watchMs = new Samples();
  const holdMs = new Samples();
  const confirmMs = new Samples();
  let noShopper = 0;
  let noFreeSlot = 0;
  let watchFailed = 0;
  const unexpected: string[] = [];
  const note = (s: string) => unexpected.length < 8 && unexpected.push(s);
  const soon = Date.now() + 2 * 3_600_000;

  progress(`flow: ${rate} journeys/s for ${opts.durationSec} s over ${workshops.length} workshops, ${poolSize} customers`);
  const cpuBefore = cpuSnapshot(ctx.target.pids);
  const arrivals = await constantArrivals(rate, opts.durationSec, poolSize, async (i) => {
    const shopper = free.pop();
    if (!shopper) {
      noShopper++;
      return;
    }
    try {
      const w = workshops[i % workshops.length]!;
      browse.attempted++;
      const a = await http.get(`/api/workshops/${w.id}/availability`);
      browseMs.add(a.ms);
      if (a.status !== 200) {
        browse.errors++;
        note(`browse ${a.status}`);
        return;
      }
      browse.succeeded++;
      const watching = !!shopper.socket?.connected;
      if (watching) {
        const t0 = performance.now();
        try {
          const r = (await shopper.socket!.timeout(5000).emitWithAck('workshop:watch', { workshopId: w.id })) as Ack<unknown>;
          watchMs.add(performance.now() - t0);
          if (!r.ok) watchFailed++;
        } catch {
          watchFailed++;
        }
      }
      const candidates = (a.body.slots as Slot[]).filter((s) => s.free > 0 && Date.parse(s.startsAt) > soon);
      for (let attempt = 0; attempt < 2; attempt++) {
        const slot = candidates[Math.floor(Math.random() * candidates.length)];
        if (!slot) {
          noFreeSlot++;
          return;
        }
        holds.attempted++;
        if (watching) shopper.waiting.set(slot.id, performance.now());
        const h = await http.post('/api/holds', { workshopId: w.id, serviceId: w.serviceId, slotId: slot.id }, shopper.token);
        holdMs.add(h.ms);
        if (h.status === 409) {
          holds.conflicts++;
          shopper.waiting.delete(slot.id);
          continue;
        }
        if (h.status !== 201) {
          holds.errors++;
          note(`hold ${h.status} ${JSON.stringify(h.body).slice(0, 100)}`);
          shopper.waiting.delete(slot.id);
          return;
        }
        holds.succeeded++;
        if (watching) eventsExpected++;
        confirms.attempted++;
        const c = await http.post('/api/bookings', { holdId: h.body.hold.id }, shopper.token, { 'Idempotency-Key': `flow-${i}` });
        confirmMs.add(c.ms);
        if (c.status === 201) confirms.succeeded++;
        else if (c.status === 409) confirms.conflicts++;
        else {
          confirms.errors++;
          note(`confirm ${c.status} ${JSON.stringify(c.body).slice(0, 100)}`);
        }
        break;
      }
      if (watching) shopper.socket!.emit('workshop:unwatch', { workshopId: w.id });
    } finally {
      free.push(shopper);
    }
  });
  const cpuPerHold = cpuSpent(cpuBefore, cpuSnapshot(ctx.target.pids), holds.attempted);
  // Late events still count: wait for them (bounded), then stop listening.
  const deadline = Date.now() + 15_000;
  while (eventsReceived < eventsExpected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const s of shoppers) s.socket?.disconnect();

  const audit = ctx.target.databaseUrl ? await auditCapacity(ctx.target.databaseUrl, workshops.map((w) => w.id)) : null;
  const elapsedSec = arrivals.elapsedMs / 1000;
  const correct = (audit?.doubleBookings ?? 0) === 0 && holds.errors === 0 && confirms.errors === 0 && confirms.succeeded === holds.succeeded && eventsReceived === eventsExpected;
  return {
    scenario: 'flow',
    correct,
    targetRate: rate,
    durationSec: opts.durationSec,
    workshops: workshops.length,
    customers: poolSize,
    realtime: ctx.realtime,
    arrivals: { ...arrivals, noShopper, noFreeSlot },
    counts: holds,
    confirmCounts: confirms,
    browseCounts: browse,
    throughput: {
      journeysPerSec: round2(arrivals.started / elapsedSec),
      holdsPerSec: round2(holds.attempted / elapsedSec),
      confirmsPerSec: round2(confirms.succeeded / elapsedSec),
    },
    latencyMs: { browse: browseMs.summary(), watchAck: watchMs.summary(), hold: holdMs.summary(), confirm: confirmMs.summary(), holdToWatcher: deliveryMs.summary() },
    cpuMsPerHold: cpuPerHold,
    events: { expected: eventsExpected, received: eventsReceived, watchFailed },
    doubleBookings: audit?.doubleBookings ?? null,
    audit,
    unexpected,
  };
}
