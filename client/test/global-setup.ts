import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/*
 * The browser project's setup: build the client once for every browser file (they would
 * otherwise each run `vite build` into the same client/dist), and say which Chromium to drive.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'client/dist/index.html');

function newestMtime(dir: string, skip: (p: string) => boolean): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (skip(p)) continue;
    max = Math.max(max, entry.isDirectory() ? newestMtime(p, skip) : statSync(p).mtimeMs);
  }
  return max;
}

/** Builds the client with Vite's API unless client/dist is newer than every source it is built from. */
export async function ensureClientBuilt(): Promise<'built' | 'fresh'> {
  const sources = Math.max(
    newestMtime(join(root, 'client/src'), () => false),
    newestMtime(join(root, 'shared'), (p) => p.endsWith('.test.ts') || p.endsWith('.md')),
    statSync(join(root, 'client/index.html')).mtimeMs,
    statSync(join(root, 'client/vite.config.ts')).mtimeMs,
  );
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources) return 'fresh';
  const { build } = await import('vite');
  await build({ configFile: join(root, 'client/vite.config.ts'), logLevel: 'warn' });
  return 'built';
}

export default async function setup(project: TestProject) {
  project.provide('chromiumPath', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  project.provide('updateScreens', process.env.UPDATE_SCREENS === '1');
  const built = await ensureClientBuilt();
  if (built === 'built') console.info('browser tests: client built into client/dist');
}
