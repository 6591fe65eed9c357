import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Test files run in parallel on one database per run. A sweep that scans the whole database
 * (accept SLA, orphaned payment attempts, escrow release, pending provider calls, insurance lapse)
 * called on a moved clock acts on other files' rows, whose deadlines are in real time: a 2027
 * clock expires every other file's pending request and voids their confirms in flight. Such a
 * file must take a database of its own (useOwnDatabase in server/test/harness.ts).
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const WHOLE_DATABASE_SWEEPS = /\b(expireOverdue|sweepOrphans|releaseDue|sweepPending|lapseExpiredInsurance)\b/;
const MOVED_CLOCK = /\b(manualClock|offsetClock)\(/;
// The SLA sweeper test moves its clock to the epoch, where nothing anywhere is overdue.
const AT_THE_EPOCH = new Set(['server/test/sla-sweeper.test.ts']);

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('test isolation on the shared test database', () => {
  const files = [...testFiles('server/test'), ...testFiles('client/test')];

  it('finds the files it guards', () => {
    expect(files.filter((f) => WHOLE_DATABASE_SWEEPS.test(readFileSync(join(root, f), 'utf8'))).length).toBeGreaterThan(5);
  });

  it('gives every file that sweeps the whole database on a moved clock a database of its own', () => {
    const offenders = files.filter((f) => {
      if (AT_THE_EPOCH.has(f)) return false;
      const text = readFileSync(join(root, f), 'utf8');
      return WHOLE_DATABASE_SWEEPS.test(text) && MOVED_CLOCK.test(text) && !text.includes('useOwnDatabase(');
    });
    expect(offenders).toEqual([]);
  });
});
