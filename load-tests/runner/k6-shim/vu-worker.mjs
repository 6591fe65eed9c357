// One k6 VU: its own JS runtime (a worker thread), so sleep() and synchronous HTTP block only it.
import { register } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

register('./hooks.mjs', import.meta.url);
globalThis.__ENV = workerData.env;
globalThis.__VU = workerData.vu;
globalThis.__ITER = 0;
globalThis.__k6tags = { scenario: workerData.scenario ?? 'setup' };
const script = await import(workerData.script);

parentPort.on('message', async (task) => {
  if (task.type === 'options') {
    parentPort.postMessage({ type: 'done', result: JSON.parse(JSON.stringify(script.options ?? {})) });
    return;
  }
  globalThis.__k6exec = { scenario: task.scenario, iterationInTest: task.iterationInTest };
  globalThis.__k6tags = { scenario: task.scenario };
  try {
    const fn = script[task.fn];
    if (typeof fn !== 'function' && (task.fn === 'setup' || task.fn === 'teardown')) {
      parentPort.postMessage({ type: 'done', result: null });
      return;
    }
    if (typeof fn !== 'function') throw new Error(`the script exports no function ${task.fn}`);
    const result = await fn(task.data);
    globalThis.__ITER++;
    parentPort.postMessage({ type: 'done', result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (err) {
    parentPort.postMessage({ type: 'done', error: String(err && err.stack ? err.stack : err) });
  }
});
parentPort.postMessage({ type: 'ready' });
