import { permits, ROLE_LABEL, type Permission, type StaffRole } from '@shared/schemas/staff';
import type { WorkshopView } from '@shared/schemas/views';
import type { Principal } from './actor';
import { forbidden, notFound } from './errors';

/** Port: who works where (db/workshop-member.repository.ts). */
export interface MembershipReader {
  /** The user's role in the workshop; null when they are not a member. */
  roleOf(workshopId: string, userId: string): Promise<StaffRole | null>;
  /** Every workshop the user belongs to, with their role there. */
  workshopsOf(userId: string): Promise<Array<{ workshopId: string; role: StaffRole }>>;
}

export interface Access {
  workshop: WorkshopView;
  role: StaffRole;
}

const ACTION_WORDS: Record<Permission, string> = {
  'desk.view': 'see this workshop\'s desk',
  'bookings.respond': 'accept or decline requests',
  'jobs.update': 'update jobs',
  'jobs.assign': 'assign jobs',
  'messages.write': 'write to customers',
  'settings.edit': 'change the workshop\'s settings',
  'money.view': 'see the workshop\'s money',
  'staff.manage': 'manage staff',
};

/**
 * The one gate of every workshop-side action: is the actor a member of the workshop, and does
 * their role there have the permission (shared/schemas/staff.ts, ROLE_PERMISSIONS)? Read from
 * the database on every call, so a removed member's next request is refused.
 * Someone who is no member learns only "not yours"; a member whose role lacks the permission
 * is told which permission it is.
 */
export function createWorkshopAccess(deps: { members: MembershipReader; findWorkshop: (id: string) => Promise<WorkshopView | null> }) {
  async function require(actor: Principal, workshopId: string, permission: Permission): Promise<Access> {
    const [workshop, role] = await Promise.all([
      deps.findWorkshop(workshopId),
      actor.role === 'vendor' ? deps.members.roleOf(workshopId, actor.id) : Promise.resolve(null),
    ]);
    if (!workshop) throw notFound('Workshop');
    if (!role) throw forbidden('This workshop is not yours');
    if (!permits(role, permission)) {
      throw forbidden(`As ${ROLE_LABEL[role].toLowerCase()} you may not ${ACTION_WORDS[permission]} (${permission})`);
    }
    return { workshop, role };
  }

  return {
    require,
    /** `require` for the ports that only want the workshop back (money, webhooks, reviews). */
    gate: (permission: Permission) => async (actor: Principal, workshopId: string): Promise<WorkshopView> => (await require(actor, workshopId, permission)).workshop,
    /** May this person see the workshop's desk? (Pending workshops are visible to their staff.) */
    async isMember(actor: Principal | null, workshopId: string): Promise<boolean> {
      if (!actor || actor.role !== 'vendor') return false;
      return (await deps.members.roleOf(workshopId, actor.id)) !== null;
    },
    workshopsOf: (userId: string) => deps.members.workshopsOf(userId),
  };
}

export type StaffAccess = ReturnType<typeof createWorkshopAccess>;
