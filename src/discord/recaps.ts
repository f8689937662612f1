import type { Client } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Logger } from '../logger.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { postRecap, type RecapOutcome, type RecapPostOptions } from './recap-post.ts';

/** How far back the catch-up looks for recaps never posted: sessions that ended within this. */
export const RECAP_CATCH_UP_MS = 6 * 60 * 60_000;
/** How often the catch-up looks (real time), besides once after the start-up backfill. */
export const RECAP_SWEEP_MS = 15_000;

export interface RecapQueueOptions extends Pick<RecapPostOptions, 'leaseMs' | 'retryMs' | 'maxUploadBytes'> {
  client: Client;
  store: StorePort;
  clock: Clock;
  log: Logger;
  owner: string;
  /** The guilds whose recaps this process catches up on (default: every guild). */
  owns?: ShardSet | null;
  sweepMs?: number;
}

/**
 * The recaps of one process, posted one after another. The engine hands over each session
 * it ends (post). The catch-up (sweep) finds the recaps nobody posted: of a process that was
 * killed between ending a session and posting its recap, or while posting it (its claim's
 * lease ran out), or of a post that failed and whose hold is over. It runs once the bot has
 * caught up with the messages (after the start-up backfill, so the recap has them) and then
 * every RECAP_SWEEP_MS, for the owned guilds' sessions that ended within RECAP_CATCH_UP_MS.
 * A session is queued at most once at a time in this process; the claim in the database
 * keeps other processes from posting it too.
 */
export class RecapQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly queued = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly options: RecapQueueOptions) {}

  /** Queues a session's recap (unless it is queued already); resolves to its outcome, or null when it was queued already. */
  post(session: Session, { catchUp = false } = {}): Promise<RecapOutcome | null> {
    if (this.queued.has(session.id)) return Promise.resolve(null);
    this.queued.add(session.id);
    const { client, store, log, owner, clock, leaseMs, retryMs, maxUploadBytes } = this.options;
    // A caught-up recap may have reached the channel before its process died: looked for first.
    const done = this.chain.then(() => postRecap(client, store, session, log, { owner, clock, leaseMs, retryMs, maxUploadBytes, lookFirst: catchUp }))
      .finally(() => this.queued.delete(session.id));
    this.chain = done.catch(() => {});
    return done;
  }

  /** Queues every recap due for catching up; resolves once they are queued (not posted). */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      const { store, clock, log, owns = null } = this.options;
      try {
        const now = clock.now();
        const due = await store.sessions.recapsDue(new Date(now.getTime() - RECAP_CATCH_UP_MS), now, owns);
        for (const session of due) {
          if (this.queued.has(session.id)) continue;
          log.info({ sessionId: session.id, endedAt: session.endedAt }, 'recap not posted yet: posting it now');
          void this.post(session, { catchUp: true });
        }
      } catch (err) {
        log.warn({ err }, 'could not look for recaps to catch up on');
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  /** Sweeps now and then every sweepMs, until stop(). */
  start(): void {
    void this.sweep();
    this.timer ??= setInterval(() => void this.sweep(), this.options.sweepMs ?? RECAP_SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The sessions whose recaps are queued or being posted now. */
  pending(): number[] {
    return [...this.queued];
  }

  /** The recaps queued so far, posted (or failed). */
  async idle(): Promise<void> {
    for (let last = null as Promise<unknown> | null; last !== this.chain;) {
      last = this.chain;
      await last;
    }
  }
}
