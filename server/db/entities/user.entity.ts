import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const User = defineEntity({
  name: 'User',
  tableName: 'user',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    // Stored lower-cased, so the unique index is case-insensitive by construction.
    email: p.string().length(254).unique(),
    name: p.string().length(100),
    // Optional; shown only to the workshops this customer books (and to admins).
    phone: p.string().length(32).nullable(),
    role: p.enum(['customer', 'vendor', 'admin'] as const),
    // An admin suspends an account: it can no longer sign in and its sessions end at once.
    status: p.enum(['active', 'suspended'] as const).default('active'),
    passwordHash: p.string().length(200).hidden(),
    // When the owner proved the address (the emailed link, a password reset, an invitation); null: not yet.
    emailVerifiedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IUser = InferEntity<typeof User>;
