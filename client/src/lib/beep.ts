/*
 * A short two-tone chime through WebAudio (no sound file). Browsers only let audio start
 * after a user gesture, so the context is created lazily and resumed on the first click.
 */

let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (typeof window === 'undefined' || !('AudioContext' in window)) return null;
  ctx ??= new AudioContext();
  return ctx;
}

/** Call from a click handler so later beeps are allowed. */
export function unlockAudio() {
  void context()?.resume().catch(() => {});
}

export function beep() {
  const c = context();
  if (!c || c.state !== 'running') return;
  const t = c.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const start = t + i * 0.14;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.12);
    osc.connect(gain).connect(c.destination);
    osc.start(start);
    osc.stop(start + 0.13);
  }
}
