// N virtual users hold the same slot at the same instant: exactly CAPACITY succeed (201), the
// rest get 409 SLOT_UNAVAILABLE; the winners confirm. teardown() then counts the bookings.
//
//   k6 run -e BASE_URL=http://127.0.0.1:3000 -e VUS=100 -e CAPACITY=3 load-tests/race.js
//
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, VUS (default 50), CAPACITY (default 2),
// START_DELAY_S (seconds between setup and the race, default 5).
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { adminLogin, createWorkshop, futureSlots, get, must, post, register, registerCustomers } from './lib/api.js';

const VUS = Number(__ENV.VUS || 50);
const CAPACITY = Number(__ENV.CAPACITY || 2);
const START_DELAY_S = Number(__ENV.START_DELAY_S || 5);

const holdsWon = new Counter('holds_won');
const holdsLost = new Counter('holds_lost');
const holdErrors = new Counter('hold_errors');
const doubleBookings = new Counter('double_bookings');

/** @type {import('k6/options').Options} */
export const options = {
  setupTimeout: '300s',
  scenarios: {
    race: { executor: 'per-vu-iterations', vus: VUS, iterations: 1, maxDuration: `${START_DELAY_S + 60}s`, exec: 'race' },
  },
  teardownTimeout: '60s',
  thresholds: {
    checks: ['rate==1'],
    double_bookings: ['count==0'],
    holds_won: [`count==${CAPACITY}`],
    holds_lost: [`count==${VUS - CAPACITY}`],
    hold_errors: ['count==0'],
  },
};

/** @typedef {{ workshopId: string, serviceId: string, slotId: string, tokens: string[], adminToken: string, raceAt: number }} Data */

/** @returns {Data} */
export function setup() {
  const adminToken = adminLogin();
  const vendor = register('vendor');
  const w = createWorkshop(adminToken, vendor.token, { bays: CAPACITY, name: 'k6 Race Garage' });
  const slot = futureSlots(w.id)[0];
  if (!slot) throw new Error('no future slot to race for');
  const tokens = registerCustomers(VUS);
  // Every VU sleeps until this instant, then holds: the same instant, give or take a scheduler tick.
  return { workshopId: w.id, serviceId: w.serviceId, slotId: slot.id, tokens, adminToken, raceAt: Date.now() + START_DELAY_S * 1000 };
}

/** @param {Data} data */
export function race(data) {
  const token = data.tokens[(__VU - 1) % data.tokens.length];
  const wait = data.raceAt - Date.now();
  if (wait > 0) sleep(wait / 1000);
  const res = post('/api/holds', { workshopId: data.workshopId, serviceId: data.serviceId, slotId: data.slotId }, token, { name: 'hold' });
  check(res, { 'hold answered 201 or 409': (r) => r.status === 201 || r.status === 409 });
  if (res.status === 409) {
    holdsLost.add(1);
    check(res, { '409 says SLOT_UNAVAILABLE': (r) => /** @type {any} */ (r.json()).error.code === 'SLOT_UNAVAILABLE' });
    return;
  }
  if (res.status !== 201) {
    holdErrors.add(1);
    return;
  }
  holdsWon.add(1);
  const holdId = /** @type {any} */ (res.json()).hold.id;
  const confirm = post('/api/bookings', { holdId }, token, { name: 'confirm' }, { 'Idempotency-Key': `k6-race-${__VU}` });
  check(confirm, { 'winner confirmed (201)': (r) => r.status === 201 });
}

/**
 * After the race (k6 counts metrics and checks of teardown in thresholds): Postgres-backed counts
 * from the API; any excess over capacity is a double booking.
 * @param {Data} data
 */
export function teardown(data) {
  const slot = must(get(`/api/workshops/${data.workshopId}/availability?from=${encodeURIComponent(new Date(Date.now() - 60000).toISOString())}`), 200, 'availability')
    .slots.find((/** @type {{ id: string }} */ s) => s.id === data.slotId);
  const bookings = must(get(`/api/bookings?workshopId=${data.workshopId}`, data.adminToken), 200, 'bookings').bookings;
  const active = bookings.filter(
    (/** @type {{ slotIds: string[], status: string }} */ b) => b.slotIds.includes(data.slotId) && ['pending', 'accepted', 'in_progress'].includes(b.status),
  ).length;
  doubleBookings.add(Math.max(0, active - CAPACITY) + Math.max(0, (slot ? slot.booked : 0) - CAPACITY));
  check(slot, {
    'slot booked == capacity': (s) => !!s && s.booked === CAPACITY,
    'slot free == 0': (s) => !!s && s.free === 0,
  });
  check(active, { 'active bookings == capacity': (n) => n === CAPACITY });
}
