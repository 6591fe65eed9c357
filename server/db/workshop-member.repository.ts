import type { MikroORM } from '@mikro-orm/postgresql';
import type { InvitableRole, StaffRole } from '@shared/schemas/staff';
import type { MemberRecord, MemberStore } from '../domain/staff';

/** workshop_member in SQL (Migration20261201180000). The owner's row is never re-roled or removed here. */
export function createWorkshopMemberRepository(orm: MikroORM): MemberStore {
  const sql = <R>(q: string, params: unknown[] = []) => orm.em.getConnection().execute<R[]>(q, params);
  return {
    async roleOf(workshopId, userId) {
      const [r] = await sql<{ role: StaffRole }>('select role from workshop_member where workshop_id = ? and user_id = ?', [workshopId, userId]);
      return r?.role ?? null;
    },

    async workshopsOf(userId) {
      const rows = await sql<{ workshop_id: string; role: StaffRole }>('select workshop_id, role from workshop_member where user_id = ? order by created_at, workshop_id', [userId]);
      return rows.map((r) => ({ workshopId: r.workshop_id, role: r.role }));
    },

    async list(workshopId): Promise<MemberRecord[]> {
      const rows = await sql<{ user_id: string; name: string; email: string; role: StaffRole; invited_by_name: string | null; created_at: Date }>(
        `select m.user_id, u.name, u.email, m.role, inv.name as invited_by_name, m.created_at
           from workshop_member m join "user" u on u.id = m.user_id left join "user" inv on inv.id = m.invited_by
          where m.workshop_id = ?
          order by (m.role = 'owner') desc, u.name, m.user_id`,
        [workshopId],
      );
      return rows.map((r) => ({ userId: r.user_id, name: r.name, email: r.email, role: r.role, invitedBy: r.invited_by_name, since: new Date(r.created_at) }));
    },

    async hasEmail(workshopId, email) {
      const rows = await sql<{ one: number }>(
        'select 1 as one from workshop_member m join "user" u on u.id = m.user_id where m.workshop_id = ? and u.email = ?',
        [workshopId, email.toLowerCase()],
      );
      return rows.length > 0;
    },

    async setRole(workshopId, userId, role: InvitableRole) {
      const rows = await sql<{ user_id: string }>(
        `update workshop_member set role = ? where workshop_id = ? and user_id = ? and role <> 'owner' returning user_id`,
        [role, workshopId, userId],
      );
      return rows.length > 0;
    },

    async remove(workshopId, userId) {
      // Their assignments in this workshop clear with the row (the booking's foreign key sets assignee_id null).
      const rows = await sql<{ user_id: string }>(
        `delete from workshop_member where workshop_id = ? and user_id = ? and role <> 'owner' returning user_id`,
        [workshopId, userId],
      );
      return rows.length > 0;
    },
  };
}
