import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { LinkSecrets } from '../domain/account-links';

/** SHA-256 of a link token, hex: what account_token stores and looks tokens up by. */
export const linkTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Token material for emailed links (domain/account-links.ts). A token is 32 random bytes,
 * base64url; the database keeps only its SHA-256. Between the write and the send the mail worker
 * still needs the raw token to put it in the link, so the outbox row carries it sealed:
 * AES-256-GCM under a key derived from the app secret for this purpose alone, with the token's
 * hash as associated data (a sealed value moved to another row does not open). The worker clears
 * the sealed value once the message is sent, skipped or failed for good.
 */
export function createLinkSecrets(appSecret: string): LinkSecrets & { unseal(sealed: string, hash: string): string | null } {
  const key = createHash('sha256').update(`holdfast:account-links:${appSecret}`).digest();
  return {
    mint() {
      const token = randomBytes(32).toString('base64url');
      return { token, hash: linkTokenHash(token) };
    },
    hashOf: linkTokenHash,
    seal(token, hash) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(hash, 'utf8'));
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    /** The raw token, or null when the value was not sealed by this secret for this hash. */
    unseal(sealed, hash) {
      const [v, iv, body, tag] = sealed.split('.');
      if (v !== 'v1' || !iv || !body || !tag) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(hash, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const token = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        return linkTokenHash(token) === hash ? token : null;
      } catch {
        return null;
      }
    },
  };
}

export type LinkTokenSecrets = ReturnType<typeof createLinkSecrets>;
