import type { InvitableRole } from '@shared/schemas/staff';
import type { UserRecord, PasswordHasher, UserStore } from './accounts';
import type { Clock } from './clock';
import { DomainError, notFound } from './errors';
import type { AccountStatus } from './sessions';

/**
 * Emailed single-use links: password reset, email verification and admin invitations. A link
 * carries a random token; only its SHA-256 is stored, with an expiry counted on the domain clock
 * (issued and checked against `clock.now()`, never the database's now), and using it is one
 * guarded update (`used_at is null`), so a token works once however many tabs race.
 * The message is written to the outbox in the same transaction as the token row.
 */

export type LinkPurpose = 'password_reset' | 'email_verify' | 'admin_invite' | 'staff_invite';

/** How long each link works. */
export const LINK_TTL_MS: Record<LinkPurpose, number> = {
  password_reset: 3_600_000,
  email_verify: 7 * 86_400_000,
  admin_invite: 72 * 3_600_000,
  staff_invite: 7 * 86_400_000,
};

/** What a staff invitation invites to (account_token.workshop_id, staff_role). */
export interface StaffInviteTarget {
  workshopId: string;
  role: InvitableRole;
}

export interface LinkTokenRecord {
  id: string;
  purpose: LinkPurpose;
  /** The account it is for (null: an invitation, whose account does not exist yet). */
  userId: string | null;
  email: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  /** The account's status now (null for an invitation). */
  userStatus: AccountStatus | null;
  /** A staff invitation's workshop (and its name) and role; null for every other purpose. */
  staff: (StaffInviteTarget & { workshopName: string }) | null;
}

export interface StaffInvitationRecord extends InvitationRecord {
  role: InvitableRole;
}

export interface InvitationRecord {
  id: string;
  email: string;
  invitedByName: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Port: the token rows and, in the same transaction, the mail they owe. */
export interface LinkTokenStore {
  /**
   * Writes the token (its hash) and its outbox message (to `userId`, or to `email` for an
   * invitation, carrying `sealedToken`) in one transaction; open tokens of the same purpose for
   * the same account (or invited address) are revoked in it, so only the newest link works.
   */
  issue(t: { purpose: LinkPurpose; userId: string | null; email: string; invitedBy: string | null; tokenHash: string; sealedToken: string; now: Date; expiresAt: Date; staff?: StaffInviteTarget }): Promise<{ id: string }>;
  findByHash(tokenHash: string): Promise<LinkTokenRecord | null>;
  /** Uses the token and sets the password (and marks the address verified) in one transaction; false: the token was used or revoked meanwhile. */
  resetPassword(id: string, now: Date, passwordHash: string): Promise<boolean>;
  /** Uses the token and marks the account's address verified; false as above. */
  verifyEmail(id: string, now: Date): Promise<boolean>;
  /** Uses the token and creates the verified admin; 'used' as above, 'email_taken' (nothing changed) when the address has an account. */
  acceptInvitation(id: string, now: Date, a: { email: string; name: string; passwordHash: string }): Promise<UserRecord | 'used' | 'email_taken'>;
  /** Invitations neither used nor revoked, newest first. */
  openInvitations(): Promise<InvitationRecord[]>;
  /** false: no such open invitation. */
  revokeInvitation(id: string, now: Date): Promise<boolean>;
  /**
   * Uses a staff invitation and makes the member in one transaction: `existing` joins an account
   * that has the address, `create` makes a verified workshop-side account first. 'used' as above;
   * 'email_taken' when the address got an account meanwhile (nothing changed); 'member' when the
   * account belongs to the workshop already (the token is used).
   */
  acceptStaffInvitation(id: string, now: Date, who: { existing: string } | { create: { email: string; name: string; passwordHash: string } }): Promise<UserRecord | 'used' | 'email_taken' | 'member'>;
  /** A workshop's staff invitations neither used nor revoked, newest first. */
  openStaffInvitations(workshopId: string): Promise<StaffInvitationRecord[]>;
  /** false: no such open invitation of this workshop. */
  revokeStaffInvitation(workshopId: string, id: string, now: Date): Promise<boolean>;
}

/** Port: token material (server/auth/link-tokens.ts). */
export interface LinkSecrets {
  /** A new random token and its hash. */
  mint(): { token: string; hash: string };
  hashOf(token: string): string;
  /** The raw token sealed for the outbox row until the message is sent (bound to its hash). */
  seal(token: string, hash: string): string;
}

const invalid = () => new DomainError('TOKEN_INVALID', 'This link is not valid. Ask for a new one.');

export function createAccountLinks(deps: {
  users: UserStore;
  store: LinkTokenStore;
  secrets: LinkSecrets;
  hasher: PasswordHasher;
  clock: Clock;
  /** Told after mail was written (runtime: kicks the mail relay). */
  mailOwed?: () => void;
  /** Told after someone joined a workshop through a staff invitation (their open screens join its live feed). */
  staffJoined?: (e: { workshopId: string; userId: string; role: InvitableRole }) => void;
}) {
  const { users, store, secrets, hasher, clock } = deps;

  async function issue(purpose: LinkPurpose, to: { userId: string | null; email: string; invitedBy?: string; staff?: StaffInviteTarget }) {
    const now = clock.now();
    const { token, hash } = secrets.mint();
    const row = await store.issue({
      purpose,
      userId: to.userId,
      email: to.email,
      invitedBy: to.invitedBy ?? null,
      tokenHash: hash,
      sealedToken: secrets.seal(token, hash),
      now: new Date(now),
      expiresAt: new Date(now + LINK_TTL_MS[purpose]),
      staff: to.staff,
    });
    deps.mailOwed?.();
    return row;
  }

  /** The token's row if it is for `purpose` and still usable now; the precise refusal otherwise. */
  async function usable(token: string, purpose: LinkPurpose): Promise<LinkTokenRecord> {
    const t = await store.findByHash(secrets.hashOf(token));
    if (!t || t.purpose !== purpose || t.revokedAt) throw invalid();
    if (t.usedAt) throw new DomainError('TOKEN_USED', 'This link was used already. Ask for a new one if you still need it.');
    if (t.expiresAt.getTime() <= clock.now()) throw new DomainError('TOKEN_EXPIRED', 'This link has expired. Ask for a new one.');
    return t;
  }
  const usedMeanwhile = () => new DomainError('TOKEN_USED', 'This link was used already. Ask for a new one if you still need it.');

  return {
    /**
     * Mails a reset link when the address belongs to an active account; says nothing either way
     * (the caller answers 202 regardless), so the endpoint tells no one which addresses exist.
     */
    async requestPasswordReset(email: string): Promise<void> {
      const found = await users.findCredentials(email);
      if (!found || found.user.status !== 'active') return;
      await issue('password_reset', { userId: found.user.id, email: found.user.email });
    },

    /** Sets the new password through a reset link; returns the user (the caller ends their sessions). */
    async resetPassword(token: string, password: string): Promise<UserRecord> {
      const t = await usable(token, 'password_reset');
      // A suspended account stays locked: the link is refused and left unused.
      if (t.userStatus !== 'active') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended');
      const passwordHash = await hasher.hash(password);
      if (!(await store.resetPassword(t.id, new Date(clock.now()), passwordHash))) throw usedMeanwhile();
      const user = await users.findById(t.userId!);
      if (!user) throw invalid();
      return user;
    },

    /** Mails a verification link to an unverified account (after registering, or asked again). */
    async sendVerification(userId: string): Promise<void> {
      const user = await users.findById(userId);
      if (!user) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists');
      if (user.emailVerifiedAt) throw new DomainError('ALREADY_VERIFIED', 'Your email address is verified already');
      await issue('email_verify', { userId: user.id, email: user.email });
    },

    /** Marks the address verified through its link (no sign-in needed: the link may open in another browser). */
    async verifyEmail(token: string): Promise<void> {
      const t = await usable(token, 'email_verify');
      if (!(await store.verifyEmail(t.id, new Date(clock.now())))) throw usedMeanwhile();
    },

    /** An admin invites someone to become an admin: a link to set their name and password. */
    async invite(actorId: string, email: string): Promise<InvitationRecord> {
      if (await users.findCredentials(email)) throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
      const { id } = await issue('admin_invite', { userId: null, email: email.toLowerCase(), invitedBy: actorId });
      const found = (await store.openInvitations()).find((i) => i.id === id);
      if (!found) throw notFound('Invitation');
      return found;
    },

    /** Open invitations, each with whether it is still pending or has expired (on the domain clock). */
    async invitations() {
      const now = clock.now();
      return (await store.openInvitations()).map((i) => ({ ...i, status: i.expiresAt.getTime() <= now ? ('expired' as const) : ('pending' as const) }));
    },

    async revokeInvitation(id: string): Promise<void> {
      if (!(await store.revokeInvitation(id, new Date(clock.now())))) throw notFound('Invitation');
    },

    /** The invitee sets their name and password: a verified admin account is created. */
    async acceptInvitation(token: string, input: { name: string; password: string }): Promise<UserRecord> {
      const t = await usable(token, 'admin_invite');
      const passwordHash = await hasher.hash(input.password);
      const made = await store.acceptInvitation(t.id, new Date(clock.now()), { email: t.email, name: input.name, passwordHash });
      if (made === 'used') throw usedMeanwhile();
      if (made === 'email_taken') throw new DomainError('EMAIL_TAKEN', 'An account with this email already exists');
      return made;
    },

    /**
     * An owner invites someone by email to work in a workshop as `role` (the caller checked
     * staff.manage). The address may have a workshop-side account already (it joins with that
     * account's password) or none (the link makes one); a customer account cannot be staff.
     */
    async inviteStaff(actorId: string, target: StaffInviteTarget, email: string, isMember: (email: string) => Promise<boolean>): Promise<StaffInvitationRecord> {
      const address = email.toLowerCase();
      const found = await users.findCredentials(address);
      if (found && found.user.role !== 'vendor') {
        throw new DomainError('EMAIL_TAKEN', 'This address belongs to a customer or admin account; invite another address for work');
      }
      if (await isMember(address)) throw new DomainError('CONFLICT', 'This person already works in this workshop');
      const { id } = await issue('staff_invite', { userId: null, email: address, invitedBy: actorId, staff: target });
      const made = (await store.openStaffInvitations(target.workshopId)).find((i) => i.id === id);
      if (!made) throw notFound('Invitation');
      return made;
    },

    async staffInvitations(workshopId: string) {
      const now = clock.now();
      return (await store.openStaffInvitations(workshopId)).map((i) => ({ ...i, status: i.expiresAt.getTime() <= now ? ('expired' as const) : ('pending' as const) }));
    },

    async revokeStaffInvitation(workshopId: string, id: string): Promise<void> {
      if (!(await store.revokeStaffInvitation(workshopId, id, new Date(clock.now())))) throw notFound('Invitation');
    },

    /** What a staff link invites to, and whether the address has an account (the page asks for its password then). */
    async staffInvitePreview(token: string) {
      const t = await usable(token, 'staff_invite');
      const found = await users.findCredentials(t.email);
      return { workshopName: t.staff!.workshopName, role: t.staff!.role, email: t.email, hasAccount: !!found };
    },

    /**
     * Accepts a staff invitation: with an existing workshop-side account of that address, its
     * password proves it is theirs; otherwise a verified account is made with `name` and `password`.
     * Returns the account (the caller signs it in) and what it joined.
     */
    async acceptStaffInvitation(token: string, input: { name?: string; password: string }): Promise<{ user: UserRecord; workshopId: string; role: InvitableRole }> {
      const t = await usable(token, 'staff_invite');
      const staff = t.staff!;
      const found = await users.findCredentials(t.email);
      let made: UserRecord | 'used' | 'email_taken' | 'member';
      if (found) {
        if (!(await hasher.verify(input.password, found.passwordHash))) throw new DomainError('INVALID_CREDENTIALS', 'That is not the password of the account with this address');
        if (found.user.role !== 'vendor') throw new DomainError('EMAIL_TAKEN', 'This address belongs to a customer or admin account, which cannot work in a workshop');
        if (found.user.status !== 'active') throw new DomainError('ACCOUNT_SUSPENDED', 'This account is suspended');
        made = await store.acceptStaffInvitation(t.id, new Date(clock.now()), { existing: found.user.id });
      } else {
        if (!input.name) throw new DomainError('VALIDATION_FAILED', 'Invalid input: name: Tell us your name', [{ path: 'name', message: 'Tell us your name' }]);
        const passwordHash = await hasher.hash(input.password);
        made = await store.acceptStaffInvitation(t.id, new Date(clock.now()), { create: { email: t.email, name: input.name, passwordHash } });
      }
      if (made === 'used') throw usedMeanwhile();
      if (made === 'email_taken') throw new DomainError('EMAIL_TAKEN', 'An account with this email was made meanwhile; open the link again to join with it');
      if (made === 'member') throw new DomainError('CONFLICT', 'You already work in this workshop');
      deps.staffJoined?.({ workshopId: staff.workshopId, userId: made.id, role: staff.role });
      return { user: made, workshopId: staff.workshopId, role: staff.role };
    },
  };
}

export type AccountLinks = ReturnType<typeof createAccountLinks>;
