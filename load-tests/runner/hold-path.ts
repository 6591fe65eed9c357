/*
 * The hold path alone: hold + release pairs in a closed loop against one spawned server, server CPU
 * per pair read from /proc (the baseline scenario's hold phase without the rest of the run, so it
 * can be repeated back to back on a busy machine). Rounds alternate with idle pauses; the best and
 * median round are printed.
 *   npx tsx load-tests/runner/hold-path.ts [rounds=5] [seconds=5] [clients=32] [cpu-profile-dir]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from './cluster';
import { cpuSnapshot, cpuSpent } from './cpu';
import { Http } from './http';
import { createWorkshops, login, registerCustomers } from '../../server/test/fixtures/bench';

const [rounds = 5, seconds = 5, clients = 32] = process.argv.slice(2, 5).map(Number);
const cpuProfDir = process.argv[5];
const t = await startCluster({ processes: 1, quiet: true, ...(cpuProfDir ? { cpuProfDir } : {}) });
const http = new Http(t.urls);
try {
  const admin = await login(http, t.admin);
  const workshops = await createWorkshops(http, admin, 4, { bays: 50 });
  const customers = await registerCustomers(http, clients);
  const all = workshops.flatMap((w) => w.slots.map((s) => ({ w, s })));
  let cursor = 0;
  const results: Array<{ perSec: number; cpu: ReturnType<typeof cpuSpent> }> = [];
  for (let r = 0; r < rounds + 1; r++) {
    let pairs = 0;
    let failed = 0;
    const a = cpuSnapshot(t.pids);
    const end = Date.now() + seconds * 1000;
    const started = Date.now();
    await Promise.all(
      customers.map(async (c) => {
        while (Date.now() < end) {
          const { w, s } = all[cursor++ % all.length]!;
          const h = await http.post('/api/holds', { workshopId: w.id, serviceId: w.serviceId, slotId: s.id }, c.token);
          if (h.status !== 201) {
            failed++;
            continue;
          }
          const d = await http.del(`/api/holds/${h.body.hold.id}`, c.token);
          if (d.status === 204) pairs++;
          else failed++;
        }
      }),
    );
    const cpu = cpuSpent(a, cpuSnapshot(t.pids), pairs);
    const perSec = Math.round(pairs / ((Date.now() - started) / 1000));
    // Round 0 warms up (first holds load each workshop's catalog): reported, not counted.
    console.log(`${r === 0 ? 'warm-up' : `round ${r}`}: ${perSec} pairs/s, failed ${failed}, CPU ms per pair: server ${cpu.servers}, postgres ${cpu.postgres}, redis ${cpu.redis}`);
    if (r > 0) results.push({ perSec, cpu });
    await sleep(1000);
  }
  const by = [...results].sort((x, y) => x.cpu.servers - y.cpu.servers);
  console.log(`best server CPU per pair ${by[0]!.cpu.servers} ms; median ${by[Math.floor(by.length / 2)]!.cpu.servers} ms; best pairs/s ${Math.max(...results.map((x) => x.perSec))}`);
} finally {
  await http.close();
  await t.close();
}
