#!/usr/bin/env node
// A minimal stand-in for `k6 run` (k6 itself is not installed here), to smoke-test the k6
// scripts against a real server: VUs as worker threads, k6/http, k6/metrics, checks,
// thresholds, setup/teardown, per-vu-iterations and constant-arrival-rate. It is NOT k6:
// its timings are Node's; use real k6 for real numbers.
//   node load-tests/runner/k6-shim/run-k6.mjs load-tests/race.js -e BASE_URL=http://127.0.0.1:3000 -e VUS=10
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';

const args = process.argv.slice(2);
const scriptPath = args.find((a) => !a.startsWith('-') && !args[args.indexOf(a) - 1]?.startsWith('-e'));
const env = { ...process.env };
for (let i = 0; i < args.length; i++) if (args[i] === '-e') { const [k, ...v] = args[++i].split('='); env[k] = v.join('='); }
if (!scriptPath) {
  console.error('usage: run-k6.mjs SCRIPT.js [-e KEY=VALUE]…');
  process.exit(2);
}
const script = pathToFileURL(resolve(scriptPath)).href;
const samples = new Map(); // metric name → [{value, tags, kind}]
const started = performance.now();

async function serveHttp(reqs) {
  return Promise.all(
    reqs.map(async (r) => {
      const t0 = performance.now();
      const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body ?? undefined });
      const body = await res.text();
      return { status: res.status, body, headers: Object.fromEntries(res.headers), duration: performance.now() - t0 };
    }),
  );
}

let vuCount = 0;
async function spawnVu(vu, scenario) {
  const sync = new MessageChannel();
  const asyncCh = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const flagView = new Int32Array(flag);
  const worker = new Worker(new URL('./vu-worker.mjs', import.meta.url), {
    workerData: { script, env, vu, scenario, syncPort: sync.port2, asyncPort: asyncCh.port2, syncFlag: flag },
    transferList: [sync.port2, asyncCh.port2],
  });
  sync.port1.on('message', async (m) => {
    let msg;
    try {
      msg = { result: await serveHttp(m.reqs) };
    } catch (err) {
      msg = { error: String(err) };
    }
    sync.port1.postMessage(msg);
    Atomics.store(flagView, 0, 1);
    Atomics.notify(flagView, 0);
  });
  asyncCh.port1.on('message', async (m) => {
    try {
      asyncCh.port1.postMessage({ id: m.id, result: await serveHttp(m.reqs) });
    } catch (err) {
      asyncCh.port1.postMessage({ id: m.id, error: String(err) });
    }
  });
  let pending = null;
  const ready = new Promise((res) => {
    worker.on('message', (m) => {
      if (m.type === 'ready') res();
      else if (m.type === 'sample') {
        const list = samples.get(m.name) ?? [];
        list.push(m);
        samples.set(m.name, list);
      } else if (m.type === 'done') {
        const p = pending;
        pending = null;
        p?.(m);
      }
    });
  });
  worker.on('error', (err) => console.error(`VU ${vu}:`, err));
  await ready;
  vuCount++;
  return {
    run(task) {
      return new Promise((res) => {
        pending = res;
        worker.postMessage(task);
      });
    },
    stop: () => {
      sync.port1.close();
      asyncCh.port1.close();
      return worker.terminate();
    },
  };
}

const seconds = (d) => (d ? Number(/^([\d.]+)/.exec(d)[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 }[/[a-z]+$/.exec(d)?.[0] ?? 's'] ?? 1) : 0);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

function report(m, label) {
  if (m.error) console.error(`${label} failed: ${m.error}`);
  return m;
}

const control = await spawnVu(0, 'setup');
const options = (await control.run({ type: 'options' })).result;
const scenarios = options.scenarios ?? { default: { executor: 'per-vu-iterations', vus: options.vus ?? 1, iterations: options.iterations ?? 1, exec: 'default' } };
let data = null;
const setupRes = report(await control.run({ fn: 'setup', data: null, scenario: 'setup', iterationInTest: 0 }), 'setup');
if (setupRes.error) process.exit(107);
data = setupRes.result;

let dropped = 0;
let nextVu = 1;
let iterationErrors = 0;
await Promise.all(
  Object.entries(scenarios).map(async ([name, sc]) => {
    await wait(seconds(sc.startTime) * 1000);
    const fn = sc.exec ?? 'default';
    let iter = 0;
    if (sc.executor === 'per-vu-iterations') {
      await Promise.all(
        Array.from({ length: sc.vus ?? 1 }, async () => {
          const vu = await spawnVu(nextVu++, name);
          for (let i = 0; i < (sc.iterations ?? 1); i++) {
            const m = await vu.run({ fn, data, scenario: name, iterationInTest: iter++ });
            if (m.error) iterationErrors++, console.error(`${name}: ${m.error}`);
          }
          await vu.stop();
        }),
      );
    } else if (sc.executor === 'constant-arrival-rate') {
      const idle = [];
      for (let i = 0; i < sc.preAllocatedVUs; i++) idle.push(await spawnVu(nextVu++, name));
      const all = [...idle];
      const perSec = sc.rate / seconds(sc.timeUnit ?? '1s');
      const total = Math.round(perSec * seconds(sc.duration));
      const t0 = performance.now();
      const running = [];
      for (let i = 0; i < total; i++) {
        await wait(Math.max(0, t0 + (i / perSec) * 1000 - performance.now()));
        let vu = idle.pop();
        if (!vu && all.length < (sc.maxVUs ?? sc.preAllocatedVUs)) all.push((vu = await spawnVu(nextVu++, name)));
        if (!vu) {
          dropped++;
          continue;
        }
        running.push(
          vu.run({ fn, data, scenario: name, iterationInTest: iter++ }).then((m) => {
            if (m.error) iterationErrors++, console.error(`${name}: ${m.error}`);
            idle.push(vu);
          }),
        );
      }
      await Promise.all(running);
      await Promise.all(all.map((v) => v.stop()));
    } else throw new Error(`executor ${sc.executor} not shimmed`);
  }),
);
report(await control.run({ fn: 'teardown', data, scenario: 'teardown', iterationInTest: 0 }), 'teardown');
await control.stop();

// Thresholds, k6 style: "metric{tag:value}": ["p(95)<5", "count==0", "rate==1"].
function values(key) {
  const m = /^([^{]+)(?:\{([^:]+):(.*)\})?$/.exec(key);
  const list = samples.get(m[1]) ?? [];
  return list.filter((s) => !m[2] || String(s.tags[m[2]]) === m[3]);
}
function agg(list, stat) {
  const v = list.map((s) => s.value).sort((a, b) => a - b);
  const elapsed = (performance.now() - started) / 1000;
  const kind = list[0]?.kind;
  if (stat === 'count') return kind === 'counter' ? v.reduce((a, b) => a + b, 0) : v.length;
  if (stat === 'rate') return kind === 'rate' ? (v.length ? v.filter((x) => x !== 0).length / v.length : 0) : v.reduce((a, b) => a + b, 0) / elapsed;
  if (stat === 'avg') return v.reduce((a, b) => a + b, 0) / (v.length || 1);
  if (stat === 'min') return v[0] ?? 0;
  if (stat === 'max') return v[v.length - 1] ?? 0;
  if (stat === 'med') stat = 'p(50)';
  const p = /^p\(([\d.]+)\)$/.exec(stat);
  if (p) return v.length ? v[Math.min(v.length - 1, Math.ceil((Number(p[1]) / 100) * v.length) - 1)] : 0;
  throw new Error(`threshold stat ${stat} not shimmed`);
}
const ops = { '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b, '==': (a, b) => a === b, '===': (a, b) => a === b, '!=': (a, b) => a !== b };
let failed = 0;
console.log(`\nk6 shim: ${vuCount} VUs, ${dropped} dropped iterations, ${iterationErrors} iteration errors`);
for (const [key, list] of Object.entries(options.thresholds ?? {})) {
  for (const t of list) {
    const expr = typeof t === 'string' ? t : t.threshold;
    const m = /^\s*([a-z]+(?:\([\d.]+\))?)\s*(<=|>=|===|==|!=|<|>)\s*([\d.]+)\s*$/.exec(expr);
    const v = agg(values(key), m[1]);
    const ok = ops[m[2]](v, Number(m[3]));
    if (!ok) failed++;
    console.log(`  ${ok ? '✓' : '✗'} ${key} ${expr}  (${m[1]} = ${Math.round(v * 100) / 100})`);
  }
}
for (const [name, list] of samples) {
  if (list[0].kind === 'trend') console.log(`  ${name}: n=${list.length} p50=${agg(list, 'p(50)').toFixed(1)} p95=${agg(list, 'p(95)').toFixed(1)} max=${agg(list, 'max').toFixed(1)}`);
  else if (list[0].kind === 'counter') console.log(`  ${name}: ${agg(list, 'count')}`);
}
process.exit(failed || iterationErrors ? 99 : 0);
