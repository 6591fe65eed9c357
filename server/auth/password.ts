import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../domain/accounts';

/**
 * scrypt's cost N = 2^15 with r=8 (~32 MiB, ~50 ms; OWASP's minimum N=2^17 is slow on 2 cores).
 * Only test servers lower it (SCRYPT_COST_LOG2, allowed with NODE_ENV=test alone): a suite that
 * registers hundreds of accounts would otherwise spend its CPU hashing.
 */
export const SCRYPT_COST_LOG2 = 15;
const R = 8;
const P = 1;
const MAXMEM = 64 * 1024 * 1024;
const KEYLEN = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url), self-describing for future upgrades. */
export async function hashPassword(password: string, costLog2 = SCRYPT_COST_LOG2): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** costLog2;
  const key = await derive(password, salt, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check of a password against a stored hash (at the cost it names); false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: MAXMEM,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const dummies = new Map<number, Promise<string>>();

/**
 * The hasher the accounts service uses: new passwords at this cost; login compares unknown
 * emails against a hash of a random password at the same cost, so timing does not reveal them.
 */
export function passwordHasher(costLog2 = SCRYPT_COST_LOG2): PasswordHasher {
  if (!dummies.has(costLog2)) dummies.set(costLog2, hashPassword(randomBytes(16).toString('hex'), costLog2));
  return { hash: (password) => hashPassword(password, costLog2), verify: verifyPassword, dummyHash: dummies.get(costLog2)! };
}
