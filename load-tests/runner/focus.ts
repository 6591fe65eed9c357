/*
 * One hot path alone against a fresh server: server/Postgres/Redis CPU per operation, optionally
 * profiled. npx tsx load-tests/runner/focus.ts availability|hold|confirm [seconds] [--workers N] [--cpu-prof DIR]
 */
import { closedLoop } from './arrivals';
import { startCluster } from './cluster';
import { cpuSnapshot, cpuSpent } from './cpu';
import { createWorkshops, login, registerCustomers } from '../../server/test/fixtures/bench';
import { Http } from './http';

const mode = process.argv[2] ?? 'availability';
const sec = Number(process.argv[3] ?? 5);
const profIdx = process.argv.indexOf('--cpu-prof');
const workersIdx = process.argv.indexOf('--workers');
const workers = workersIdx > 0 ? Number(process.argv[workersIdx + 1]) : 1;
const C = 16;
const t = await startCluster({ processes: 1, workers, quiet: true, cpuProfDir: profIdx > 0 ? process.argv[profIdx + 1] : undefined });
const http = new Http(t.urls);
try {
  const admin = await login(http, t.admin);
  const workshops = await createWorkshops(http, admin, 4, { bays: 50 });
  const customers = await registerCustomers(http, C);
  const all = workshops.flatMap((w) => w.slots.map((s) => ({ w, s })));
  let cursor = 0;
  let failed = 0;
  const op = async (worker: number, i: number) => {
    if (mode === 'availability') {
      const r = await http.get(`/api/workshops/${workshops[i % workshops.length]!.id}/availability`);
      if (r.status !== 200) failed++;
      return;
    }
    const { w, s } = all[cursor++ % all.length]!;
    const token = customers[worker]!.token;
    const h = await http.post('/api/holds', { workshopId: w.id, serviceId: w.serviceId, slotId: s.id }, token);
    if (h.status !== 201) return void failed++;
    if (mode === 'hold') {
      await http.del(`/api/holds/${h.body.hold.id}`, token);
      return;
    }
    const r = await http.post('/api/bookings', { holdId: h.body.hold.id }, token, { 'Idempotency-Key': `f-${worker}-${i}-${cursor}` });
    if (r.status !== 201) {
      failed++;
      if (failed < 3) console.error(r.status, JSON.stringify(r.body));
    }
  };
  await closedLoop(C, 1, op);
  const before = cpuSnapshot(t.pids);
  const r = await closedLoop(C, sec, op);
  const spent = cpuSpent(before, cpuSnapshot(t.pids), r.iterations);
  console.log(JSON.stringify({ mode, ops: r.iterations, perSec: Math.round(r.iterations / (r.elapsedMs / 1000)), failed, cpuMsPerOp: spent }));
} finally {
  await http.close();
  await t.close();
}
