import type { MailPreferences, MailPreferencesPatch } from '@shared/schemas/mail';
import type { Principal } from './actor';
import { DomainError } from './errors';
import type { MailCategory } from './notifications';

/** Port: per-user opt-outs of non-essential mail (no row: everything on). */
export interface MailPreferenceStore {
  get(userId: string): Promise<MailPreferences>;
  /** Applies the patch and returns the result; the user must exist. */
  update(userId: string, patch: MailPreferencesPatch): Promise<MailPreferences>;
}

/** Port: reads a signed unsubscribe link's token (who, which category); null when it is not ours. */
export type UnsubscribeVerifier = (token: string) => Promise<{ userId: string; category: MailCategory } | null>;

/** A user's choices about reminders and review requests; essential mail has no switch. */
export function createMailPreferences(deps: { store: MailPreferenceStore; verify: UnsubscribeVerifier }) {
  return {
    mine: (p: Principal) => deps.store.get(p.id),
    update: (p: Principal, patch: MailPreferencesPatch) => deps.store.update(p.id, patch),
    /** The link in a message, without signing in: turns that category off for the token's user. */
    async unsubscribe(token: string): Promise<{ category: MailCategory }> {
      const claims = await deps.verify(token);
      if (!claims) throw new DomainError('VALIDATION_FAILED', 'This unsubscribe link is not valid');
      await deps.store.update(claims.userId, { [claims.category]: false });
      return { category: claims.category };
    },
  };
}

export type MailPreferencesService = ReturnType<typeof createMailPreferences>;
