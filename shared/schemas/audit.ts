import { z } from 'zod';

/** What an admin can do that the audit trail records. */
export const AUDIT_ACTIONS = [
  'workshop.verify',
  'workshop.return',
  'workshop.suspend',
  'workshop.quality_dismiss',
  'user.suspend',
  'user.reinstate',
  'review.hide',
  'review.unhide',
  'review.dismiss_reports',
  'admin.invite',
  'admin.invite_revoke',
  /** The matching engine's weights changed (target: the settings row, MATCH_SETTINGS_ID). */
  'match.weights_update',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AUDIT_TARGETS = ['workshop', 'user', 'review', 'invitation', 'settings'] as const;
/** The audit target id of the platform's matching settings (there is one; the trail needs an id). */
export const MATCH_SETTINGS_ID = '00000000-0000-4000-8000-000000000001';
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

/** One admin action: who did what, to what, why and when. */
export const auditEntrySchema = z.strictObject({
  id: z.uuid(),
  actor: z.strictObject({ id: z.uuid(), name: z.string(), email: z.string() }),
  action: z.enum(AUDIT_ACTIONS),
  targetType: z.enum(AUDIT_TARGETS),
  targetId: z.uuid(),
  reason: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** `GET /api/admin/audit`: newest first, one target's history with both target fields, `before` (an entry id) pages back. */
export const auditQuerySchema = z
  .object({
    targetType: z.enum(AUDIT_TARGETS).optional(),
    targetId: z.uuid().optional(),
    before: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => (q.targetType === undefined) === (q.targetId === undefined), { message: 'targetType and targetId go together', path: ['targetId'] });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** The optional reason an admin gives for verifying, suspending or reinstating. */
export const adminReasonSchema = z.strictObject({ reason: z.string().trim().min(1).max(1000).optional() });
