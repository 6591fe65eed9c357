import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { systemClock } from '../domain/clock';
import { loadEnv } from '../env';
import { createHoldStore } from '../redis/hold-store';
import { createServices } from '../services';
import { createPaymentProvider } from '../payments/payment-provider';
import { migrateDatabase } from './migrate';
import { ormConfig } from './orm-config';
import { createPgPool } from './pg-pool';
import { seedDemoData } from './seed';
import { DEMO_ADMIN, DEMO_CUSTOMERS, DEMO_PASSWORDS, DEMO_WORKSHOPS } from './seed-data';

/*
 * `npm run seed`: demo accounts and workshops in DATABASE_URL, composed like runtime.ts but
 * without HTTP. Safe to run again: it only adds what is missing.
 */

const env = loadEnv();

// Demo accounts have published passwords; a production database must never get them by accident.
if (env.NODE_ENV === 'production' && !process.argv.includes('--allow-production')) {
  console.error('Refusing to seed demo accounts with NODE_ENV=production (pass --allow-production to insist).');
  process.exit(1);
}

await migrateDatabase(env.DATABASE_URL);
const orm = await MikroORM.init(ormConfig(env.DATABASE_URL));
// Lazy: seeding never reads live hold counts, so Redis is only contacted if something asks for them.
const redis = new Redis(env.REDIS_URL, { lazyConnect: true });
const holds = createHoldStore({ redis, prefix: env.REDIS_PREFIX, clock: systemClock });
const sql = createPgPool(env.DATABASE_URL, { connectMs: env.PG_CONNECT_TIMEOUT_MS, acquireMs: env.PG_ACQUIRE_TIMEOUT_MS, statementMs: 600_000 }, { max: 2 });
const services = createServices({
  orm, sql, clock: systemClock, holds, horizonDays: env.SLOT_HORIZON_DAYS, maxSlotsPerWorkshop: env.MAX_SLOTS_PER_WORKSHOP,
  // The configured provider (simulated by default), so later seed steps that move money use it.
  payments: createPaymentProvider(env, { orm, clock: systemClock }),
});

let code = 0;
try {
  const { created, existing, pastBookings } = await seedDemoData(services, { orm, now: new Date() });
  const vendors = DEMO_WORKSHOPS.map((w) => `${w.vendor.email} (${w.workshop.name}, ${w.workshop.city})`).join(', ');
  console.log(
    `Seeded ${new URL(env.DATABASE_URL).pathname.slice(1)}: ${created} created, ${existing} already present, ${pastBookings} past bookings (with reviews) added. ` +
      `Admin ${DEMO_ADMIN.email} / ${DEMO_PASSWORDS.admin}; vendors ${vendors} / ${DEMO_PASSWORDS.vendor}; ` +
      `customers ${DEMO_CUSTOMERS[0]!.email}…${DEMO_CUSTOMERS.at(-1)!.email} / ${DEMO_PASSWORDS.customer}`,
  );
} catch (err) {
  console.error('Seed failed:', err);
  code = 1;
} finally {
  await Promise.all([orm.close(true), sql.close()]);
  redis.disconnect();
}
process.exit(code);
