import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm start`'s command line with another entry file: node itself with tsx's loader. Not the tsx
 * CLI: its signal relay SIGKILLs the server when the server has not acknowledged a SIGTERM within
 * 30 ms, which a busy event loop on a loaded host cannot promise, so a graceful shutdown became a
 * kill (seen in main-process.test.ts's SIGTERM test at load average 15).
 */
export function startCommand(entry = 'server/main.ts'): string[] {
  const [bin, ...args] = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');
  if (bin !== 'node') throw new Error(`npm start runs ${bin}, not node: update startCommand()`);
  return args.map((a) => (a === 'server/main.ts' ? entry : a));
}
