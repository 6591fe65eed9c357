import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from './bench';
import { startCluster, type Target } from './cluster';
import { DEFAULT_OPTIONS, type ScenarioResult } from './context';
import { createWorkshops, login, registerCustomers } from '../../server/test/fixtures/bench';
import { Http } from './http';
import { sharedFrameParser, sharedFrameText, sio } from './socketio-client';
import { Samples } from './stats';
import { DeliveryTracker } from './watchers';

/*
 * Tiny versions of every scenario against the runner's own two servers (Redis adapter between
 * them). Asserts correctness only — exact race outcomes, zero double bookings, every expected
 * event delivered — never speed.
 */

describe('DeliveryTracker (pure)', () => {
  const frame = (seq: number, cause: string, slotId: string) => ({ workshopId: 'w', epoch: 'e', changes: [{ seq, cause, slots: [{ id: slotId, capacity: 2, booked: 0, held: 1, free: 1 }] }] }) as any;

  it("matches a watcher's k-th held change of a slot to the k-th hold sent on it that did not fail", () => {
    const t = new DeliveryTracker();
    const first = t.sending('s1');
    const failed = t.sending('s1');
    const third = t.sending('s1');
    t.failed('s1', failed);
    t.succeeded(2);
    t.succeeded(2);
    for (const watcher of [0, 1]) {
      t.onEvent(frame(1, 'held', 's1'), first + 10, watcher);
      t.onEvent(frame(2, 'released', 's1'), first + 11, watcher); // not a hold: not counted
      t.onEvent(frame(3, 'held', 's1'), third + 20, watcher);
    }
    expect({ expected: t.expected, received: t.received, unmatched: t.unmatched }).toEqual({ expected: 4, received: 4, unmatched: 0 });
    expect(t.delay.summary()).toMatchObject({ count: 4, p50: 10, max: 20 });
    t.onEvent(frame(4, 'held', 's1'), third + 30, 0); // a third held change of s1: no hold left for it
    t.onEvent(frame(5, 'held', 's2'), third + 30, 0); // a slot nobody held here
    expect(t.unmatched).toBe(2);
  });
});

let target: Target;
beforeAll(async () => {
  target = await startCluster({ processes: 2, quiet: true });
}, 60_000);
afterAll(() => target?.close(), 60_000);

describe('Samples (pure)', () => {
  it('gives nearest-rank percentiles of every sample, past its first growth', () => {
    const s = new Samples();
    expect(s.summary()).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
    const values = Array.from({ length: 3000 }, (_, i) => (i + 1) / 10).sort(() => Math.random() - 0.5);
    for (const v of values) s.add(v);
    expect(s.count).toBe(3000);
    expect(s.summary()).toEqual({ count: 3000, p50: 150, p95: 285, p99: 297, max: 300 });
  });
});

describe('k6 Socket.IO helper (load-tests/lib/socketio.js)', () => {
  it('parses and builds frames, ack ids included', () => {
    expect(sio.eventFrame('workshop:watch', { a: 1 }, 7)).toBe('427["workshop:watch",{"a":1}]');
    expect(sio.eventFrame('x', null)).toBe('42["x",null]');
    expect(sio.parseFrame('437[{"ok":true}]')).toMatchObject({ kind: 'ack', ackId: 7, args: [{ ok: true }] });
    expect(sio.parseFrame('4312[1]')).toMatchObject({ kind: 'ack', ackId: 12 });
    expect(sio.parseFrame('42["slots:changed",{"changes":[{"seq":3}]}]')).toMatchObject({ kind: 'event', name: 'slots:changed', ackId: null, args: [{ changes: [{ seq: 3 }] }] });
    expect(sio.parseFrame('2')).toEqual({ kind: 'ping' });
  });

  it("the watchers' shared parser parses a broadcast frame once for every socket, and each ack on its own", () => {
    const parse = sharedFrameParser(2);
    const frame = (seq: number) => `42["slots:changed",{"workshopId":"w","changes":[{"seq":${seq},"cause":"held"}]}]`;
    // Two sockets receive equal text as two strings: the second gets the first's packet.
    const first = parse(frame(1));
    expect(parse(frame(1).slice(0))).toBe(first);
    expect(first).toMatchObject({ kind: 'event', name: 'slots:changed', args: [{ changes: [{ seq: 1 }] }] });
    expect(parse(frame(2))).not.toBe(first);
    // Acks differ per socket and are never shared.
    const ack = '437[{"ok":true,"data":{"workshopId":"w","slots":[]}}]';
    expect(parse(ack)).not.toBe(parse(ack));
    expect(parse(ack)).toMatchObject({ kind: 'ack', ackId: 7 });
    // Only the newest frames are kept: the first was pushed out by the second and third.
    parse(frame(3));
    expect(parse(frame(1))).not.toBe(first);
  });

  it("the watchers' shared decoding gives equal broadcast bytes the same string, and decodes everything else", () => {
    const textOf = sharedFrameText(2);
    const frame = '42["slots:changed",{"workshopId":"w","changes":[{"seq":1,"cause":"held","name":"Café"}]}]';
    const a = textOf(Buffer.from(frame));
    expect(a).toBe(frame);
    // Another socket's copy of the same bytes: no decode, the very string the parser has seen.
    expect(Object.is(textOf(Buffer.from(frame)), a)).toBe(true);
    expect(textOf(Buffer.from(frame.replace('"seq":1', '"seq":2')))).toContain('"seq":2');
    expect(textOf(Buffer.from('437[{"ok":true,"data":{"workshopId":"w"}}]'))).toBe('437[{"ok":true,"data":{"workshopId":"w"}}]');
    expect(textOf(Buffer.from('2'))).toBe('2');
  });

  it('talks to the real server: connect, acks matched by id, events from the other process', async () => {
    const http = new Http(target.urls, 4);
    try {
      const admin = await login(http, target.admin);
      const [a, b] = await createWorkshops(http, admin, 2, { bays: 1 });
      const [customer] = await registerCustomers(http, 1);
      // Socket on process 2, hold through process 1: the event crosses the Redis adapter.
      const ws = new WebSocket(`${target.urls[1]!.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      const socket = sio.socketIo(ws, { timers: { setTimeout, clearTimeout }, auth: { token: customer!.token } });
      expect(typeof (await socket.ready(5000))).toBe('string');
      // Two requests in flight at once: each answer must go to its own request (ids 0 and 1).
      const [ackA, ackB] = await Promise.all([
        socket.request('workshop:watch', { workshopId: a!.id }),
        socket.request('workshop:watch', { workshopId: b!.id }),
      ]);
      expect(ackA).toMatchObject({ ok: true, data: { workshopId: a!.id } });
      expect(ackB).toMatchObject({ ok: true, data: { workshopId: b!.id } });
      const bad = await socket.request('workshop:watch', { workshopId: 'nope' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });

      const slot = a!.slots[0]!;
      const heard = new Promise<any>((resolve) => socket.on('slots:changed', (e) => e.changes.some((c: any) => c.cause === 'held') && resolve(e)));
      const hold = await http.typed(customer!.token, 0).POST('/api/v1/holds', { body: { workshopId: a!.id, serviceId: a!.serviceId, slotId: slot.id } });
      expect(hold.response.status).toBe(201);
      expect(hold.data?.hold.slotIds).toEqual([slot.id]);
      const e = await heard;
      expect(e).toMatchObject({ workshopId: a!.id, changes: [{ cause: 'held' }] });
      expect(e.changes[0].slots).toEqual([expect.objectContaining({ id: slot.id, held: 1, free: 0 })]);
      socket.close();
    } finally {
      await http.close();
    }
  });
});

describe('k6 scripts under the Node stand-in for k6 (load-tests/runner/k6-shim)', () => {
  it('race.js passes its thresholds: capacity winners, the rest 409, no double booking', async () => {
    const shim = fileURLToPath(new URL('./k6-shim/run-k6.mjs', import.meta.url));
    const script = fileURLToPath(new URL('../race.js', import.meta.url));
    const env = [`BASE_URL=${target.urls[0]}`, `ADMIN_EMAIL=${target.admin.email}`, `ADMIN_PASSWORD=${target.admin.password}`, 'VUS=8', 'CAPACITY=2', 'START_DELAY_S=1'];
    const child = spawn(process.execPath, [shim, script, ...env.flatMap((e) => ['-e', e])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toContain('✓ holds_won count==2');
    expect(out).toContain('✓ double_bookings count==0');
  }, 30_000);
});

describe('tiny runs of every Node scenario', () => {
  it('race, flow, fanout, mixed, rush and baseline are correct', async () => {
    const results: ScenarioResult[] = await runBench({
      ...DEFAULT_OPTIONS,
      target,
      scenarios: ['race', 'flow', 'fanout', 'mixed', 'rush', 'baseline'],
      racers: 12,
      capacity: 3,
      rounds: 2,
      rate: 20,
      durationSec: 1,
      workshops: 2,
      customers: 6,
      watchers: 20,
      fanoutHolds: 6,
      fanoutIntervalMs: 50,
      concurrency: 3,
    });
    const by = Object.fromEntries(results.map((r) => [r.scenario, r as any]));
    for (const r of results) {
      expect(r.correct, JSON.stringify(r)).toBe(true);
      expect(r.doubleBookings, r.scenario).toBe(0);
    }
    expect(by.race.counts).toEqual({ attempted: 24, succeeded: 6, conflicts: 18, errors: 0 });
    expect(by.race.confirmCounts.succeeded).toBe(6);
    expect(by.race.audit.activeBookings).toBe(6);
    expect(by.flow.counts.succeeded).toBeGreaterThan(0);
    expect(by.flow.confirmCounts.succeeded).toBe(by.flow.counts.succeeded);
    expect(by.flow.events.received).toBe(by.flow.events.expected);
    expect(by.fanout.events).toMatchObject({ expected: 6 * 20, received: 6 * 20 });
    expect(by.mixed.events.expected).toBeGreaterThan(0);
    expect(by.mixed.events.received).toBe(by.mixed.events.expected);
    expect(by.rush.counts.succeeded).toBeGreaterThan(0);
    expect(by.rush.releaseCounts.succeeded).toBe(by.rush.counts.succeeded);
    expect(by.rush.events).toMatchObject({ expected: by.rush.counts.succeeded * 20, received: by.rush.counts.succeeded * 20 });
    expect(by.baseline.emit.bare.received).toBe(by.baseline.emit.bare.expected);
    expect(by.baseline.emit.holdfast.events.received).toBe(by.baseline.emit.holdfast.events.expected);
  }, 120_000);
});
