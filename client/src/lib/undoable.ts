import { toasts } from './toasts.svelte';

/*
 * An action that hurts (declining a request, marking a no-show) waits a few seconds behind an
 * "Undo" toast before it is sent. Leaving the page sends it at once, so nothing is lost.
 */

const pending = new Set<() => void>();
if (typeof window !== 'undefined') window.addEventListener('pagehide', () => [...pending].forEach((send) => send()));

/** Resolves true once `run` was sent (its result awaited), false if the person pressed Undo. */
export function undoable<T>(opts: { title: string; body?: string; ms?: number; run: () => Promise<T> }): Promise<{ done: true; value: T } | { done: false }> {
  const ms = opts.ms ?? 5000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const send = () => {
      if (settled) return;
      settled = true;
      pending.delete(send);
      clearTimeout(timer);
      toasts.dismiss(toast);
      opts.run().then((value) => resolve({ done: true, value }), reject);
    };
    const undo = () => {
      if (settled) return;
      settled = true;
      pending.delete(send);
      clearTimeout(timer);
      resolve({ done: false });
    };
    const timer = setTimeout(send, ms);
    const toast = toasts.push('info', opts.title, opts.body, ms + 500, { label: 'Undo', run: undo });
    pending.add(send);
  });
}
