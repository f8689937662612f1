import type { Logger } from './logger.ts';

/** npm start's exit code after an unhandled rejection or exception: EX_SOFTWARE (sysexits.h), a bug rather than a setting. */
export const EXIT_CRASHED = 70;

/**
 * A shutdown, in named steps run one after another (src/app.ts's stop: the posts in flight,
 * the recaps, the gateway, the ingest's last writes, the database). Whoever bounds the
 * shutdown asks still() for what it was waiting for when time ran out: src/main.ts names it
 * in its last log line before exiting 1 ("post in flight: session 12 Q3", "gateway").
 *
 * Without limitMs a step is waited for as long as it takes (main.ts bounds the whole
 * process); with it (tests, the demo: stop() in-process) the steps share that much time,
 * and once it is spent the remaining steps are started but not waited for.
 */
export class ShutdownSteps {
  private readonly running = new Set<() => readonly string[]>();
  private readonly deadline: number | null;
  private readonly log: Pick<Logger, 'warn'> | null;

  constructor({ limitMs, log }: { limitMs?: number; log?: Pick<Logger, 'warn'> } = {}) {
    this.deadline = limitMs === undefined ? null : performance.now() + limitMs;
    this.log = log ?? null;
  }

  /**
   * Runs one step. `name` may be a function, read when someone asks what is still running
   * (the posts in flight change while the step waits for them). A step that fails is logged
   * and the shutdown goes on with the next.
   */
  async run(name: string | (() => readonly string[]), work: () => unknown): Promise<void> {
    const names = typeof name === 'string' ? () => [name] : name;
    this.running.add(names);
    const done = Promise.resolve()
      .then(work)
      .catch((err: unknown) => this.log?.warn({ err, step: names().join(', ') }, 'a shutdown step failed; going on with the next'))
      .finally(() => this.running.delete(names));
    if (this.deadline === null) {
      await done;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, this.deadline! - performance.now()));
      timer.unref();
    })]);
    clearTimeout(timer);
  }

  /** The steps still running, by name (empty when the shutdown is done or has not begun). */
  still(): string[] {
    return [...this.running].flatMap((names) => names());
  }
}
