import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { DEFAULT_SETTINGS, type SeriesSettings } from '../domain/settings.ts';
import type { ShardSet } from '../domain/shard.ts';
import { sortPrompts } from '../domain/timetable.ts';
import type { Logger } from '../logger.ts';
import { isChannelUnavailable, type ChatPlatform } from '../platform/types.ts';
import type { StorePort } from '../store/port.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Session } from '../store/sessions.ts';
import { stopForLostChannel } from './channel-lost.ts';
import { backoffMs, PromptPoster, type TelemetryDeps } from './prompt-post.ts';
import { SendQueue, turnRank } from './send-queue.ts';
import type { Timers } from './timers.ts';

/**
 * Runs sessions: posts each due prompt exactly once, in order, and keeps a timer set for
 * the next one. All state is in the database, so a new engine on the same database (a
 * restart) carries on where the old one stopped.
 *
 * Exactly once: a prompt is marked "posting" (with its marker) before it is sent and
 * "posted" (with the platform message id) after. A prompt found still "posting" — the
 * process died or the platform failed between the two writes — is looked up by its marker
 * in the channel's recent messages before anything is sent again.
 *
 * Several processes (issue 12): before acting on a prompt (posting, looking it up,
 * skipping it) the engine claims it in the database for `owner`, with a lease of leaseMs
 * (PromptRepository.claim, one conditional update): of two processes that overlap — a
 * rolling deploy, the same shard started twice — one wins and the other leaves the prompt
 * alone, waking again when the lease ends. Every write that follows is fenced by the claim,
 * so a process that stalled past its lease cannot overwrite what the next claimant did. A
 * claimant that died leaves the prompt "posting" under an expired lease: the next one
 * reconciles by the marker as above before sending (Discord's nonce is the second guard).
 * An engine runs only the sessions of the guilds it owns (`owns`, a shard set; default
 * every guild), read from the database by shard, never another guild's.
 *
 * Many sessions at once (issue 13, the top of the hour): a cycle reads only what is due
 * (PromptRepository.listDue, an indexed read by time) and starts each such session's run
 * without waiting for the others; a session runs one prompt at a time, in order, and only
 * one run per session at a time. Before each prompt's requests its run takes a slot of the
 * SendQueue (src/live/send-queue.ts): questions first, then the other prompts, heads-ups
 * and previews last (a session's rank is that of the best prompt it has due), guilds in
 * turn within a rank; Discord's REST queue paces the requests themselves to the global and
 * per-channel limits. The next wake-up comes from nextDueAfter and the waits of the
 * sessions with something due (a retry, another process's lease); a run that ends sets the
 * wake-up for what its session does next.
 *
 * Catch-up: a prompt more than lateToleranceSeconds past its time is posted late (marked
 * late) while the session runs, or skipped with missedPrompts: 'skip'. Once the session's
 * close has passed, whatever is left is skipped and the session ends.
 *
 * Failures never make the engine spin (issue 10, item 1). Every try of a prompt counts as
 * an attempt, whatever failed: the send, or the lookup of a post of unknown outcome that
 * comes before any resend. After a failed attempt the prompt waits (5 s, 15 s, 45 s, …,
 * see backoffMs) and after MAX_ATTEMPTS it is given up as failed; outside kicks (the
 * minute tick, moderator controls, the database follower) never bring a try forward, and
 * the timer only wakes for the first open prompt of each session, the one that holds up
 * the rest. A session whose cycle fails for any other reason waits the same way. A channel
 * that is gone or out of reach (ChannelUnavailableError: deleted, access or permission
 * lost) is not retried at all: the session is cancelled at once with the reason on every
 * prompt left and in the control log (actor "emcee"), one error line is logged, and a
 * notice goes to the series' recap channel when one is set and is another channel (else
 * the log line is the only trace). A later session of the series in the same channel
 * costs one request at its start, so a restored channel works again by itself.
 */

/**
 * What the engine tells its process. Posts are not announced: the attribution reads them
 * from the database (src/live/attributors.ts), since another process may have made them.
 */
export interface EngineListener {
  /** A session closed (the Discord adapter posts its recap), or a planned one started (its first post going out). */
  sessionEnded?(session: Session): void | Promise<void>;
  sessionStarted?(session: Session): void;
}

export interface EngineDeps extends TelemetryDeps {
  store: StorePort;
  platform: ChatPlatform;
  clock: Clock;
  timers: Timers;
  log: Logger;
  listener?: EngineListener;
  /** Planning of recurring series, run at the start of every cycle. */
  planner?: { planUpcoming(now: Date): Promise<unknown> };
  /** Who this engine claims prompts as: unique per process (default: a new random id). */
  owner?: string;
  /** The guilds this process runs: those of these shards (default: every guild). */
  owns?: ShardSet | null;
  /** How long a claim holds before another process may take the prompt over (default LEASE_MS). */
  leaseMs?: number;
  /** The order of posts across sessions (default: a SendQueue of SEND_SLOTS). */
  sends?: SendQueue;
}

/**
 * A claim's lease. Short: a process killed mid-post holds its prompt until the lease ends,
 * and the next one (a restart gets a new owner id) must not leave a live chat's question
 * minutes late. Safe even when a slow post outlives it: the next claimant looks the post up
 * by its marker first, and sends with the same marker as Discord's enforced nonce, which
 * Discord answers with the message already made; the slow claimant's writes are fenced.
 */
export const LEASE_MS = 10_000;

/** A new claimant id for a process: unique, and saying which host and process it is in logs. */
export function newOwnerId(): string {
  return `${process.pid}:${randomUUID()}`;
}

export { ENGINE_ACTOR } from './channel-lost.ts';
export { backoffMs, MAX_ATTEMPTS, promptMarker, RECONCILE_LOOKBACK } from './prompt-post.ts';
/** Longest single timer: long waits are re-evaluated rather than trusted to setTimeout. */
const MAX_TIMER_MS = 60 * 60_000;

export class SessionEngine {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private timer: unknown = null;
  private timerAt: number | null = null;
  private stopped = true;
  /** Sessions whose run is under way (at most one per session). */
  private readonly running = new Map<number, Promise<void>>();
  /** Sessions whose last cycle failed unexpectedly: not run again before `until`. */
  private readonly heldOff = new Map<number, { until: number; failures: number }>();
  /** Who this engine claims prompts as. */
  readonly owner: string;
  private readonly owns: ShardSet | null;
  private readonly leaseMs: number;
  private readonly sends: SendQueue;
  private readonly poster: PromptPoster;

  constructor(private readonly deps: EngineDeps) {
    this.owner = deps.owner ?? newOwnerId();
    this.owns = deps.owns ?? null;
    this.leaseMs = deps.leaseMs ?? LEASE_MS;
    this.sends = deps.sends ?? new SendQueue(() => deps.clock.now().getTime());
    this.poster = new PromptPoster({ ...deps, owner: this.owner });
  }

  /** Boot: reloads active and upcoming sessions from the database and runs what is due. */
  async start(): Promise<void> {
    this.stopped = false;
    const active = await this.deps.store.sessions.listActive(this.owns);
    this.deps.log.info({ sessions: active.length, next: active.slice(0, 20).map((s) => ({ id: s.id, state: s.state, startsAt: s.startsAt })) }, 'session engine starting');
    return this.kick();
  }

  /** Stops timers; work already under way finishes its current prompt and goes no further. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = null;
  }

  /**
   * Runs a cycle now (after any cycle under way): starts what is due, then sets the next
   * timer. Resolves when the cycle and the runs it started are done; the next cycle does
   * not wait for those runs.
   */
  kick(): Promise<void> {
    this.pending++;
    let started: Promise<void>[] = [];
    this.chain = this.chain
      .then(async () => {
        if (!this.stopped) started = await this.cycle();
      })
      .catch((err: unknown) => this.deps.log.error({ err }, 'session engine cycle failed'))
      .finally(() => this.pending--);
    return this.chain.then(() => Promise.all(started)).then(() => undefined);
  }

  /** Resolves when no cycle is running or queued and no session's run is under way. */
  async whenIdle(): Promise<void> {
    while (this.pending > 0 || this.running.size > 0) {
      if (this.pending > 0) await this.chain;
      else await Promise.all(this.running.values());
    }
  }

  /** The runs it started. */
  private async cycle(): Promise<Promise<void>[]> {
    const now = this.deps.clock.now();
    const waits: number[] = [];
    const started: Promise<void>[] = [];
    try {
      try {
        await this.deps.planner?.planUpcoming(now);
      } catch (err) {
        // Planning trouble must not keep the sessions already planned from running.
        this.deps.log.error({ err }, 'planning upcoming sessions failed');
      }
      const due = new Map<number, Prompt[]>();
      for (const p of await this.deps.store.prompts.listDue(now, this.owns)) {
        const list = due.get(p.sessionId);
        if (list) list.push(p);
        else due.set(p.sessionId, [p]);
      }
      for (const [sessionId, prompts] of due) {
        if (this.running.has(sessionId)) continue; // its run takes what is due as it goes
        // Prompts go out in order: only the first open one can move the session on.
        const at = this.readyAt(sessionId, sortPrompts(prompts)[0]!);
        if (at > now.getTime()) waits.push(at);
        else started.push(this.launch(sessionId, prompts, now));
      }
    } finally {
      await this.scheduleNext(now, waits);
    }
    return started;
  }

  /**
   * When a session's first open prompt may be acted on: its time, its retry, the end of a
   * hold-off after a failed cycle, or the end of another process's live claim (whose writes
   * also wake this engine through the database watch).
   */
  private readyAt(sessionId: number, first: Prompt): number {
    const theirs = first.claimedBy !== null && first.claimedBy !== this.owner ? first.leaseUntil?.getTime() ?? 0 : 0;
    return Math.max(first.plannedAt.getTime(), first.nextAttemptAt?.getTime() ?? 0, this.heldOff.get(sessionId)?.until ?? 0, theirs);
  }

  /**
   * Starts a session's run (not awaited: the sessions due run side by side). Its first turn
   * is taken before anything is read, ranked by its due prompts, so a thousand sessions due
   * at once read the database a turn at a time rather than all at once.
   */
  private launch(sessionId: number, due: Prompt[], now: Date): Promise<void> {
    const run = (async () => {
      const [rank, later] = turnRank(sortPrompts(due), now);
      const first = await this.sends.acquire(rank, due[0]!.guildId ?? `session:${sessionId}`, later);
      const session = await this.deps.store.sessions.get(sessionId).catch((err: unknown) => {
        first();
        throw err;
      });
      if (!session || (session.state !== 'planned' && session.state !== 'running')) return first();
      try {
        await this.runSession(session, first);
        this.heldOff.delete(session.id);
      } catch (err) {
        // One session's trouble must not hold up the others, nor leave the engine without
        // its next timer; nor may it be retried at once.
        if (isChannelUnavailable(err)) {
          await stopForLostChannel(this.deps, session, err, this.deps.clock.now());
          this.heldOff.delete(session.id);
        } else this.holdOff(session, this.deps.clock.now(), err);
      }
      await this.wakeForSession(sessionId);
    })()
      .catch((err: unknown) => this.deps.log.error({ err, sessionId }, 'session run failed'))
      .finally(() => this.running.delete(sessionId));
    this.running.set(sessionId, run);
    return run;
  }

  private holdOff(session: Session, now: Date, err: unknown): void {
    const failures = (this.heldOff.get(session.id)?.failures ?? 0) + 1;
    const until = now.getTime() + backoffMs(failures);
    this.heldOff.set(session.id, { until, failures });
    this.deps.log.error({ err, sessionId: session.id, failures, retryAt: new Date(until) }, 'session cycle failed; will retry');
  }

  /** Posts the session's due prompts in order, a turn each; `first`: the turn already taken. */
  private async runSession(session: Session, first: (() => void) | null): Promise<void> {
    try {
      await this.runTurns(session, first);
    } finally {
      first?.(); // unused (nothing was due after all) or given back already: a second call does nothing
    }
  }

  private async runTurns(session: Session, first: (() => void) | null): Promise<void> {
    const { store } = this.deps;
    const settings = await this.settingsOf(session);
    const tolerance = settings.lateToleranceSeconds * 1000;
    const prompts = await store.prompts.listBySession(session.id);
    const close = prompts.find((p) => p.kind === 'close');
    const open = sortPrompts(prompts.filter((p) => p.state === 'planned' || p.state === 'posting'));

    for (let i = 0; i < open.length && !this.stopped; i++) {
      const listed = open[i]!;
      let now = this.deps.clock.now();
      if (listed.plannedAt > now) break; // the rest are later
      if (listed.nextAttemptAt && listed.nextAttemptAt > now) break; // waiting to retry; keep the order
      const [rank, later] = turnRank(open.slice(i), now);
      const release = first ?? (await this.sends.acquire(rank, session.guildId ?? `session:${session.id}`, later));
      first = null;
      try {
        if (this.stopped) break;
        now = this.deps.clock.now();
        const over = close !== undefined && now.getTime() > close.plannedAt.getTime() + tolerance;
        const step = await this.step(session, settings, listed, now, { over, tolerance, open });
        if (step === 'stop') break;
        session = step;
      } finally {
        release();
      }
    }
  }

  /** Acts on one due prompt (claimed first): the session as it is now, or 'stop' to leave the rest for later. */
  private async step(
    session: Session, settings: SeriesSettings, listed: Prompt, now: Date,
    { over, tolerance, open }: { over: boolean; tolerance: number; open: Prompt[] },
  ): Promise<Session | 'stop'> {
    const { store, log } = this.deps;
    // Claimed, or another process is on it (or settled it): leave it, keep the order.
    const p = await store.prompts.claim(listed.id, this.owner, new Date(now.getTime() + this.leaseMs), now);
    if (!p) {
      log.debug({ sessionId: session.id, promptId: listed.id }, 'prompt claimed by another process; leaving it');
      return 'stop';
    }
    if (p.plannedAt > now || (p.nextAttemptAt && p.nextAttemptAt > now)) return 'stop'; // moved meanwhile
    const lateBy = now.getTime() - p.plannedAt.getTime();
    const skip = this.skipReason(session, settings, p, now, { over, overdue: lateBy > tolerance, open });
    if (skip) {
      // A post of unknown outcome may have gone out after all: look before skipping it.
      const looked = p.state === 'posting' ? await this.poster.lookUp(session, p, tolerance) : 'absent';
      if (looked === 'found') return session;
      if (looked === 'retry') return 'stop';
      if (looked === 'absent') {
        if (!(await this.poster.skip(session, p, skip))) return 'stop'; // claim taken over
      }
      if (p.kind === 'close') await this.end(session, now);
      return session;
    }
    if (session.state === 'planned' && p.kind !== 'preview') {
      session = await store.sessions.setState(session.id, 'running');
      log.info({ sessionId: session.id }, 'session started');
      this.deps.listener?.sessionStarted?.(session);
    }
    if (!(await this.poster.post(session, p, lateBy > tolerance, tolerance, settings))) return 'stop';
    if (p.kind === 'close') await this.end(session, now);
    return session;
  }

  private skipReason(
    session: Session, settings: SeriesSettings, p: Prompt, now: Date,
    { over, overdue, open }: { over: boolean; overdue: boolean; open: Prompt[] },
  ): string | null {
    if (over) return 'the session was over when the bot got to it';
    // A heads-up is no use once its question is due (the bot was down, or busy at the top of
    // the hour): the question goes instead.
    if (p.kind === 'heads_up' && open.some((q) => q.kind === 'question' && q.questionNumber === p.questionNumber && q.plannedAt <= now)) {
      return 'its question was already due';
    }
    if (!overdue) return null;
    if (p.kind === 'preview' && now >= session.startsAt) return 'the session had already started';
    if (settings.missedPrompts === 'skip') return 'missed (missedPrompts: skip)';
    return null;
  }

  private async end(session: Session, now: Date): Promise<void> {
    const ended = await this.deps.store.sessions.setState(session.id, 'ended', { endedAt: now });
    this.deps.log.info({ sessionId: session.id }, 'session ended');
    await this.deps.listener?.sessionEnded?.(ended);
  }

  /**
   * The next timer: the earliest of the next open prompt after `now` (nextDueAfter), the
   * waits of the sessions with something due (`waits`), and any earlier wake-up already set
   * (a run that ended asked for it). Nothing due: still wake hourly, so the planner runs
   * without any outside tick.
   */
  private async scheduleNext(now: Date, waits: number[]): Promise<void> {
    if (this.stopped) return;
    const next = await this.deps.store.prompts.nextDueAfter(now, this.owns);
    this.wakeAt(Math.min(next?.getTime() ?? Infinity, ...waits, now.getTime() + MAX_TIMER_MS));
  }

  /** After a run: wake when its session's first open prompt may be acted on. */
  private async wakeForSession(sessionId: number): Promise<void> {
    const session = await this.deps.store.sessions.get(sessionId);
    if (!session || (session.state !== 'planned' && session.state !== 'running')) return;
    const first = sortPrompts((await this.deps.store.prompts.listBySession(sessionId)).filter((p) => p.state === 'planned' || p.state === 'posting'))[0];
    if (first) this.wakeAt(this.readyAt(sessionId, first));
  }

  /**
   * Sets the timer for `at` unless one is set no later. A timer set earlier than needed
   * (a prompt moved later meanwhile) only costs a cycle that finds nothing to do.
   */
  private wakeAt(at: number): void {
    if (this.stopped) return;
    if (this.timerAt !== null && this.timerAt <= at) return;
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    const delay = Math.min(Math.max(0, at - this.deps.clock.now().getTime()), MAX_TIMER_MS);
    this.timerAt = this.deps.clock.now().getTime() + delay;
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null;
      this.timerAt = null;
      void this.kick();
    }, delay);
  }

  private async settingsOf(session: Session): Promise<SeriesSettings> {
    const series = await this.deps.store.series.get(session.seriesId);
    return series?.settings ?? DEFAULT_SETTINGS;
  }
}
