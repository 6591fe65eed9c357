import { loadEnv } from '../env';
import { migrateDatabase } from './migrate';

const env = loadEnv();
const applied = await migrateDatabase(env.DATABASE_URL);
console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
