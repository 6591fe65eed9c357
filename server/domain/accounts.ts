import type { PublicUser, Role } from '@shared/schemas/auth';
import { DomainError, forbidden, notFound } from './errors';
import { systemClock, type Clock } from './clock';
import type { AccountStatus } from './sessions';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: AccountStatus;
  phone: string | null;
  /** When the owner proved the address; null: not yet (the client shows a banner). */
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

/** Port: where users live. */
export interface UserStore {
  findById(id: string): Promise<UserRecord | null>;
  findCredentials(email: string): Promise<{ user: UserRecord; passwordHash: string } | null>;
  findCredentialsById(id: string): Promise<{ user: UserRecord; passwordHash: string } | null>;
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Returns false when there is no such user. */
  setStatus(id: string, status: AccountStatus): Promise<boolean>;
  /** Returns null when the email is taken. */
  create(u: { email: string; name: string; role: Role; passwordHash: string; phone?: string | null; emailVerifiedAt?: Date | null }): Promise<UserRecord | null>;
  /** Returns false when there is no such user. */
  updateProfile(id: string, patch: { name?: string; phone?: string | null }): Promise<boolean>;
}

/** Port: password hashing. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** A hash to compare against when the email is unknown, so both failures take as long. */
  dummyHash: Promise<string>;
}

export function toPublicUser(u: UserRecord): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, phone: u.phone, emailVerified: u.emailVerifiedAt !== null, createdAt: u.createdAt.toISOString() };
}

const invalidCredentials = () => new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');

/** Registration, login and identity: knows nothing of tokens or cookies. */
export function createAccounts(deps: { users: UserStore; hasher: PasswordHasher; clock?: Clock }) {
  const { users, hasher } = deps;
  const now = () => new Date((deps.clock ?? systemClock).now());
  return {
    /**
     * A new customer or vendor, unverified (the route then mails the verification link);
     * `verified`: an address known to be theirs already (the seed's demo accounts).
     */
    async register(input: { email: string; password: string; name: string; role: 'customer' | 'vendor'; phone?: string }, opts: { verified?: boolean } = {}) {
      const passwordHash = await hasher.hash(input.password);
      const user = await users.create({ email: input.email, name: input.name, role: input.role, passwordHash, phone: input.phone ?? null, emailVerifiedAt: opts.verified ? now() : null });
      if (!user) throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
      return user;
    },

    /** An operator account (the admin:create command), verified: the email must be free. */
    async createAdmin(input: { email: string; password: string; name: string }) {
      const user = await users.create({ email: input.email, name: input.name, role: 'admin', passwordHash: await hasher.hash(input.password), emailVerifiedAt: now() });
      if (!user) throw new DomainError('EMAIL_TAKEN', `An account with the email ${input.email} already exists`);
      return user;
    },

    async login(email: string, password: string) {
      const found = await users.findCredentials(email);
      const ok = await hasher.verify(password, found?.passwordHash ?? (await hasher.dummyHash));
      if (!found || !ok) throw invalidCredentials();
      // Said only to someone who knows the password: no oracle for which accounts are suspended.
      if (found.user.status !== 'active') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended');
      return found.user;
    },

    /** Checks the current password; the caller then ends the account's other sessions. */
    async changePassword(userId: string, current: string, next: string) {
      const found = await users.findCredentialsById(userId);
      if (!found) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists');
      if (!(await hasher.verify(current, found.passwordHash))) throw invalidCredentials();
      await users.setPasswordHash(userId, await hasher.hash(next));
      return found.user;
    },

    /** An admin suspends or reinstates an account (never their own). */
    async setStatus(actorId: string, userId: string, status: AccountStatus) {
      if (actorId === userId) throw forbidden('You cannot suspend or reinstate your own account');
      if (!(await users.setStatus(userId, status))) throw notFound('User');
      return this.get(userId);
    },

    /** The signed-in user's own name and phone. */
    async updateProfile(userId: string, patch: { name?: string; phone?: string | null }) {
      if (!(await users.updateProfile(userId, patch))) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists');
      return this.get(userId);
    },

    async get(id: string) {
      const user = await users.findById(id);
      if (!user) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists');
      return user;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
