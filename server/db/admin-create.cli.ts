import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { MikroORM } from '@mikro-orm/postgresql';
import { passwordHasher } from '../auth/password';
import { createAccounts } from '../domain/accounts';
import { DomainError } from '../domain/errors';
import { loadEnv } from '../env';
import { adminInput } from '../auth/admin-create-args';
import { migrateDatabase } from './migrate';
import { ormConfig } from './orm-config';
import { createUserRepository } from './user.repository';

/*
 * `npm run admin:create -- --email ops@example.com --name "Ops Lead"`: makes an operator account
 * in DATABASE_URL, so a production database never depends on the demo seed. The password is read
 * from the terminal (typed twice, not echoed) or, when stdin is not a terminal, from its first
 * line (`printf '%s\n' "$PW" | npm run admin:create -- …`), never from the command line, where
 * other users and shell history could read it.
 */

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.split(/\r?\n/)[0] ?? '';
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const ask = async (q: string) => {
    process.stdout.write(q);
    muted = true;
    const answer = await rl.question('');
    muted = false;
    process.stdout.write('\n');
    return answer;
  };
  try {
    const first = await ask('Password (at least 12 characters): ');
    if ((await ask('The same password again: ')) !== first) throw new Error('The two passwords differ');
    return first;
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  // Usage errors before asking for a password.
  const usage = adminInput(argv, 'x'.repeat(12));
  if ('code' in usage && usage.code === 2) {
    console.error(usage.message);
    return 2;
  }
  const checked = adminInput(argv, await readPassword());
  if ('code' in checked) {
    console.error(checked.message);
    return checked.code;
  }
  const env = loadEnv();
  await migrateDatabase(env.DATABASE_URL);
  const orm = await MikroORM.init(ormConfig(env.DATABASE_URL));
  try {
    const accounts = createAccounts({ users: createUserRepository(orm), hasher: passwordHasher(env.SCRYPT_COST_LOG2) });
    const user = await accounts.createAdmin(checked.input);
    console.log(`Admin ${user.email} (${user.name}) created in ${new URL(env.DATABASE_URL).pathname.slice(1)}; sign in at /#/signin.`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`Not created: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await orm.close();
  }
}

process.exitCode = await main();
