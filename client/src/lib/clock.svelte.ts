import { createSubscriber } from 'svelte/reactivity';

/*
 * A shared ticking clock for countdowns (holds, accept SLAs). It ticks only while some
 * effect reads it, so an idle screen runs no timers.
 */

class Clock {
  #subscribe = createSubscriber((update) => {
    const t = setInterval(update, 1000);
    return () => clearInterval(t);
  });

  /** Milliseconds since the epoch; reactive (re-read every second) inside effects and templates. */
  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();

/** `m:ss` (or `h:mm:ss`) until a moment; `0:00` once it passed. */
export function countdown(untilMs: number, nowMs: number): string {
  const s = Math.max(0, Math.ceil((untilMs - nowMs) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
