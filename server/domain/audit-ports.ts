import type { AuditAction, AuditEntry, AuditQuery, AuditTarget } from '@shared/schemas/audit';

export interface NewAuditEntry {
  actorId: string;
  action: AuditAction;
  targetType: AuditTarget;
  targetId: string;
  reason: string | null;
  at: Date;
}

/** Port: the append-only trail of admin actions in Postgres. */
export interface AuditStore {
  record(entry: NewAuditEntry): Promise<void>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}
