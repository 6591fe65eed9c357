import { z } from 'zod';

export const ROLES = ['customer', 'vendor', 'admin'] as const;
/** Who someone is in the marketplace. */
export type Role = (typeof ROLES)[number];

const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address' }))
  .transform((v) => v.toLowerCase());

/** Self-registration: admins are never self-registered. */
export const registerSchema = z
  .object({
    email,
    password: z.string().min(8, 'Use at least 8 characters').max(200),
    name: z.string().trim().min(1, 'Tell us your name').max(100),
    role: z.enum(['customer', 'vendor']).default('customer'),
  })
  .strict();
export type RegisterInput = z.input<typeof registerSchema>;

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

/** A user as the API shows it (never the password hash). */
export const publicUserSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.iso.datetime({ offset: true }),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** A sign-in's answer: the user and the bearer token (also set as the HttpOnly cookie). */
export const authResultSchema = z.strictObject({ user: publicUserSchema, token: z.string() });
export type AuthResult = z.infer<typeof authResultSchema>;
