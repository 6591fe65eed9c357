import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { UserRecord } from '../domain/accounts';
import type { InvitableRole } from '@shared/schemas/staff';
import type { InvitationRecord, LinkTokenRecord, LinkTokenStore, StaffInvitationRecord } from '../domain/account-links';

interface TokenRow {
  id: string;
  purpose: LinkTokenRecord['purpose'];
  user_id: string | null;
  email: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  user_status: LinkTokenRecord['userStatus'];
  workshop_id: string | null;
  workshop_name: string | null;
  staff_role: InvitableRole | null;
}

/** Marks an open token used at `now`; false when it was used or revoked meanwhile (the row stays locked until commit). */
async function use(t: EntityManager, id: string, now: Date): Promise<{ user_id: string | null } | null> {
  const [row] = await t.execute<Array<{ user_id: string | null }>>(
    'update account_token set used_at = ? where id = ? and used_at is null and revoked_at is null returning user_id',
    [now, id],
  );
  return row ?? null;
}

/**
 * account_token in SQL, with the outbox row each token owes written in the same transaction
 * (dedupe key `account:<token id>`; template = the token's purpose).
 */
export function createAccountTokenRepository(orm: MikroORM): LinkTokenStore {
  const em = () => orm.em.fork();
  return {
    async issue(t) {
      const id = randomUUID();
      await em().transactional(async (tx) => {
        // Only the newest link of a kind works: earlier open ones (and their unsent mail) go
        // (a staff invitation: only the address's earlier one to the same workshop).
        await tx.execute(
          `update account_token set revoked_at = ? where purpose = ? and used_at is null and revoked_at is null
             and ${t.userId ? 'user_id = ?' : 'user_id is null and email = ?'}
             and (workshop_id is null or workshop_id = ?)`,
          [t.now, t.purpose, t.userId ?? t.email, t.staff?.workshopId ?? null],
        );
        await tx.execute(
          'insert into account_token (id, purpose, token_hash, user_id, email, invited_by, expires_at, created_at, workshop_id, staff_role) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [id, t.purpose, t.tokenHash, t.userId, t.email, t.invitedBy, t.expiresAt, t.now, t.staff?.workshopId ?? null, t.staff?.role ?? null],
        );
        await tx.execute(
          `insert into outbox_message (id, dedupe_key, account_token_id, template, recipient_id, recipient_email, sealed_token, send_after)
             values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, null)`,
          [`account:${id}`, id, t.purpose, t.userId, t.userId ? null : t.email, t.sealedToken],
        );
      });
      return { id };
    },

    async findByHash(tokenHash) {
      const [r] = await em().execute<TokenRow[]>(
        `select t.id, t.purpose, t.user_id, t.email, t.expires_at, t.used_at, t.revoked_at, u.status as user_status,
                t.workshop_id, w.name as workshop_name, t.staff_role
           from account_token t left join "user" u on u.id = t.user_id left join workshop w on w.id = t.workshop_id
          where t.token_hash = ?`,
        [tokenHash],
      );
      if (!r) return null;
      return {
        id: r.id,
        purpose: r.purpose,
        userId: r.user_id,
        email: r.email,
        expiresAt: new Date(r.expires_at),
        usedAt: r.used_at ? new Date(r.used_at) : null,
        revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
        userStatus: r.user_status ?? null,
        staff: r.workshop_id && r.staff_role ? { workshopId: r.workshop_id, workshopName: r.workshop_name ?? '', role: r.staff_role } : null,
      };
    },

    resetPassword: (id, now, passwordHash) =>
      em().transactional(async (tx) => {
        const used = await use(tx, id, now);
        if (!used?.user_id) return false;
        // Reading the link proved the address too.
        await tx.execute('update "user" set password_hash = ?, email_verified_at = coalesce(email_verified_at, ?) where id = ?', [passwordHash, now, used.user_id]);
        return true;
      }),

    verifyEmail: (id, now) =>
      em().transactional(async (tx) => {
        const used = await use(tx, id, now);
        if (!used?.user_id) return false;
        await tx.execute('update "user" set email_verified_at = coalesce(email_verified_at, ?) where id = ?', [now, used.user_id]);
        return true;
      }),

    async acceptInvitation(id, now, a): Promise<UserRecord | 'used' | 'email_taken'> {
      return em().transactional(async (tx) => {
        if (!(await use(tx, id, now))) return 'used' as const;
        const userId = randomUUID();
        const [made] = await tx.execute<Array<{ created_at: Date }>>(
          `insert into "user" (id, email, name, role, status, password_hash, email_verified_at, created_at)
             values (?, ?, ?, 'admin', 'active', ?, ?, ?) on conflict (email) do nothing returning created_at`,
          [userId, a.email.toLowerCase(), a.name, a.passwordHash, now, now],
        );
        if (!made) {
          // Someone registered the address meanwhile: the invitation stays unused.
          await tx.execute('update account_token set used_at = null where id = ?', [id]);
          return 'email_taken' as const;
        }
        return { id: userId, email: a.email.toLowerCase(), name: a.name, role: 'admin' as const, status: 'active' as const, phone: null, emailVerifiedAt: now, createdAt: new Date(made.created_at) };
      });
    },

    async openInvitations(): Promise<InvitationRecord[]> {
      const rows = await em().execute<Array<{ id: string; email: string; invited_by_name: string | null; created_at: Date; expires_at: Date }>>(
        `select t.id, t.email, u.name as invited_by_name, t.created_at, t.expires_at
           from account_token t left join "user" u on u.id = t.invited_by
          where t.purpose = 'admin_invite' and t.used_at is null and t.revoked_at is null
          order by t.created_at desc, t.id limit 200`,
      );
      return rows.map((r) => ({ id: r.id, email: r.email, invitedByName: r.invited_by_name, createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at) }));
    },

    async acceptStaffInvitation(id, now, who) {
      return em().transactional(async (tx): Promise<UserRecord | 'used' | 'email_taken' | 'member'> => {
        const [used] = await tx.execute<Array<{ workshop_id: string; staff_role: InvitableRole; invited_by: string | null }>>(
          `update account_token set used_at = ? where id = ? and used_at is null and revoked_at is null and purpose = 'staff_invite'
             returning workshop_id, staff_role, invited_by`,
          [now, id],
        );
        if (!used) return 'used';
        let userId: string;
        if ('existing' in who) {
          userId = who.existing;
        } else {
          userId = randomUUID();
          const [made] = await tx.execute<Array<{ id: string }>>(
            `insert into "user" (id, email, name, role, status, password_hash, email_verified_at, created_at)
               values (?, ?, ?, 'vendor', 'active', ?, ?, ?) on conflict (email) do nothing returning id`,
            [userId, who.create.email.toLowerCase(), who.create.name, who.create.passwordHash, now, now],
          );
          if (!made) {
            await tx.execute('update account_token set used_at = null where id = ?', [id]);
            return 'email_taken';
          }
        }
        const [joined] = await tx.execute<Array<{ user_id: string }>>(
          `insert into workshop_member (workshop_id, user_id, role, invited_by, created_at) values (?, ?, ?, ?, ?)
             on conflict do nothing returning user_id`,
          [used.workshop_id, userId, used.staff_role, used.invited_by, now],
        );
        if (!joined) return 'member';
        // Reading the link proved the address.
        await tx.execute('update "user" set email_verified_at = coalesce(email_verified_at, ?) where id = ?', [now, userId]);
        const [u] = await tx.execute<Array<{ id: string; email: string; name: string; role: 'vendor'; status: 'active' | 'suspended'; phone: string | null; email_verified_at: Date | null; created_at: Date }>>(
          'select id, email, name, role, status, phone, email_verified_at, created_at from "user" where id = ?',
          [userId],
        );
        return { id: u!.id, email: u!.email, name: u!.name, role: u!.role, status: u!.status, phone: u!.phone, emailVerifiedAt: u!.email_verified_at ? new Date(u!.email_verified_at) : null, createdAt: new Date(u!.created_at) };
      });
    },

    async openStaffInvitations(workshopId): Promise<StaffInvitationRecord[]> {
      const rows = await em().execute<Array<{ id: string; email: string; invited_by_name: string | null; created_at: Date; expires_at: Date; staff_role: InvitableRole }>>(
        `select t.id, t.email, u.name as invited_by_name, t.created_at, t.expires_at, t.staff_role
           from account_token t left join "user" u on u.id = t.invited_by
          where t.purpose = 'staff_invite' and t.workshop_id = ? and t.used_at is null and t.revoked_at is null
          order by t.created_at desc, t.id limit 200`,
        [workshopId],
      );
      return rows.map((r) => ({ id: r.id, email: r.email, role: r.staff_role, invitedByName: r.invited_by_name, createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at) }));
    },

    async revokeStaffInvitation(workshopId, id, now) {
      const rows = await em().execute<Array<{ id: string }>>(
        `update account_token set revoked_at = ? where id = ? and purpose = 'staff_invite' and workshop_id = ? and used_at is null and revoked_at is null returning id`,
        [now, id, workshopId],
      );
      return rows.length > 0;
    },

    async revokeInvitation(id, now) {
      const rows = await em().execute<Array<{ id: string }>>(
        `update account_token set revoked_at = ? where id = ? and purpose = 'admin_invite' and used_at is null and revoked_at is null returning id`,
        [now, id],
      );
      return rows.length > 0;
    },
  };
}
