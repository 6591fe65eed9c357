// Public-API helpers for k6 setup() and VU code (k6/http is synchronous).
import http from 'k6/http';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
export const WS_URL = (__ENV.WS_URL || BASE_URL.replace(/^http/, 'ws')).replace(/\/$/, '');
const PASSWORD = __ENV.BENCH_PASSWORD || 'k6-bench-password';
const RUN = __ENV.RUN_ID || `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** @param {string} [token] @param {Record<string, string>} [extra] */
export function headers(token, extra = {}) {
  /** @type {Record<string, string>} */
  const h = { 'content-type': 'application/json', ...extra };
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/**
 * @param {import('k6/http').RefinedResponse<any>} res
 * @param {number} status
 * @param {string} what
 */
export function must(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${String(res.body).slice(0, 300)}`);
  return /** @type {any} */ (res.json());
}

/** @param {string} path @param {unknown} body @param {string} [token] @param {Record<string, string>} [tags] @param {Record<string, string>} [extra] */
export function post(path, body, token, tags, extra) {
  return http.post(`${BASE_URL}${path}`, body === undefined ? null : JSON.stringify(body), { headers: headers(token, extra), tags });
}

/** @param {string} path @param {string} [token] @param {Record<string, string>} [tags] */
export function get(path, token, tags) {
  return http.get(`${BASE_URL}${path}`, { headers: headers(token), tags });
}

/** Admins are never self-registered: credentials from ADMIN_EMAIL / ADMIN_PASSWORD (default: the demo seed). */
export function adminLogin() {
  const email = __ENV.ADMIN_EMAIL || 'admin@holdfast.test';
  const password = __ENV.ADMIN_PASSWORD || 'holdfast-admin';
  return must(post('/api/auth/login', { email, password }), 200, `admin login ${email}`).token;
}

let seq = 0;
/** @param {'customer' | 'vendor'} role @returns {{ id: string, token: string }} */
export function register(role) {
  const email = `k6-${role}-${RUN}-${__VU}-${++seq}@bench.holdfast`;
  const body = must(post('/api/auth/register', { email, password: PASSWORD, name: `k6 ${role}`, role }), 201, `register ${role}`);
  return { id: body.user.id, token: body.token };
}

/**
 * Registers n customers with parallel batches (http.batch). The deployment's
 * RATE_LIMIT_REGISTER_PER_HOUR must allow it.
 * @param {number} n @param {number} [parallel]
 * @returns {string[]} tokens
 */
export function registerCustomers(n, parallel = 20) {
  /** @type {string[]} */
  const tokens = [];
  for (let i = 0; i < n; i += parallel) {
    const reqs = [];
    for (let k = i; k < Math.min(n, i + parallel); k++) {
      const email = `k6-customer-${RUN}-${k}@bench.holdfast`;
      reqs.push({ method: 'POST', url: `${BASE_URL}/api/auth/register`, body: JSON.stringify({ email, password: PASSWORD, name: `k6 customer ${k}`, role: 'customer' }), params: { headers: headers() } });
    }
    for (const res of http.batch(reqs)) tokens.push(must(res, 201, 'register customer').token);
  }
  return tokens;
}

export const ALL_DAY = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '00:00', closes: '23:30' }));

/**
 * A verified workshop with one 30-minute service, made through the public API.
 * @param {string} adminToken @param {string} vendorToken @param {{ bays: number, city?: string, name?: string }} opts
 * @returns {{ id: string, serviceId: string }}
 */
export function createWorkshop(adminToken, vendorToken, opts) {
  const w = must(
    post('/api/workshops', { name: opts.name || `k6 Garage ${RUN}`, city: opts.city || 'K6ville', address: '1 Load Street', timezone: 'Europe/London', bays: opts.bays, autoAccept: true, holdTtlSeconds: 300, phone: '+44 113 496 0000', email: 'desk@k6.example', lat: 53.8, lng: -1.55, registrationNumber: 'K6-0000001', insuranceExpiresOn: '2099-12-31' }, vendorToken),
    201,
    'create workshop',
  ).workshop;
  must(http.put(`${BASE_URL}/api/workshops/${w.id}/hours`, JSON.stringify(ALL_DAY), { headers: headers(vendorToken) }), 200, 'hours');
  const svc = must(post(`/api/workshops/${w.id}/services`, { name: 'Oil change', category: 'maintenance', durationMinutes: 30, basePriceCents: 4999, currency: 'GBP' }, vendorToken), 201, 'service').service;
  // Paid at the workshop: the scripts load the booking path, not the (simulated) card processor.
  must(http.put(`${BASE_URL}/api/workshops/${w.id}/money-policy`, JSON.stringify({ paymentMode: 'at_workshop', freeCancelHours: 24 }), { headers: headers(vendorToken) }), 200, 'money policy');
  must(post(`/api/admin/workshops/${w.id}/verify`, undefined, adminToken), 200, 'verify');
  return { id: w.id, serviceId: svc.id };
}

/**
 * Future slots at least `leadHours` ahead (a slot that starts during the run cannot be held).
 * @param {string} workshopId @param {number} [leadHours] @param {number} [days]
 * @returns {Array<{ id: string, startsAt: string, endsAt: string, capacity: number, booked: number, held: number, free: number }>}
 */
export function futureSlots(workshopId, leadHours = 2, days = 7) {
  const from = new Date(Date.now() + leadHours * 3600000).toISOString();
  const to = new Date(Date.now() + days * 86400000).toISOString();
  return must(get(`/api/workshops/${workshopId}/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`), 200, 'availability').slots;
}
