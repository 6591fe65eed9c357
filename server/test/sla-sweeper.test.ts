import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { useTestServer } from './harness';

const INTERVAL_MS = 20;
// The real sweeps that run before the stub goes in scan the database every file shares: at the
// epoch no booking anywhere is overdue, so they expire nothing of another file's.
const ctx = useTestServer({ SLA_SWEEP_INTERVAL_MS: String(INTERVAL_MS) }, { clock: manualClock(0), sweepers: true });

describe('the accept-SLA sweeper', () => {
  it('never overlaps itself: while one sweep hangs (a slow Postgres) no other starts; the next follows once it ends', async () => {
    const transitions = ctx.server.services.transitions;
    const original = transitions.expireOverdue;
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const firstStarted = new Promise<void>((r) => (started = r));
    let secondStarted!: () => void;
    const second = new Promise<void>((r) => (secondStarted = r));
    transitions.expireOverdue = async () => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls === 1) started();
      if (calls === 2) secondStarted();
      try {
        if (calls === 1) await gate;
        return 0;
      } finally {
        running--;
      }
    };
    try {
      await firstStarted;
      // Proving that something does NOT happen takes time: 25 intervals with the first sweep stuck.
      await sleep(INTERVAL_MS * 25);
      expect(calls).toBe(1);
      release();
      await second;
      expect(maxRunning).toBe(1);
    } finally {
      transitions.expireOverdue = original;
    }
  });

  it('finds overdue requests through an index on booking(status, accept_deadline)', async () => {
    const rows = await ctx.server.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ indexdef: string }>>(`select indexdef from pg_indexes where tablename = 'booking'`);
    expect(rows.map((r) => r.indexdef).some((d) => /\(status, accept_deadline\)/.test(d)), JSON.stringify(rows)).toBe(true);
  });
});
