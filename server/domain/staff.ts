import type { InvitableRole, StaffInvitationView, StaffList, StaffMemberView, StaffRole } from '@shared/schemas/staff';
import { permits } from '@shared/schemas/staff';
import type { Principal } from './actor';
import type { AccountLinks } from './account-links';
import { DomainError, notFound } from './errors';
import type { MembershipReader, StaffAccess } from './workshop-access';

export interface MemberRecord {
  userId: string;
  name: string;
  email: string;
  role: StaffRole;
  invitedBy: string | null;
  since: Date;
}

/** Port: a workshop's members (db/workshop-member.repository.ts). The owner's row is never changed or removed. */
export interface MemberStore extends MembershipReader {
  list(workshopId: string): Promise<MemberRecord[]>;
  hasEmail(workshopId: string, email: string): Promise<boolean>;
  /** false: no such member, or the owner. */
  setRole(workshopId: string, userId: string, role: InvitableRole): Promise<boolean>;
  /** false: no such member, or the owner. */
  remove(workshopId: string, userId: string): Promise<boolean>;
}

/** Port: tells a member's open screens their access changed (join or leave the workshop's live feed at once, on every process). */
export interface StaffPublisher {
  staffAccess(e: { workshopId: string; userId: string; role: StaffRole | null }): void;
}

const memberView = (m: MemberRecord): StaffMemberView => ({ userId: m.userId, name: m.name, email: m.email, role: m.role, invitedBy: m.invitedBy, since: m.since.toISOString() });

/**
 * A workshop's team: the owner invites staff by email (account-links.ts issues the link), changes
 * their role and removes them. Removal is immediate: the next request finds no membership and
 * the member's sockets leave the workshop's `vendor:` room on every process.
 */
export function createStaff(deps: { members: MemberStore; access: StaffAccess; links: Pick<AccountLinks, 'inviteStaff' | 'staffInvitations' | 'revokeStaffInvitation'>; publisher: StaffPublisher }) {
  const { members, access, links, publisher } = deps;

  return {
    /** Members (owner and front desk, who assign jobs); open invitations for whoever manages staff. */
    async list(actor: Principal, workshopId: string): Promise<StaffList> {
      const { role } = await access.require(actor, workshopId, 'jobs.assign');
      const [list, invitations] = await Promise.all([
        members.list(workshopId),
        permits(role, 'staff.manage') ? links.staffInvitations(workshopId) : Promise.resolve([]),
      ]);
      return {
        members: list.map(memberView),
        invitations: invitations.map((i): StaffInvitationView => ({
          id: i.id, email: i.email, role: i.role, invitedBy: i.invitedByName, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString(), status: i.status,
        })),
      };
    },

    async invite(actor: Principal, workshopId: string, input: { email: string; role: InvitableRole }): Promise<StaffInvitationView> {
      await access.require(actor, workshopId, 'staff.manage');
      const i = await links.inviteStaff(actor.id, { workshopId, role: input.role }, input.email, (email) => members.hasEmail(workshopId, email));
      return { id: i.id, email: i.email, role: i.role, invitedBy: i.invitedByName, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString(), status: 'pending' };
    },

    async revokeInvitation(actor: Principal, workshopId: string, invitationId: string): Promise<void> {
      await access.require(actor, workshopId, 'staff.manage');
      await links.revokeStaffInvitation(workshopId, invitationId);
    },

    async changeRole(actor: Principal, workshopId: string, userId: string, role: InvitableRole): Promise<StaffMemberView> {
      await access.require(actor, workshopId, 'staff.manage');
      if (!(await members.setRole(workshopId, userId, role))) throw ownerOrMissing(await members.roleOf(workshopId, userId));
      publisher.staffAccess({ workshopId, userId, role });
      const m = (await members.list(workshopId)).find((x) => x.userId === userId);
      if (!m) throw notFound('Member');
      return memberView(m);
    },

    async remove(actor: Principal, workshopId: string, userId: string): Promise<void> {
      await access.require(actor, workshopId, 'staff.manage');
      if (!(await members.remove(workshopId, userId))) throw ownerOrMissing(await members.roleOf(workshopId, userId));
      publisher.staffAccess({ workshopId, userId, role: null });
    },
  };
}

function ownerOrMissing(role: StaffRole | null) {
  return role === 'owner' ? new DomainError('CONFLICT', 'The owner stays the owner: their role cannot change and they cannot be removed') : notFound('Member');
}

export type Staff = ReturnType<typeof createStaff>;
