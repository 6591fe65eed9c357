import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { STAFF_ROLES } from '@shared/schemas/staff';
import { User } from './user.entity';
import { Workshop } from './workshop.entity';

/**
 * Who works in a workshop, and as what (Migration20261201180000). The owner is a member too (one
 * per workshop: the partial unique index); staff join through an emailed invitation. Read and
 * written in SQL by db/workshop-member.repository.ts.
 */
export const WorkshopMember = defineEntity({
  name: 'WorkshopMember',
  tableName: 'workshop_member',
  properties: {
    workshop: () => p.manyToOne(Workshop).ref().primary().deleteRule('cascade'),
    user: () => p.manyToOne(User).ref().primary().deleteRule('cascade'),
    role: p.enum([...STAFF_ROLES]),
    invitedBy: () => p.manyToOne(User).ref().nullable().fieldName('invited_by').deleteRule('set null'),
    createdAt: p.datetime(),
  },
  indexes: [{ name: 'workshop_member_user_id_index', properties: ['user'] }],
  uniques: [{ name: 'workshop_member_one_owner', expression: `create unique index "workshop_member_one_owner" on "workshop_member" ("workshop_id") where "role" = 'owner'` }],
  checks: [{ name: 'workshop_member_role_check', expression: `role in ('owner', 'front_desk', 'mechanic')` }],
});
export type IWorkshopMember = InferEntity<typeof WorkshopMember>;
