// Worker side of the shim: metrics and synchronous calls to the main thread.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

const sab = new Int32Array(workerData.syncFlag);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this VU (like k6's synchronous APIs) until the main thread answers. */
export function syncCall(payload) {
  Atomics.store(sab, 0, 0);
  workerData.syncPort.postMessage(payload);
  Atomics.wait(sab, 0, 0);
  const msg = receiveMessageOnPort(workerData.syncPort);
  if (!msg) throw new Error('k6 shim: no answer from the main thread');
  if (msg.message.error) throw new Error(msg.message.error);
  return msg.message.result;
}

let asyncId = 0;
const waiting = new Map();
workerData.asyncPort.on('message', (m) => {
  const w = waiting.get(m.id);
  waiting.delete(m.id);
  if (m.error) w.reject(new Error(m.error));
  else w.resolve(m.result);
});
workerData.asyncPort.unref();

export function asyncCall(payload) {
  const id = ++asyncId;
  workerData.asyncPort.ref();
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    workerData.asyncPort.postMessage({ ...payload, id });
  }).finally(() => {
    if (waiting.size === 0) workerData.asyncPort.unref();
  });
}

export function sample(name, kind, value, tags = {}) {
  parentPort.postMessage({ type: 'sample', name, kind, value, tags: { ...globalThis.__k6tags, ...tags } });
}

export function blockMs(ms) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}
