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
  createdAt: z.iso.datetime({ offset: true }),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** A sign-in's answer: the user and the bearer token (also set as the HttpOnly cookie). */
export const authResultSchema = z.strictObject({ user: publicUserSchema, token: z.string() });
export type AuthResult = z.infer<typeof authResultSchema>;
