// Dev tool: writes a new migration for the difference between the entities and the database.
// Usage: npm run db:migration:create  (then add the class to migrations/index.ts)
import { MikroORM } from '@mikro-orm/postgresql';
import { loadEnv } from '../env';
import { migrateDatabase } from './migrate';
import { ormConfig } from './orm-config';

const env = loadEnv();
await migrateDatabase(env.DATABASE_URL);
const orm = await MikroORM.init(ormConfig(env.DATABASE_URL));
const initial = process.argv.includes('--initial');
const result = await orm.getMigrator().createMigration('migrations', false, initial);
console.log(result.diff.up.length ? `Wrote ${result.fileName}` : 'No changes: entities and migrations agree.');
await orm.close(true);
