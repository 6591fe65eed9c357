import { z } from 'zod';
import { emailSchema } from './contact';
import { linkTokenSchema } from './auth';
import type { BookingAction } from '../booking-status';

/**
 * Staff accounts (README "Staff and roles"). Everyone working in a workshop is a member of it with
 * one role; what a member may do there is the role's permissions below. The server decides with
 * this table (server/domain/workshop-access.ts); the desk reads the same table to hide what a
 * role cannot do.
 */
export const STAFF_ROLES = ['owner', 'front_desk', 'mechanic'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** The roles an owner can invite someone as (a workshop has one owner: the account that created it). */
export const INVITABLE_ROLES = ['front_desk', 'mechanic'] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

export const PERMISSIONS = [
  /** See the desk: the workshop's bookings, schedule, threads, calendar feed and live feed. */
  'desk.view',
  /** Answer requests: accept or decline a booking (and a customer's move request). */
  'bookings.respond',
  /** Move the work along: check a car in (start), complete, mark a no-show. */
  'jobs.update',
  /** Give a booking to a mechanic and a bay. */
  'jobs.assign',
  /** Write in the booking threads with customers. */
  'messages.write',
  /** The workshop's settings: details, hours, closures, services, verification, webhooks, review replies. */
  'settings.edit',
  /** Balances, statements, the payment policy and the payout account. */
  'money.view',
  /** Invite, re-role and remove staff. */
  'staff.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The role matrix (README "Staff and roles" prints it). */
export const ROLE_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  owner: PERMISSIONS,
  front_desk: ['desk.view', 'bookings.respond', 'jobs.update', 'jobs.assign', 'messages.write'],
  mechanic: ['desk.view', 'jobs.update'],
};

export const permits = (role: StaffRole | null | undefined, permission: Permission): boolean =>
  !!role && ROLE_PERMISSIONS[role].includes(permission);

/** What a workshop-side lifecycle action needs of the actor's role (the desk hides, the server refuses). */
export const BOOKING_ACTION_PERMISSION: Record<BookingAction, Permission> = {
  accept: 'bookings.respond',
  decline: 'bookings.respond',
  cancel: 'bookings.respond',
  start: 'jobs.update',
  complete: 'jobs.update',
  'no-show': 'jobs.update',
};

export const ROLE_LABEL: Record<StaffRole, string> = { owner: 'Owner', front_desk: 'Front desk', mechanic: 'Mechanic' };

/** `POST /api/workshops/:id/staff/invitations`: invite someone by email as front desk or mechanic. */
export const staffInviteSchema = z.object({ email: emailSchema, role: z.enum(INVITABLE_ROLES) }).strict();
export type StaffInviteInput = z.input<typeof staffInviteSchema>;

/** `PATCH /api/workshops/:id/staff/:userId`: another role (the owner's own role never changes). */
export const staffRoleSchema = z.object({ role: z.enum(INVITABLE_ROLES) }).strict();

export const staffMemberViewSchema = z.strictObject({
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(STAFF_ROLES),
  invitedBy: z.string().nullable(),
  since: z.iso.datetime({ offset: true }),
});
export type StaffMemberView = z.infer<typeof staffMemberViewSchema>;

export const staffInvitationViewSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(INVITABLE_ROLES),
  invitedBy: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  status: z.enum(['pending', 'expired']),
});
export type StaffInvitationView = z.infer<typeof staffInvitationViewSchema>;

/** A workshop's team: members, and (for those who manage staff) open invitations. */
export const staffListSchema = z.strictObject({
  members: z.array(staffMemberViewSchema),
  invitations: z.array(staffInvitationViewSchema),
});
export type StaffList = z.infer<typeof staffListSchema>;

/** `POST /api/auth/staff-invitations/preview`: what an invitation link is for, before accepting. */
export const staffInvitePreviewInputSchema = z.object({ token: linkTokenSchema }).strict();
export const staffInvitePreviewSchema = z.strictObject({
  workshopName: z.string(),
  role: z.enum(INVITABLE_ROLES),
  email: z.string(),
  /** The address has an account: accept with its password; otherwise choose a name and password. */
  hasAccount: z.boolean(),
});
export type StaffInvitePreview = z.infer<typeof staffInvitePreviewSchema>;

/**
 * `POST /api/auth/staff-invitations/accept`: a new account (name + password) or, when the address
 * has a workshop-side account already, that account's password (proves it is theirs).
 */
export const staffInviteAcceptSchema = z
  .object({
    token: linkTokenSchema,
    password: z.string().min(8, 'Use at least 8 characters').max(200),
    name: z.string().trim().min(1, 'Tell us your name').max(100).optional(),
  })
  .strict();
export type StaffInviteAcceptInput = z.input<typeof staffInviteAcceptSchema>;

/** `PUT /api/bookings/:id/assignment`: a mechanic (a member of the booking's workshop) and a bay (1..bays); null clears. */
export const assignmentSchema = z
  .object({
    assigneeId: z.uuid().nullable(),
    bay: z.int().min(1).max(50).nullable(),
  })
  .strict();
export type AssignmentInput = z.input<typeof assignmentSchema>;

/** My workshops as the desk lists them: each with my role there. */
export const membershipSchema = z.strictObject({ workshopId: z.uuid(), role: z.enum(STAFF_ROLES) });
