import { MikroORM } from '@mikro-orm/postgresql';
import { createDatabaseIfMissing } from './create-database';
import { ormConfig } from './orm-config';

/** Creates the database if needed and applies every pending migration. */
export async function migrateDatabase(databaseUrl: string): Promise<string[]> {
  await createDatabaseIfMissing(databaseUrl);
  const orm = await MikroORM.init(ormConfig(databaseUrl));
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
