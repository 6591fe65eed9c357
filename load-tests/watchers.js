// Many WebSocket watchers of one workshop (Engine.IO v4 / Socket.IO v5 over k6's WebSocket),
// and one holder that holds a fresh slot every INTERVAL_MS on a schedule fixed in setup().
// Each watcher measures hold sent → `slots:changed` received. VUs share no memory, so the
// schedule is the shared clock: hold k is sent at t0 + k × INTERVAL_MS (the holder records
// how late it actually sent in `hold_send_lag_ms`, which bounds the error).
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e WATCHERS=1000 load-tests/watchers.js
//
// Env: BASE_URL, WS_URL, ADMIN_EMAIL, ADMIN_PASSWORD, WATCHERS (default 1000), HOLDS (default 30),
// INTERVAL_MS (default 250), CONNECT_S (seconds for watchers to connect, default 20), EVENT_P95_MS (default 25).
// Each watcher is one file descriptor on both sides: raise `ulimit -n` above WATCHERS first.
import { check, sleep } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { adminLogin, createWorkshop, futureSlots, post, register, registerCustomers, WS_URL } from './lib/api.js';
import { connectSocketIo } from './lib/k6-socketio.js';

const WATCHERS = Number(__ENV.WATCHERS || 1000);
const HOLDS = Number(__ENV.HOLDS || 30);
const INTERVAL_MS = Number(__ENV.INTERVAL_MS || 250);
const CONNECT_S = Number(__ENV.CONNECT_S || 20);

const delay = new Trend('hold_to_event_ms', true);
const sendLag = new Trend('hold_send_lag_ms', true);
const received = new Counter('events_received');
const missed = new Counter('events_missed');
const holdsOk = new Counter('holds_ok');

const runSeconds = CONNECT_S + Math.ceil((HOLDS * INTERVAL_MS) / 1000) + 10;

/** @type {import('k6/options').Options} */
export const options = {
  setupTimeout: '120s',
  scenarios: {
    watchers: { executor: 'per-vu-iterations', vus: WATCHERS, iterations: 1, maxDuration: `${runSeconds + 30}s`, exec: 'watch' },
    holder: { executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDuration: `${runSeconds + 30}s`, exec: 'hold' },
  },
  thresholds: {
    hold_to_event_ms: [`p(95)<${Number(__ENV.EVENT_P95_MS || 25)}`],
    events_missed: ['count==0'],
    holds_ok: [`count==${HOLDS}`],
    checks: ['rate==1'],
  },
};

/** @typedef {{ workshopId: string, serviceId: string, slotIds: string[], from: string, to: string, tokens: string[], t0: number }} Data */

/** @returns {Data} */
export function setup() {
  const adminToken = adminLogin();
  const vendor = register('vendor');
  const w = createWorkshop(adminToken, vendor.token, { bays: 1, name: 'k6 Watched Garage' });
  const slots = futureSlots(w.id).slice(0, HOLDS);
  if (slots.length < HOLDS) throw new Error(`only ${slots.length} slots`);
  return {
    workshopId: w.id,
    serviceId: w.serviceId,
    slotIds: slots.map((s) => s.id),
    // Watch only the held window: the snapshot in each ack stays small.
    from: slots[0].startsAt,
    to: slots[slots.length - 1].endsAt,
    tokens: registerCustomers(Math.ceil(HOLDS / 3)),
    t0: Date.now() + CONNECT_S * 1000,
  };
}

/** @param {Data} data */
export async function watch(data) {
  const index = new Map(data.slotIds.map((id, k) => [id, k]));
  const seen = new Set();
  const socket = connectSocketIo(WS_URL, { tags: { name: 'watcher' } });
  // A frame carries every change the server made since its last flush (PROTOCOL.md).
  socket.on('slots:changed', (e, at) => {
    if (e.workshopId !== data.workshopId) return;
    for (const c of e.changes) {
      if (c.cause !== 'held') continue;
      for (const s of c.slots) {
        const k = index.get(s.id);
        if (k === undefined || seen.has(k)) continue;
        seen.add(k);
        received.add(1);
        delay.add(at - (data.t0 + k * INTERVAL_MS));
      }
    }
  });
  try {
    await socket.ready(CONNECT_S * 1000);
    const ack = await socket.request('workshop:watch', { workshopId: data.workshopId, from: data.from, to: data.to }, 15000);
    check(ack, { 'watch ack ok': (a) => !!a && a.ok === true });
    // Listen until the last hold's event had time to arrive.
    const until = data.t0 + HOLDS * INTERVAL_MS + 5000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
  } finally {
    missed.add(HOLDS - seen.size);
    socket.close();
  }
}

/** @param {Data} data */
export function hold(data) {
  for (let k = 0; k < HOLDS; k++) {
    const due = data.t0 + k * INTERVAL_MS;
    const wait = due - Date.now();
    if (wait > 0) sleep(wait / 1000);
    sendLag.add(Date.now() - due);
    const res = post('/api/holds', { workshopId: data.workshopId, serviceId: data.serviceId, slotId: data.slotIds[k] }, data.tokens[Math.floor(k / 3)], { name: 'hold' });
    if (check(res, { 'hold 201': (r) => r.status === 201 })) holdsOk.add(1);
  }
}
