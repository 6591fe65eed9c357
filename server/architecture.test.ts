import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The dependency rules of docs/architecture.md, checked on the source: a rule that is only
 * remembered is eventually forgotten (a missed `slotsChanged` silently breaks every client's seq).
 */

const SERVER = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sources(SERVER).map((path) => ({ path: relative(SERVER, path), text: readFileSync(path, 'utf8') }));
const importsOf = (text: string) => [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);

describe('architecture', () => {
  it('publishes slot changes only from the live-counts unit (its publisher port, the bus and the hub excepted)', () => {
    const callers = files.filter((f) => /\.slotsChanged\(/.test(f.text)).map((f) => f.path).sort();
    expect(callers).toEqual(['domain/domain-events.ts', 'domain/live-counts.ts']);
  });

  it('keeps the domain free of transports, store drivers and provider SDKs, and of the layers that implement its ports', () => {
    const offending = files
      .filter((f) => f.path.startsWith('domain/'))
      .flatMap((f) => importsOf(f.text).filter((m) => /^(hono|socket\.io|ioredis|@mikro-orm|stripe)|\.\.\/(redis|db|http|realtime|payments)\//.test(m)).map((m) => `${f.path} → ${m}`));
    expect(offending).toEqual([]);
  });

  it('keeps the Stripe SDK inside its adapter (server/payments/stripe-*)', () => {
    const users = files.filter((f) => importsOf(f.text).includes('stripe')).map((f) => f.path).sort();
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((p) => !/^payments\/stripe-[a-z-]+\.ts$/.test(p))).toEqual([]);
  });

  it('lets realtime reach neither the services object nor the HTTP layer (auth, origin checks and limits come as ports or from auth/)', () => {
    const offending = files
      .filter((f) => f.path.startsWith('realtime/'))
      .flatMap((f) => importsOf(f.text).filter((m) => /\/services$|\.\.\/http\//.test(m)).map((m) => `${f.path} → ${m}`));
    expect(offending).toEqual([]);
  });

  it('writes the ledger only through its repository (every posting is a balanced, idempotent transaction built in domain/money)', () => {
    const writers = files.filter((f) => /insert\s+into\s+"?ledger_/i.test(f.text)).map((f) => f.path).sort();
    expect(writers).toEqual(['db/ledger.repository.ts']);
  });

  it('composes in one place: the board and the realtime hub are built by runtime.ts alone', () => {
    const builders = files.filter((f) => /(?<!function )\bcreate(Board|Realtime)\(/.test(f.text)).map((f) => f.path);
    expect(builders).toEqual(['runtime.ts']);
  });
});
