import { blockMs, sample } from './bridge.mjs';

export function check(value, sets, tags = {}) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    let ok = false;
    try {
      ok = !!fn(value);
    } catch {
      ok = false;
    }
    sample('checks', 'rate', ok ? 1 : 0, { ...tags, check: name });
    if (!ok) {
      all = false;
      globalThis.__k6failedChecks?.add(name);
    }
  }
  return all;
}

export function sleep(seconds) {
  blockMs(Math.round(seconds * 1000));
}

export function group(_name, fn) {
  return fn();
}

export default { check, sleep, group };
