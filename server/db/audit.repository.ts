import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AuditAction, AuditEntry, AuditTarget } from '@shared/schemas/audit';
import type { AuditStore, NewAuditEntry } from '../domain/audit-ports';

type Exec = <T>(sql: string, params: unknown[]) => Promise<T>;

/** Writes one audit row through `exec` (a transaction's, when the action is written in one). */
export async function insertAudit(exec: Exec, e: NewAuditEntry): Promise<void> {
  await exec(
    `insert into admin_audit (id, actor_id, action, target_type, target_id, reason, created_at) values (?, ?, ?, ?, ?, ?, ?)`,
    [randomUUID(), e.actorId, e.action, e.targetType, e.targetId, e.reason, e.at],
  );
}

interface Row {
  id: string;
  actor_id: string;
  actor_name: string;
  actor_email: string;
  action: AuditAction;
  target_type: AuditTarget;
  target_id: string;
  reason: string | null;
  created_at: Date;
}

export function createAuditRepository(orm: MikroORM): AuditStore {
  const em = () => orm.em.fork();
  return {
    async record(entry) {
      const e = em();
      await insertAudit(<T>(sql: string, params: unknown[]) => e.execute(sql, params as never[]) as Promise<T>, entry);
    },
    async list(q) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.targetType && q.targetId) {
        where.push('a.target_type = ? and a.target_id = ?');
        params.push(q.targetType, q.targetId);
      }
      if (q.before) {
        // Keyset paging on (created_at, seq), both descending.
        where.push('(a.created_at, a.seq) < (select created_at, seq from admin_audit where id = ?)');
        params.push(q.before);
      }
      const rows = await em().execute<Row[]>(
        `select a.id, a.actor_id, u.name as actor_name, u.email as actor_email, a.action, a.target_type, a.target_id, a.reason, a.created_at
           from admin_audit a join "user" u on u.id = a.actor_id
          ${where.length ? `where ${where.join(' and ')}` : ''}
          order by a.created_at desc, a.seq desc limit ?`,
        [...params, q.limit] as never[],
      );
      return rows.map((r): AuditEntry => ({
        id: r.id,
        actor: { id: r.actor_id, name: r.actor_name, email: r.actor_email },
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        reason: r.reason,
        at: new Date(r.created_at).toISOString(),
      }));
    },
  };
}
