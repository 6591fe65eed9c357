import { z } from 'zod';
import { emailSchema as email, phoneSchema } from './contact';

export const ROLES = ['customer', 'vendor', 'admin'] as const;
/** Who someone is in the marketplace. */
export type Role = (typeof ROLES)[number];

/** Self-registration: admins are never self-registered. */
export const registerSchema = z
  .object({
    email,
    password: z.string().min(8, 'Use at least 8 characters').max(200),
    name: z.string().trim().min(1, 'Tell us your name').max(100),
    role: z.enum(['customer', 'vendor']).default('customer'),
    phone: phoneSchema.optional(),
  })
  .strict();
export type RegisterInput = z.input<typeof registerSchema>;

/** `npm run admin:create`: an operator account, made from the command line (never over HTTP). */
export const createAdminSchema = registerSchema.pick({ email: true, password: true, name: true }).extend({
  password: z.string().min(12, 'An admin password needs at least 12 characters').max(200),
});
export type CreateAdminInput = z.input<typeof createAdminSchema>;

export const loginSchema = z
  .object({
    email,
    password: z.string().min(1).max(200),
  })
  .strict();
export type LoginInput = z.input<typeof loginSchema>;

/** A signed-in user changes their password: every other session ends. */
export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1).max(200),
    newPassword: z.string().min(8, 'Use at least 8 characters').max(200),
  })
  .strict();
export type ChangePasswordInput = z.input<typeof changePasswordSchema>;

/** `PATCH /api/me`: the signed-in user's name and phone (null removes the phone). */
export const updateProfileSchema = z
  .object({
    name: z.string().trim().min(1, 'Tell us your name').max(100).optional(),
    phone: phoneSchema.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Nothing to update');
export type UpdateProfileInput = z.input<typeof updateProfileSchema>;

/** A user as the API shows it (never the password hash). */
export const publicUserSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  phone: z.string().nullable(),
  /** The owner proved the address (the emailed link); new registrations start false. */
  emailVerified: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** A sign-in's answer: the user and the bearer token (also set as the HttpOnly cookie). */
export const authResultSchema = z.strictObject({ user: publicUserSchema, token: z.string() });
export type AuthResult = z.infer<typeof authResultSchema>;

/** An emailed link's token: 43 base64url characters (32 random bytes); anything else matches nothing. */
export const linkTokenSchema = z.string().min(1, 'The link has no token').max(200);

/** `POST /api/auth/password-reset`: asks for a reset link (answered 202 whether or not the account exists). */
export const passwordResetRequestSchema = z.object({ email }).strict();
export type PasswordResetRequestInput = z.input<typeof passwordResetRequestSchema>;

/** `POST /api/auth/password-reset/confirm`: the link's token and the new password (the registration policy). */
export const passwordResetConfirmSchema = z
  .object({
    token: linkTokenSchema,
    password: registerSchema.shape.password,
  })
  .strict();
export type PasswordResetConfirmInput = z.input<typeof passwordResetConfirmSchema>;

/** `POST /api/auth/verify-email`: the verification link's token. */
export const verifyEmailSchema = z.object({ token: linkTokenSchema }).strict();
export type VerifyEmailInput = z.input<typeof verifyEmailSchema>;

/** `POST /api/admin/invitations`: who to invite as an admin. */
export const createInvitationSchema = z.object({ email }).strict();
export type CreateInvitationInput = z.input<typeof createInvitationSchema>;

/** `POST /api/auth/invitations/accept`: the invitation's token, and the new admin's name and password (the admin policy). */
export const acceptInvitationSchema = z
  .object({
    token: linkTokenSchema,
    name: registerSchema.shape.name,
    password: createAdminSchema.shape.password,
  })
  .strict();
export type AcceptInvitationInput = z.input<typeof acceptInvitationSchema>;

/** A pending admin invitation as admins see it (the token itself is never shown again). */
export const invitationViewSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  invitedBy: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  /** `expired`: not used in time; it can only be revoked (or replaced by inviting the address again). */
  status: z.enum(['pending', 'expired']),
});
export type InvitationView = z.infer<typeof invitationViewSchema>;
