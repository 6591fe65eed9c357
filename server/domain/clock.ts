/** Injectable time source, so expiry logic can be tested without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests can move by hand. */
export function manualClock(start = Date.now()): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

/** Real time plus an offset a test can move: the server "at the booked time" while browsers keep real time. */
export function offsetClock(): Clock & { jumpTo(ms: number): void; reset(): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    jumpTo: (ms) => {
      offset = ms - Date.now();
    },
    reset: () => {
      offset = 0;
    },
  };
}
