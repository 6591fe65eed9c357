import { describe, expect, it } from 'vitest';
import { createLinkSecrets, linkTokenHash } from './link-tokens';

describe('link tokens', () => {
  const secrets = createLinkSecrets('app-secret-one');

  it('mints 32 random bytes (base64url) and keeps only their SHA-256', () => {
    const a = secrets.mint();
    const b = secrets.mint();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(linkTokenHash(a.token));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('seals a token so that only the same secret, for the same hash, opens it', () => {
    const { token, hash } = secrets.mint();
    const sealed = secrets.seal(token, hash);
    expect(sealed).not.toContain(token);
    expect(secrets.seal(token, hash)).not.toBe(sealed); // a fresh IV each time
    expect(secrets.unseal(sealed, hash)).toBe(token);

    const other = secrets.mint();
    expect(secrets.unseal(sealed, other.hash), 'moved to another token row').toBeNull();
    expect(createLinkSecrets('app-secret-two').unseal(sealed, hash), 'another app secret').toBeNull();
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = `${body!.slice(0, -2)}${body!.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(secrets.unseal([v, iv, flipped, tag].join('.'), hash), 'tampered').toBeNull();
    expect(secrets.unseal('garbage', hash)).toBeNull();
  });
});
