import { migrateDatabase } from '../server/db/migrate';
await migrateDatabase('postgres://postgres@127.0.0.1:5432/holdfast_inspect');
