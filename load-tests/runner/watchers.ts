import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { SlotsChangedEvent } from '../../shared/availability';
import type { Ack } from '../../shared/realtime/events';
import { progress } from './log';
import { sharedFrameParser, sharedFrameText, sio, wsAdapter, type MiniSocket } from './socketio-client';
import { Samples } from './stats';

const timers = { setTimeout, clearTimeout };

/**
 * Many Socket.IO watchers (WebSocket transport only: no sticky sessions needed), spread
 * round-robin over the server processes, each in one workshop's room.
 *
 * Each watcher speaks the protocol with the k6 scripts' own client (load-tests/lib/socketio.js)
 * over `ws`, as a k6 VU does, and the sockets share the decoding: a room's broadcast arrives at
 * every socket as the same bytes, so it is decoded and parsed once, not once per socket. The generator
 * shares the server's two cores, so what it spends per frame is taken from the server's share:
 * with socket.io-client every socket decoded every frame again.
 */
export class WatcherPool {
  readonly sockets: MiniSocket[] = [];
  private handlers: ((e: SlotsChangedEvent, at: number, watcher: number) => void)[] = [];
  private parse = sharedFrameParser();
  private textOf = sharedFrameText();
  connectErrors = 0;

  constructor(private urls: string[], private token?: string) {}

  onSlotsChanged(handler: (e: SlotsChangedEvent, at: number, watcher: number) => void) {
    this.handlers.push(handler);
  }

  /** Connects n more sockets, `batch` at a time; resolves when all are connected or failed. */
  async connect(n: number, opts: { batch?: number; timeoutMs?: number } = {}): Promise<void> {
    const batch = opts.batch ?? 250;
    const start = this.sockets.length;
    const t0 = Date.now();
    for (let i = 0; i < n; i += batch) {
      const group: Promise<void>[] = [];
      for (let k = i; k < Math.min(n, i + batch); k++) {
        const index = start + k;
        const base = this.urls[index % this.urls.length]!.replace(/^http/, 'ws').replace(/\/$/, '');
        const ws = new WebSocket(`${base}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
        const socket = sio.socketIo(wsAdapter(ws, this.textOf), {
          timers,
          auth: this.token ? { token: this.token } : undefined,
          now: () => performance.now(),
          parse: this.parse,
        });
        socket.on('slots:changed', (e: SlotsChangedEvent, at: number) => {
          for (const h of this.handlers) h(e, at, index);
        });
        this.sockets.push(socket);
        group.push(
          socket.ready(opts.timeoutMs ?? 20_000).then(
            () => undefined,
            () => {
              this.connectErrors++;
              ws.terminate();
            },
          ),
        );
      }
      await Promise.all(group);
      if (n > batch) progress(`watchers connected ${Math.min(n, i + batch)}/${n}`);
    }
    if (n > batch) progress(`${n} watchers connected in ${Date.now() - t0} ms (${this.connectErrors} failed)`);
  }

  /** Every socket emits `workshop:watch` (ack with a snapshot); returns how many acks were ok. */
  async watch(workshopId: string, window?: { from: string; to: string }, opts: { batch?: number; from?: number; to?: number } = {}): Promise<{ ok: number; failed: number; ackMs: Samples }> {
    const ackMs = new Samples();
    let ok = 0;
    let failed = 0;
    const batch = opts.batch ?? 500;
    const list = this.sockets.slice(opts.from ?? 0, opts.to ?? this.sockets.length).filter((s) => s.connected);
    for (let i = 0; i < list.length; i += batch) {
      await Promise.all(
        list.slice(i, i + batch).map(async (s) => {
          const t0 = performance.now();
          try {
            const r = (await s.request('workshop:watch', { workshopId, ...window }, 20_000)) as Ack<unknown>;
            ackMs.add(performance.now() - t0);
            if (r.ok) ok++;
            else failed++;
          } catch {
            failed++;
          }
        }),
      );
    }
    return { ok, failed, ackMs };
  }

  get connected(): number {
    return this.sockets.filter((s) => s.connected).length;
  }

  close() {
    for (const s of this.sockets) s.close();
    this.sockets.length = 0;
  }
}

/**
 * Matches the `held` changes of `slots:changed` frames to the holds that caused them and records
 * hold-request-sent → event-received per watcher. A slot may be held many times in a run
 * (rush cycles over a workshop's slots): a watcher's k-th `held` change of a slot is the
 * k-th hold sent on it that did not fail. Holds on one slot are seconds apart in every
 * scenario, so they never overtake each other.
 */
export class DeliveryTracker {
  readonly delay = new Samples();
  expected = 0;
  received = 0;
  /** Events for slots nobody here was waiting on (other causes, or another client's change). */
  unmatched = 0;
  private slotIndex = new Map<string, number>();
  /** Per slot index: send times of its holds, in send order (failed ones removed). */
  private sends: number[][] = [];
  /** Per watcher: `held` changes seen per slot index. */
  private seen: Uint16Array[] = [];

  /** Call right before sending the hold: events can beat the HTTP reply. Returns the send time. */
  sending(slotId: string): number {
    const t = performance.now();
    let i = this.slotIndex.get(slotId);
    if (i === undefined) {
      i = this.sends.length;
      this.slotIndex.set(slotId, i);
      this.sends.push([]);
    }
    this.sends[i]!.push(t);
    return t;
  }

  /** The hold succeeded: this many watchers should hear about it. */
  succeeded(watchers: number) {
    this.expected += watchers;
  }

  /** The hold sent at `sentAt` failed: no event will come for it. */
  failed(slotId: string, sentAt: number) {
    const list = this.sends[this.slotIndex.get(slotId) ?? -1];
    const k = list?.lastIndexOf(sentAt) ?? -1;
    if (k >= 0) list!.splice(k, 1);
  }

  /** Off during warm-up: those events are neither expected nor counted. */
  enabled = true;

  private seenOf(watcher: number, slot: number): Uint16Array {
    let seen = this.seen[watcher];
    if (!seen || seen.length <= slot) {
      const grown = new Uint16Array(Math.max(slot + 1, this.sends.length, (seen?.length ?? 0) * 2));
      if (seen) grown.set(seen);
      this.seen[watcher] = seen = grown;
    }
    return seen;
  }

  /** One frame: every `held` change in it counts, each with the frame's arrival time. */
  onEvent = (e: SlotsChangedEvent, at: number, watcher: number) => {
    if (this.enabled) for (const c of e.changes) if (c.cause === 'held') this.onChange(c.slots, at, watcher);
  };

  private onChange(slots: SlotsChangedEvent['changes'][number]['slots'], at: number, watcher: number) {
    for (const s of slots) {
      const i = this.slotIndex.get(s.id);
      if (i === undefined) {
        this.unmatched++;
        continue;
      }
      const seen = this.seenOf(watcher, i);
      const sent = this.sends[i]![seen[i]!];
      if (sent === undefined) {
        this.unmatched++;
        continue;
      }
      seen[i] = seen[i]! + 1;
      this.received++;
      this.delay.add(at - sent);
    }
  }
}
