import { registerSchema, type Role } from '@shared/schemas/auth';
import { createServiceSchema } from '@shared/schemas/service';
import { createWorkshopSchema, openingHoursSchema } from '@shared/schemas/workshop';
import type { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword } from '../auth/password';
import type { Principal } from '../domain/actor';
import type { UserRecord } from '../domain/accounts';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import { ensureHistory, type HistoryWorkshop } from './seed-history';
import { DEMO_ADMIN, DEMO_CUSTOMERS, DEMO_HOURS, DEMO_PASSWORDS, DEMO_WORKSHOPS, type DemoAccount, type DemoWorkshop } from './seed-data';

/** What the seed needs from the composition root (availability and live counts play no part). */
export type SeedServices = Pick<Services, 'accounts' | 'catalog' | 'slots' | 'stores'>;
const DEMO_INSURANCE_EXPIRES_ON = '2099-12-31';

export interface SeedResult {
  /** Accounts, workshops and services this run created. */
  created: number;
  /** Accounts, workshops and services that were already there and left as they were. */
  existing: number;
  /** Past demo bookings written this run (four weeks per workshop, only where none exist). */
  pastBookings: number;
}

/**
 * Creates the demo admin, vendors with verified workshops, and customers. Idempotent: accounts
 * are found by email, workshops by owner + name, services by workshop + name; what exists is
 * never modified, only missing pieces are added, so an interrupted run is completed by the next.
 */
export async function seedDemoData(services: SeedServices, history?: { orm: MikroORM; now: Date }): Promise<SeedResult> {
  const tally: SeedResult = { created: 0, existing: 0, pastBookings: 0 };
  const count = (created: boolean) => (created ? tally.created++ : tally.existing++);

  // Admins are never self-registered, so the admin goes straight into the user store.
  await ensureAccount(services, DEMO_ADMIN, 'admin', count);
  const workshops: HistoryWorkshop[] = [];
  for (const demo of DEMO_WORKSHOPS) {
    const vendor = await ensureAccount(services, demo.vendor, 'vendor', count);
    workshops.push(await ensureWorkshop(services, { id: vendor.id, role: 'vendor' }, demo, count));
  }
  const customers: string[] = [];
  for (const customer of DEMO_CUSTOMERS) customers.push((await ensureAccount(services, customer, 'customer', count)).id);
  if (history) tally.pastBookings = await ensureHistory(history.orm, workshops, customers, history.now);
  return tally;
}

type Count = (created: boolean) => void;

async function ensureAccount(s: SeedServices, demo: DemoAccount, role: Role, count: Count): Promise<UserRecord> {
  const found = await findUser(s, demo.email, role);
  if (found) {
    count(false);
    return found;
  }
  try {
    const user = role === 'admin' ? await createAdmin(s, demo) : await register(s, demo, role);
    count(true);
    return user;
  } catch (err) {
    // Someone (a parallel seed) took the email between our look-up and insert: use theirs.
    if (!(err instanceof DomainError && err.code === 'EMAIL_TAKEN')) throw err;
    const raced = await findUser(s, demo.email, role);
    if (!raced) throw err;
    count(false);
    return raced;
  }
}

async function findUser(s: SeedServices, email: string, role: Role): Promise<UserRecord | null> {
  const found = await s.stores.users.findCredentials(email);
  if (!found) return null;
  // Logging in as a demo vendor that is really a customer would make the demo silently wrong.
  if (found.user.role !== role) {
    throw new Error(`Seed: ${email} already exists as a ${found.user.role}, expected ${role}; remove it or use another database`);
  }
  return found.user;
}

async function register(s: SeedServices, demo: DemoAccount, role: 'customer' | 'vendor') {
  // The same schema the HTTP route applies (trimming, lower-casing, length rules).
  const input = registerSchema.parse({ ...demo, role, password: DEMO_PASSWORDS[role] });
  // Demo addresses are ours: the verification banner would only be noise.
  return s.accounts.register(input, { verified: true });
}

async function createAdmin(s: SeedServices, demo: DemoAccount) {
  const passwordHash = await hashPassword(DEMO_PASSWORDS.admin);
  const user = await s.stores.users.create({ email: demo.email, name: demo.name, role: 'admin', passwordHash, emailVerifiedAt: new Date() });
  if (!user) throw new DomainError('EMAIL_TAKEN', `${demo.email} is taken`);
  return user;
}

async function ensureWorkshop(s: SeedServices, vendor: Principal, demo: DemoWorkshop, count: Count) {
  const input = createWorkshopSchema.parse(demo.workshop);
  const mine = (await s.catalog.mine(vendor)).workshops;
  const found = mine.find((w) => w.name === input.name);
  count(!found);
  // Demo insurance runs far ahead (like the test fixtures'), so no test clock lapses the demo
  // workshops; an older demo database gets the fields it lacked.
  const insuranceExpiresOn = DEMO_INSURANCE_EXPIRES_ON;
  let workshop = found ?? (await s.catalog.create(vendor, { ...input, insuranceExpiresOn: input.insuranceExpiresOn ?? insuranceExpiresOn }));
  if (!workshop.registrationNumber || !workshop.insuranceExpiresOn) {
    workshop = { ...workshop, ...(await s.catalog.update(vendor, workshop.id, { registrationNumber: workshop.registrationNumber ?? input.registrationNumber ?? null, insuranceExpiresOn: workshop.insuranceExpiresOn ?? insuranceExpiresOn })) };
  }

  // The owner's view includes retired services, so a service the vendor retired is not revived.
  const detail = await s.catalog.detail(workshop.id, vendor);
  if (detail.hours.length === 0) await s.catalog.setHours(vendor, workshop.id, openingHoursSchema.parse(DEMO_HOURS));
  const names = new Set(detail.services.map((x) => x.name));
  for (const service of demo.services) {
    const exists = names.has(service.name);
    count(!exists);
    if (!exists) await s.catalog.createService(vendor, workshop.id, createServiceSchema.parse(service));
  }

  if (workshop.status === 'pending') {
    // What the admin's "verify" does; it also generates the slots for the rolling horizon.
    await s.catalog.setStatus(workshop.id, 'verified');
  } else if (workshop.status === 'verified') {
    // Re-seeding an older demo database tops the horizon up to today; on the same day it adds nothing.
    await s.slots.regenerate(workshop.id);
  }
  // A suspended demo workshop was suspended on purpose by an admin: the seed leaves it so.
  const services = (await s.catalog.detail(workshop.id, vendor)).services.filter((x) => x.active);
  return { id: workshop.id, ownerId: vendor.id, timezone: workshop.timezone, slotMinutes: workshop.slotMinutes, services };
}
