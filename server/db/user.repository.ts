import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/postgresql';
import type { UserRecord, UserStore } from '../domain/accounts';
import { User, type IUser } from './entities/index';

const toRecord = (u: IUser): UserRecord => ({ id: u.id, email: u.email, name: u.name, role: u.role, status: u.status, phone: u.phone ?? null, emailVerifiedAt: u.emailVerifiedAt ?? null, createdAt: u.createdAt });

/** UserStore on MikroORM; each call is its own unit of work. */
export function createUserRepository(orm: MikroORM): UserStore {
  return {
    async findById(id) {
      const u = await orm.em.fork().findOne(User, { id });
      return u ? toRecord(u) : null;
    },
    async findCredentials(email) {
      const u = await orm.em.fork().findOne(User, { email: email.toLowerCase() });
      return u ? { user: toRecord(u), passwordHash: u.passwordHash } : null;
    },
    async findCredentialsById(id) {
      const u = await orm.em.fork().findOne(User, { id });
      return u ? { user: toRecord(u), passwordHash: u.passwordHash } : null;
    },
    async setPasswordHash(id, passwordHash) {
      await orm.em.fork().nativeUpdate(User, { id }, { passwordHash });
    },
    async setStatus(id, status) {
      return (await orm.em.fork().nativeUpdate(User, { id }, { status })) > 0;
    },
    async updateProfile(id, patch) {
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (!Object.keys(set).length) return (await orm.em.fork().count(User, { id })) > 0;
      return (await orm.em.fork().nativeUpdate(User, { id }, set)) > 0;
    },
    async create(input) {
      const em = orm.em.fork();
      const u = em.create(User, { ...input, email: input.email.toLowerCase() });
      try {
        await em.flush();
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) return null;
        throw err;
      }
      return toRecord(u);
    },
  };
}
