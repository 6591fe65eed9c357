import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { useOwnDatabase } from './harness';
import { ALL_WEEK, type Account, quickAccounts, startEngineServer, type EngineServer } from './fixtures';

/*
 * The verification record: a verify writes what was checked (registration number, insurance
 * expiry), by whom and why; the lapse sweep sends a workshop whose insurance expired back to
 * pending with a 'lapsed' row by the system; the next verify is a 'reverified'. Roles: the owner
 * sees its own latest row, another vendor and customers never do; the record is admin-only.
 *
 * The clock is in June 2098 and the insurance ends in July 2098: the fixtures' (and the demo's)
 * insurance runs to 2099-12-31, so this file's sweeps lapse no other file's workshops.
 */
// A database of its own: the insurance sweep at a 2098 clock would lapse other files' verified workshops.
const database = useOwnDatabase('verification');
const clock = manualClock(Date.UTC(2098, 5, 20, 10)); // 20 June 2098, 11:00 in London
let es: EngineServer;
let owner: Account;
let otherVendor: Account;
let admin: Account;
let customer: Account;
let id: string;

const sweep = () => es.server.services.catalog.lapseExpiredInsurance();
const records = async () => (await es.api.get(`/api/admin/workshops/${id}/verifications`, admin.token)).body.verifications as Array<Record<string, any>>;
const ownView = async () => (await es.api.get(`/api/v1/workshops/${id}/verification`, owner.token)).body.verification;

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false, env: { DATABASE_URL: database() } });
  [owner, otherVendor] = (await quickAccounts(es.server, 2, 'vendor')) as [Account, Account];
  [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
  [customer] = (await quickAccounts(es.server, 1, 'customer')) as [Account];
  const created = await es.api.post('/api/v1/workshops', {
    name: 'Record Garage', city: 'Leeds', address: '1 Ledger Lane', timezone: 'Europe/London', bays: 1,
    phone: '+44 113 496 0000', email: 'desk@record.test', lat: 53.8, lng: -1.55,
  }, owner.token);
  expect(created.status).toBe(201);
  id = created.body.workshop.id;
  expect((await es.api.put(`/api/v1/workshops/${id}/hours`, ALL_WEEK, owner.token)).status).toBe(200);
  const service = { name: 'Oil change', category: 'maintenance', durationMinutes: 30, basePriceCents: 4999, currency: 'GBP' };
  expect((await es.api.post(`/api/v1/workshops/${id}/services`, service, owner.token)).status).toBe(201);
});
afterAll(() => es?.server.close());

describe('verification record', () => {
  it('asks for a registration number and insurance before an admin can verify; only the owner sets them', async () => {
    const open = (await ownView()).readiness.items.filter((i: { ok: boolean }) => !i.ok).map((i: { key: string }) => i.key);
    expect(open).toEqual(['registration', 'insurance']);
    const refused = await es.api.post(`/api/admin/workshops/${id}/verify`, undefined, admin.token);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'NOT_READY', details: { missing: ['registration', 'insurance'] } });

    // Trimmed, 2..40 characters; a calendar date.
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { registrationNumber: ' X ' }, owner.token)).status).toBe(400);
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { registrationNumber: 'X'.repeat(41) }, owner.token)).status).toBe(400);
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { insuranceExpiresOn: '2098-02-30' }, owner.token)).status).toBe(400);
    // Nobody but the owner edits them.
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { registrationNumber: 'HIJACK-1' }, otherVendor.token)).status).toBe(403);
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { registrationNumber: 'HIJACK-1' }, customer.token)).status).toBe(403);
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { registrationNumber: 'HIJACK-1' })).status).toBe(401);

    const saved = await es.api.patch(`/api/v1/workshops/${id}`, { registrationNumber: '  GB-7654321 ', insuranceExpiresOn: '2098-07-01' }, owner.token);
    expect(saved.status).toBe(200);
    expect(saved.body.workshop).toMatchObject({ registrationNumber: 'GB-7654321', insuranceExpiresOn: '2098-07-01' });
    const view = await ownView();
    expect(view.readiness.ready).toBe(true);
    // 11 days of cover left: still fine, flagged.
    expect(view.readiness.items.find((i: { key: string }) => i.key === 'insurance')).toMatchObject({ ok: true, warning: true, detail: 'Expires on 2098-07-01 (in 11 day(s)): renew it and update the date' });
    expect(view.latest).toBeNull();
  });

  it('records who verified, what was checked and why; the owner sees the latest row', async () => {
    const ok = await es.api.post(`/api/admin/workshops/${id}/verify`, { reason: 'Companies House and the insurer checked by phone' }, admin.token);
    expect(ok.status).toBe(200);
    const [row, ...rest] = await records();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      workshopId: id, action: 'verified', registrationNumber: 'GB-7654321', insuranceExpiresOn: '2098-07-01',
      by: { id: admin.id }, reason: 'Companies House and the insurer checked by phone', at: new Date(clock.now()).toISOString(),
    });
    expect((await ownView()).latest).toEqual(row);
  });

  it('the record is the admins\': another vendor, customers and the anonymous are refused', async () => {
    for (const token of [owner.token, otherVendor.token, customer.token]) {
      expect((await es.api.get(`/api/admin/workshops/${id}/verifications`, token)).status).toBe(403);
    }
    expect((await es.api.get(`/api/admin/workshops/${id}/verifications`)).status).toBe(401);
    expect((await es.api.get(`/api/v1/workshops/${id}/verification`, otherVendor.token)).status).toBe(403);
    expect((await es.api.get(`/api/v1/workshops/${id}/verification`, customer.token)).status).toBe(403);
    expect((await es.api.get(`/api/v1/workshops/${id}/verification`)).status).toBe(401);
    expect((await es.api.get(`/api/admin/workshops/00000000-0000-4000-8000-000000000000/verifications`, admin.token)).status).toBe(404);
  });

  it('the sweep lapses the workshop once its own calendar day is past the expiry, exactly once however many run', async () => {
    // 23:30 on 1 July in London (22:30 UTC): the last covered day is not over.
    clock.set(Date.UTC(2098, 6, 1, 22, 30));
    expect((await sweep()).map((w) => w.id)).not.toContain(id);
    expect((await es.api.get(`/api/workshops/${id}`)).status).toBe(200);

    // 00:30 on 2 July in London; two sweepers at once (two processes) lapse it once between them.
    clock.set(Date.UTC(2098, 6, 1, 23, 30));
    const [a, b] = await Promise.all([sweep(), sweep()]);
    expect([...a, ...b].filter((w) => w.id === id)).toEqual([{ id, insuranceExpiresOn: '2098-07-01' }]);
    expect((await sweep()).map((w) => w.id)).not.toContain(id);

    // Back to pending: hidden and not bookable, as a workshop waiting for verification is.
    expect((await es.api.get(`/api/workshops/${id}`)).status).toBe(404);
    const [lapsed, verified] = await records();
    expect(lapsed).toMatchObject({ action: 'lapsed', by: null, reason: 'Insurance expired on 2098-07-01', registrationNumber: 'GB-7654321', insuranceExpiresOn: '2098-07-01', at: new Date(clock.now()).toISOString() });
    expect(verified!.action).toBe('verified');
    const view = await ownView();
    expect(view.status).toBe('pending');
    expect(view.latest).toEqual(lapsed);
    expect(view.readiness.items.find((i: { key: string }) => i.key === 'insurance')).toMatchObject({ ok: false, detail: 'Expired on 2098-07-01: update the expiry date' });
    // The system is not an admin: the lapse is in the verification record only (admin_audit needs an actor).
    const audit = (await es.api.get(`/api/admin/audit?targetType=workshop&targetId=${id}`, admin.token)).body.entries as Array<{ action: string }>;
    expect(audit.map((e) => e.action)).toEqual(['workshop.verify']);
  });

  it('re-verification: refused until the expiry is updated, then recorded as reverified', async () => {
    const refused = await es.api.post(`/api/admin/workshops/${id}/verify`, undefined, admin.token);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.missing).toEqual(['insurance']);
    expect((await es.api.patch(`/api/v1/workshops/${id}`, { insuranceExpiresOn: '2099-07-01' }, owner.token)).status).toBe(200);
    expect((await es.api.post(`/api/admin/workshops/${id}/verify`, { reason: 'New certificate seen' }, admin.token)).status).toBe(200);
    const rows = await records();
    expect(rows.map((r) => r.action)).toEqual(['reverified', 'lapsed', 'verified']);
    expect(rows[0]).toMatchObject({ insuranceExpiresOn: '2099-07-01', by: { id: admin.id }, reason: 'New certificate seen' });
    expect((await es.api.get(`/api/workshops/${id}`)).status).toBe(200);
    // A later sweep leaves it alone.
    expect((await sweep()).map((w) => w.id)).not.toContain(id);
  });

  it('is append-only: a row cannot be rewritten', async () => {
    await expect(es.server.orm.em.getConnection().execute(`update workshop_verification set reason = 'edited' where workshop_id = ?`, [id])).rejects.toThrow(/append-only/);
  });
});
