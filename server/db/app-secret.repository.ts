import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * A secret every process on this database agrees on without configuration: the first process
 * to ask inserts a random one (a concurrent insert loses quietly), then everyone reads the winner.
 */
export async function sharedSecret(orm: MikroORM, name: string): Promise<string> {
  const conn = orm.em.getConnection();
  await conn.execute('insert into app_secret (name, value, created_at) values (?, ?, now()) on conflict (name) do nothing', [
    name,
    randomBytes(32).toString('hex'),
  ]);
  const rows: Array<{ value: string }> = await conn.execute('select value from app_secret where name = ?', [name]);
  if (!rows[0]) throw new Error(`app_secret ${name} could not be created`);
  return rows[0].value;
}
