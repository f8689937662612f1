/** Timers are injected like the clock, so whole sessions run on fake time in tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.(); // a pending prompt alone must not keep a CLI process alive
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Time that runs `speed` times faster than the real clock from `start`: a clock and
 * timers in one. The demo and the Discord integration tests run whole sessions on it (a
 * 45-minute chat in seconds); the sandbox stamps messages with the same clock, so message
 * times and the timetable agree.
 */
export class ScaledTime implements Timers {
  private readonly realStart = performance.now();

  constructor(
    private readonly start: Date,
    readonly speed: number,
  ) {
    if (!(speed > 0)) throw new Error('speed must be above 0');
  }

  now(): Date {
    return new Date(this.start.getTime() + (performance.now() - this.realStart) * this.speed);
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return realTimers.setTimeout(fn, ms / this.speed);
  }

  clearTimeout(handle: unknown): void {
    realTimers.clearTimeout(handle);
  }
}
