import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { MailCategory } from '../domain/notifications';

const CATEGORIES = new Set<string>(['reminders', 'reviews']);

/**
 * Signed unsubscribe links (HS256, no expiry: a link in an old message must keep working). The key
 * is derived from the app secret for this purpose alone, so a session token never passes here and
 * an unsubscribe token never signs anyone in.
 */
export function createUnsubscribeTokens(appSecret: string) {
  const key = createHash('sha256').update(`holdfast:unsubscribe:${appSecret}`).digest();
  return {
    issue: (userId: string, category: MailCategory) =>
      new SignJWT({ cat: category }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setAudience('unsubscribe').setIssuer('holdfast').sign(key),
    async verify(token: string): Promise<{ userId: string; category: MailCategory } | null> {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience: 'unsubscribe', issuer: 'holdfast' });
        if (typeof payload.sub !== 'string' || typeof payload.cat !== 'string' || !CATEGORIES.has(payload.cat)) return null;
        return { userId: payload.sub, category: payload.cat as MailCategory };
      } catch {
        return null;
      }
    },
  };
}

export type UnsubscribeTokens = ReturnType<typeof createUnsubscribeTokens>;
