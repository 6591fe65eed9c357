import { describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { hashPassword, passwordHasher, SCRYPT_COST_LOG2, verifyPassword } from './password';

/*
 * Passwords are hashed with scrypt at N = 2^15 wherever NODE_ENV is not `test`; test servers
 * hash at the lowest cost (server/test/harness.ts), so this is where the production cost is checked.
 */

const fields = (hash: string) => hash.split('$');

describe('password hashing', () => {
  it('hashes at N = 2^15, r = 8, p = 1 by default, and verifies only the right password', async () => {
    expect(SCRYPT_COST_LOG2).toBe(15);
    const hasher = passwordHasher();
    const hash = await hasher.hash('correct-horse-battery');
    expect(fields(hash).slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(hash).not.toContain('correct-horse-battery');
    expect(await hasher.verify('correct-horse-battery', hash)).toBe(true);
    expect(await hasher.verify('correct-horse-batterY', hash)).toBe(false);
    expect(fields(await hasher.dummyHash)[1]).toBe('32768'); // unknown emails cost a login as much as known ones
  });

  it('verifies a hash at the cost it names, whatever the cost new hashes get', async () => {
    const cheap = await hashPassword('pw-1', 10);
    expect(fields(cheap)[1]).toBe('1024');
    expect(await passwordHasher().verify('pw-1', cheap)).toBe(true);
    expect(await verifyPassword('pw-2', cheap)).toBe(false);
    expect(await verifyPassword('pw-1', 'bcrypt$whatever')).toBe(false);
  });

  it('takes the production cost from the environment, and a lower one only when NODE_ENV=test', () => {
    expect(parseEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1025', JWT_SECRET: 'f3c9a1d07b5e48a2c6d9e0f1a2b3c4d5e6f708192a3b4c5d' }).SCRYPT_COST_LOG2).toBe(15);
    expect(parseEnv({ NODE_ENV: 'development' }).SCRYPT_COST_LOG2).toBe(15);
    expect(() => parseEnv({ NODE_ENV: 'development', SCRYPT_COST_LOG2: '10' })).toThrow(/SCRYPT_COST_LOG2 below 15 is only allowed when NODE_ENV=test/);
    expect(parseEnv({ NODE_ENV: 'test', SCRYPT_COST_LOG2: '10' }).SCRYPT_COST_LOG2).toBe(10);
    expect(parseEnv({ NODE_ENV: 'production', SMTP_URL: 'smtp://127.0.0.1:1025', JWT_SECRET: 'f3c9a1d07b5e48a2c6d9e0f1a2b3c4d5e6f708192a3b4c5d', SCRYPT_COST_LOG2: '16' }).SCRYPT_COST_LOG2).toBe(16);
  });
});
