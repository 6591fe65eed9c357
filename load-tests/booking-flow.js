// A realistic journey at a constant arrival rate: browse the catalog → open a workshop's
// availability → watch it live over Socket.IO → hold a free slot → confirm.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e RATE=20 -e DURATION=1m load-tests/booking-flow.js
//
// Env: BASE_URL, WS_URL (default: BASE_URL with ws://), ADMIN_EMAIL, ADMIN_PASSWORD,
// RATE (journeys/s, default 10), DURATION (default 1m), WORKSHOPS (default 5),
// CUSTOMERS (default 60; each may hold MAX_ACTIVE_HOLDS=3 at once), HOLD_P95_MS (default 5),
// CONFIRM_P95_MS (default 20), EVENT_P95_MS (default 25).
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { adminLogin, BASE_URL, createWorkshop, get, headers, register, registerCustomers, WS_URL } from './lib/api.js';
import { connectSocketIo } from './lib/k6-socketio.js';

const RATE = Number(__ENV.RATE || 10);
const DURATION = __ENV.DURATION || '1m';
const WORKSHOPS = Number(__ENV.WORKSHOPS || 5);
const CUSTOMERS = Number(__ENV.CUSTOMERS || 60);
const CITY = __ENV.CITY || `K6flow-${Date.now().toString(36)}`;

const holdMs = new Trend('hold_ms', true);
const confirmMs = new Trend('confirm_ms', true);
const watchAckMs = new Trend('watch_ack_ms', true);
const holdToEventMs = new Trend('hold_to_event_ms', true);
const holdConflicts = new Counter('hold_conflicts');
const eventsMissed = new Counter('events_missed');

/** @type {import('k6/options').Options} */
export const options = {
  setupTimeout: '300s',
  scenarios: {
    flow: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, RATE * 2),
      maxVUs: Math.max(50, RATE * 10),
    },
  },
  thresholds: {
    hold_ms: [`p(95)<${Number(__ENV.HOLD_P95_MS || 5)}`],
    confirm_ms: [`p(95)<${Number(__ENV.CONFIRM_P95_MS || 20)}`],
    hold_to_event_ms: [`p(95)<${Number(__ENV.EVENT_P95_MS || 25)}`],
    'http_req_duration{name:hold}': [`p(95)<${Number(__ENV.HOLD_P95_MS || 5)}`],
    'http_req_duration{name:confirm}': [`p(95)<${Number(__ENV.CONFIRM_P95_MS || 20)}`],
    checks: ['rate>0.99'],
    events_missed: ['count==0'],
  },
};

/** @typedef {{ workshops: Array<{ id: string, serviceId: string }>, tokens: string[] }} Data */

/** @returns {Data} */
export function setup() {
  const adminToken = adminLogin();
  const vendor = register('vendor');
  const workshops = [];
  for (let i = 0; i < WORKSHOPS; i++) workshops.push(createWorkshop(adminToken, vendor.token, { bays: 10, city: CITY, name: `k6 Flow Garage ${i}` }));
  return { workshops, tokens: registerCustomers(CUSTOMERS) };
}

/** @param {Data} data */
export default async function (data) {
  const i = exec.scenario.iterationInTest;
  const token = data.tokens[i % data.tokens.length];
  // Browse: the city's workshops, then one workshop's week.
  const list = get(`/api/workshops?city=${encodeURIComponent(CITY)}`, undefined, { name: 'browse' });
  check(list, { 'browse 200': (r) => r.status === 200 });
  const w = data.workshops[i % data.workshops.length];
  const avail = get(`/api/workshops/${w.id}/availability`, undefined, { name: 'availability' });
  if (!check(avail, { 'availability 200': (r) => r.status === 200 })) return;
  const soon = Date.now() + 2 * 3600000;
  const free = /** @type {any} */ (avail.json()).slots.filter((/** @type {any} */ s) => s.free > 0 && Date.parse(s.startsAt) > soon);
  if (!free.length) return;

  // Watch it live (the screen a customer keeps open while deciding).
  const socket = connectSocketIo(WS_URL, { token });
  try {
    await socket.ready();
    const t0 = Date.now();
    const ack = await socket.request('workshop:watch', { workshopId: w.id });
    watchAckMs.add(Date.now() - t0);
    check(ack, { 'watch ack ok': (a) => !!a && a.ok === true });

    const slot = free[Math.floor(Math.random() * free.length)];
    /** @type {number | null} */
    let heardAt = null;
    // A frame carries every change the server made since its last flush (PROTOCOL.md).
    socket.on('slots:changed', (e, at) => {
      const mine = (/** @type {{ cause: string, slots: { id: string }[] }} */ c) => c.cause === 'held' && c.slots.some((s) => s.id === slot.id);
      if (heardAt === null && e.changes.some(mine)) heardAt = at;
    });
    const sentAt = Date.now();
    // asyncRequest keeps the event loop running, so the event's arrival time is not delayed by the HTTP wait.
    const hold = await http.asyncRequest('POST', `${BASE_URL}/api/holds`, JSON.stringify({ workshopId: w.id, serviceId: w.serviceId, slotId: slot.id }), { headers: headers(token), tags: { name: 'hold' } });
    holdMs.add(hold.timings.duration);
    if (hold.status === 409) {
      holdConflicts.add(1); // someone else took it between browse and hold: a normal outcome
      return;
    }
    if (!check(hold, { 'hold 201': (r) => r.status === 201 })) return;
    const holdId = /** @type {any} */ (hold.json()).hold.id;
    // The event may already be here; otherwise give it up to 2 s.
    for (let waited = 0; heardAt === null && waited < 2000; waited += 10) await new Promise((r) => pause(r, 10));
    if (heardAt === null) eventsMissed.add(1);
    else holdToEventMs.add(heardAt - sentAt);

    const confirm = await http.asyncRequest('POST', `${BASE_URL}/api/bookings`, JSON.stringify({ holdId }), {
      headers: headers(token, { 'Idempotency-Key': `k6-flow-${exec.vu.idInTest}-${i}` }),
      tags: { name: 'confirm' },
    });
    confirmMs.add(confirm.timings.duration);
    check(confirm, { 'confirm 201': (r) => r.status === 201 });
  } finally {
    socket.close();
  }
}

/** @param {(v?: unknown) => void} resolve @param {number} ms */
function pause(resolve, ms) {
  setTimeout(resolve, ms);
}
