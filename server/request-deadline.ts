import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<{ at: number }>();

/** Runs `fn` (a request) with a wall-clock deadline that the work it starts can consult. */
export function withDeadline<T>(at: number, fn: () => T): T {
  return current.run({ at }, fn);
}

/** True once the current request's deadline has passed (its client was answered 503). */
export function deadlinePassed(): boolean {
  const d = current.getStore();
  return d !== undefined && Date.now() >= d.at;
}
