/**
 * Paces the bot's own requests to Discord below the global limit, evenly: at most
 * `perSecond` grants a second, one every 1000 ÷ perSecond ms on a grid, never in bursts.
 *
 * Why, when @discordjs/rest already keeps count: its global limiter (which stays on, for
 * every request) lets 50 requests go at the start of a one-second window it opens itself,
 * then waits for the window's end plus its 50 ms offset. Discord counts in windows of its
 * own, opened when requests arrive: a burst sent right at the client's window start lands
 * in Discord's previous window whenever the first request of that window reached Discord
 * more than 50 ms late (a busy event loop, a slow hop), and is refused with a global 429;
 * and the offset costs 5% of the rate (50 per 1.05 s). Spread evenly at 49 a second, any
 * one-second window holds at most 50 requests unless their arrival times bunch up by
 * more than a gap (~20 ms), and the rate stays within 2% of Discord's.
 *
 * Waiters are served best rank first (questions before the other prompts, heads-ups and
 * previews last, as the engine's SendQueue ranks them), in arrival order within a rank.
 * Time is real time (performance.now): Discord's limits are, whatever clock the bot runs on.
 */
export const DISCORD_REQUESTS_PER_SECOND = 49;

export class RequestPacer {
  private readonly gapMs: number;
  /** The earliest time of the next grant, on the grid. */
  private nextAt = 0;
  private readonly waiting: (() => void)[][] = [[], [], []];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly perSecond: number = DISCORD_REQUESTS_PER_SECOND,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0)) throw new Error('perSecond must be above 0');
    this.gapMs = 1000 / perSecond;
  }

  /** Resolves when the caller may send one request (rank 0 first, 2 last). */
  take(rank: 0 | 1 | 2 = 1): Promise<void> {
    return new Promise((resolve) => {
      this.waiting[rank]!.push(resolve);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer !== null) return;
    for (;;) {
      const queue = this.waiting.find((q) => q.length > 0);
      if (!queue) return;
      const now = this.now();
      // Idle for a while: the grid starts again now (no burst to catch up on).
      if (this.nextAt < now - this.gapMs) this.nextAt = now;
      if (this.nextAt > now) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, Math.ceil(this.nextAt - now));
        this.timer.unref?.();
        return;
      }
      this.nextAt += this.gapMs;
      queue.shift()!();
    }
  }
}
