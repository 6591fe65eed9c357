/**
 * Runs `task` now and then again `intervalMs` after each run has ended (never two at once,
 * unlike setInterval), until stopped. Errors go to `onError`; the chain goes on.
 */
export function runChained(task: () => Promise<unknown>, opts: { intervalMs: number; onError: (err: unknown) => void }): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      await task();
    } catch (err) {
      opts.onError(err);
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => {
      inFlight = tick();
    }, opts.intervalMs);
    // Shutdown calls stop(); an idle timer must not keep the process alive by itself.
    timer.unref();
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
