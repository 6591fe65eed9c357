import type { AuditAction, AuditEntry, AuditQuery, AuditTarget } from '@shared/schemas/audit';
import type { Principal } from './actor';
import type { Clock } from './clock';
import { forbidden } from './errors';
import type { AuditStore } from './audit-ports';

/** The admin audit trail: each admin action, who took it, on what, why and when; admins read it. */
export function createAudit(deps: { store: AuditStore; clock: Clock }) {
  return {
    async record(actor: Principal, action: AuditAction, target: { type: AuditTarget; id: string }, reason?: string | null): Promise<void> {
      await deps.store.record({ actorId: actor.id, action, targetType: target.type, targetId: target.id, reason: reason ?? null, at: new Date(deps.clock.now()) });
    },
    async list(actor: Principal, query: AuditQuery): Promise<AuditEntry[]> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can read the audit trail');
      return deps.store.list(query);
    },
  };
}
export type Audit = ReturnType<typeof createAudit>;
