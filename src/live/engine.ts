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
  /** A session closed (the Discord adapter posts its recap). */
  sessionEnded?(session: Session): void | Promise<void>;
}

export interface EngineDeps {
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

/** Attempts before a prompt is given up as failed. */
export const MAX_ATTEMPTS = 5;
/** How many recent channel messages are searched for a post of unknown outcome. */
export const RECONCILE_LOOKBACK = 100;
/** Clock difference tolerated between the bot and the platform when reconciling by text. */
const RECONCILE_SKEW_MS = 60_000;
export { ENGINE_ACTOR } from './channel-lost.ts';
/** Longest single timer: long waits are re-evaluated rather than trusted to setTimeout. */
const MAX_TIMER_MS = 60 * 60_000;

export function promptMarker(prompt: Pick<Prompt, 'id' | 'sessionId'>): string {
  return `emcee:${prompt.sessionId}:${prompt.id}`;
}

export class SessionEngine {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private timer: unknown = null;
  private stopped = true;
  /** Sessions whose last cycle failed unexpectedly: not run again before `until`. */
  private readonly heldOff = new Map<number, { until: number; failures: number }>();
  /** Who this engine claims prompts as. */
  readonly owner: string;
  private readonly owns: ShardSet | null;
  private readonly leaseMs: number;

  constructor(private readonly deps: EngineDeps) {
    this.owner = deps.owner ?? newOwnerId();
    this.owns = deps.owns ?? null;
    this.leaseMs = deps.leaseMs ?? LEASE_MS;
  }

  /** Boot: reloads active and upcoming sessions from the database and runs what is due. */
  async start(): Promise<void> {
    this.stopped = false;
    const active = await this.deps.store.sessions.listActive(this.owns);
    this.deps.log.info({ sessions: active.map((s) => ({ id: s.id, state: s.state, startsAt: s.startsAt })) }, 'session engine starting');
    return this.kick();
  }

  /** Stops timers; work already under way finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs a cycle now (after any cycle under way): due prompts, then the next timer. */
  kick(): Promise<void> {
    this.pending++;
    this.chain = this.chain
      .then(() => (this.stopped ? undefined : this.cycle()))
      .catch((err: unknown) => this.deps.log.error({ err }, 'session engine cycle failed'))
      .finally(() => this.pending--);
    return this.chain;
  }

  /** Resolves when no cycle is running or queued. */
  async whenIdle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  private async cycle(): Promise<void> {
    const now = this.deps.clock.now();
    try {
      try {
        await this.deps.planner?.planUpcoming(now);
      } catch (err) {
        // Planning trouble must not keep the sessions already planned from running.
        this.deps.log.error({ err }, 'planning upcoming sessions failed');
      }
      for (const session of await this.deps.store.sessions.listActive(this.owns)) {
        if (session.state === 'paused') continue;
        const held = this.heldOff.get(session.id);
        if (held && held.until > now.getTime()) continue;
        try {
          await this.runSession(session, now);
          this.heldOff.delete(session.id);
        } catch (err) {
          // One session's trouble must not hold up the others, nor leave the engine without
          // its next timer; nor may it be retried at once.
          if (isChannelUnavailable(err)) {
            await stopForLostChannel(this.deps, session, err, now);
            this.heldOff.delete(session.id);
          } else this.holdOff(session, now, err);
        }
      }
    } finally {
      await this.scheduleNext();
    }
  }

  private holdOff(session: Session, now: Date, err: unknown): void {
    const failures = (this.heldOff.get(session.id)?.failures ?? 0) + 1;
    const until = now.getTime() + backoffMs(failures);
    this.heldOff.set(session.id, { until, failures });
    this.deps.log.error({ err, sessionId: session.id, failures, retryAt: new Date(until) }, 'session cycle failed; will retry');
  }

  private async runSession(session: Session, now: Date): Promise<void> {
    const { store, log } = this.deps;
    const settings = await this.settingsOf(session);
    const tolerance = settings.lateToleranceSeconds * 1000;
    const prompts = await store.prompts.listBySession(session.id);
    const close = prompts.find((p) => p.kind === 'close');
    const open = sortPrompts(prompts.filter((p) => p.state === 'planned' || p.state === 'posting'));
    const over = close !== undefined && now.getTime() > close.plannedAt.getTime() + tolerance;

    for (const listed of open) {
      if (listed.plannedAt > now) break; // the rest are later
      if (listed.nextAttemptAt && listed.nextAttemptAt > now) break; // waiting to retry; keep the order
      // Claimed, or another process is on it (or settled it): leave it, keep the order.
      const p = await store.prompts.claim(listed.id, this.owner, new Date(this.deps.clock.now().getTime() + this.leaseMs), this.deps.clock.now());
      if (!p) {
        log.debug({ sessionId: session.id, promptId: listed.id }, 'prompt claimed by another process; leaving it');
        break;
      }
      if (p.plannedAt > now || (p.nextAttemptAt && p.nextAttemptAt > now)) break; // moved meanwhile
      const lateBy = now.getTime() - p.plannedAt.getTime();
      const skip = this.skipReason(session, settings, p, now, { over, overdue: lateBy > tolerance, open });
      if (skip) {
        // A post of unknown outcome may have gone out after all: look before skipping it.
        const looked = p.state === 'posting' ? await this.lookUp(session, p, tolerance) : 'absent';
        if (looked === 'found') continue;
        if (looked === 'retry') break;
        if (looked === 'absent') {
          if (!(await store.prompts.markSkipped(p.id, skip, this.owner))) break; // claim taken over
          log.info({ sessionId: session.id, promptId: p.id, kind: p.kind, question: p.questionNumber, reason: skip }, 'prompt skipped');
        }
        if (p.kind === 'close') await this.end(session, now);
        continue;
      }
      if (session.state === 'planned' && p.kind !== 'preview') {
        session = await store.sessions.setState(session.id, 'running');
        log.info({ sessionId: session.id }, 'session started');
      }
      if (!(await this.post(session, p, lateBy > tolerance, tolerance))) break;
      if (p.kind === 'close') await this.end(session, now);
    }
  }

  private skipReason(
    session: Session, settings: SeriesSettings, p: Prompt, now: Date,
    { over, overdue, open }: { over: boolean; overdue: boolean; open: Prompt[] },
  ): string | null {
    if (over) return 'the session was over when the bot got to it';
    if (!overdue) return null;
    if (p.kind === 'preview' && now >= session.startsAt) return 'the session had already started';
    if (p.kind === 'heads_up' && open.some((q) => q.kind === 'question' && q.questionNumber === p.questionNumber && q.plannedAt <= now)) {
      return 'its question was already due';
    }
    if (settings.missedPrompts === 'skip') return 'missed (missedPrompts: skip)';
    return null;
  }

  /** Sends one prompt; false when it must be retried later (the caller stops there). */
  private async post(session: Session, p: Prompt, late: boolean, tolerance: number): Promise<boolean> {
    const { store, platform, clock, log } = this.deps;
    if (p.state === 'posting') {
      const looked = await this.lookUp(session, p, tolerance);
      if (looked !== 'absent') return looked !== 'retry';
    }

    const marker = promptMarker(p);
    const channelId = this.channelOf(session);
    const openThread = p.kind === 'question' && (await this.settingsOf(session)).threads;
    if (!(await store.prompts.markPosting(p.id, marker, this.owner))) {
      log.warn({ sessionId: session.id, promptId: p.id }, 'claim on the prompt was taken over by another process; not posting it');
      return false;
    }
    try {
      const sent = await platform.post(channelId, {
        kind: p.kind, questionNumber: p.questionNumber, text: p.text, marker, late,
        openThread,
      });
      if (!(await store.prompts.markPosted(p.id, sent.id, sent.at, late, this.owner))) {
        log.warn({ sessionId: session.id, promptId: p.id, messageId: sent.id }, 'posted, but the claim was taken over meanwhile: the new claimant records the outcome');
        return false;
      }
      log.info({ sessionId: session.id, promptId: p.id, kind: p.kind, question: p.questionNumber, messageId: sent.id, late }, 'prompt posted');
      return true;
    } catch (err) {
      if (isChannelUnavailable(err)) throw err; // not retried: the session stops
      const attempts = p.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        await store.prompts.markFailed(p.id, `gave up after ${attempts} attempts: ${(err as Error).message}`, this.owner);
        log.error({ err, sessionId: session.id, promptId: p.id, attempts }, 'prompt failed; moving on');
        return true;
      }
      const retry = new Date(clock.now().getTime() + backoffMs(attempts));
      await store.prompts.retryLater(p.id, retry, this.owner);
      log.warn({ err, sessionId: session.id, promptId: p.id, attempts, retryAt: retry }, 'posting failed; will check and retry');
      return false;
    }
  }

  /**
   * The lookup before any resend of a post of unknown outcome. Its failure is an attempt
   * like a failed send: 'retry' after the backoff, or 'gave-up' (the prompt is marked
   * failed) after MAX_ATTEMPTS. A lost channel is not retried (the error goes up).
   */
  private async lookUp(session: Session, p: Prompt, tolerance: number): Promise<'found' | 'absent' | 'retry' | 'gave-up'> {
    const { store, clock, log } = this.deps;
    try {
      const found = await this.reconcile(session, p, tolerance);
      return found === 'lost' ? 'retry' : found; // lost: the claim was taken over; the new claimant carries on
    } catch (err) {
      if (isChannelUnavailable(err)) throw err;
      const attempts = p.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        await store.prompts.attemptFailed(p.id, null, this.owner);
        await store.prompts.markFailed(p.id, `gave up after ${attempts} attempts: could not check whether it went out: ${(err as Error).message}`, this.owner);
        log.error({ err, sessionId: session.id, promptId: p.id, attempts }, 'prompt failed (outcome unknown); moving on');
        return 'gave-up';
      }
      const retry = new Date(clock.now().getTime() + backoffMs(attempts));
      await store.prompts.attemptFailed(p.id, retry, this.owner);
      log.warn({ err, sessionId: session.id, promptId: p.id, attempts, retryAt: retry }, 'could not check whether a post went out; will retry');
      return 'retry';
    }
  }

  /** Finds a "posting" prompt in the channel by its marker; records it as posted if there. */
  private async reconcile(session: Session, p: Prompt, tolerance: number): Promise<'found' | 'absent' | 'lost'> {
    const { store, platform, log } = this.deps;
    const marker = p.nonce ?? promptMarker(p);
    const recent = await platform.fetchRecent(this.channelOf(session), RECONCILE_LOOKBACK);
    // By marker where the platform keeps it; else by the bot's own post of exactly this
    // text, made no earlier than the prompt's time (a post always goes out at or after it).
    const found = recent.find((m) => m.fromSelf && (m.marker === marker
      || (m.marker === null && m.text === p.text && m.at.getTime() >= p.plannedAt.getTime() - RECONCILE_SKEW_MS)));
    if (!found) {
      log.info({ sessionId: session.id, promptId: p.id, marker }, 'unknown-outcome post not in the channel; sending it');
      return 'absent';
    }
    const late = found.at.getTime() - p.plannedAt.getTime() > tolerance;
    const recorded = await store.prompts.markPosted(p.id, found.id, found.at, late, this.owner);
    log.info({ sessionId: session.id, promptId: p.id, messageId: found.id, recorded }, 'unknown-outcome post found in the channel; not sending again');
    return recorded ? 'found' : 'lost';
  }

  private async end(session: Session, now: Date): Promise<void> {
    const ended = await this.deps.store.sessions.setState(session.id, 'ended', { endedAt: now });
    this.deps.log.info({ sessionId: session.id }, 'session ended');
    await this.deps.listener?.sessionEnded?.(ended);
  }

  private async scheduleNext(): Promise<void> {
    if (this.stopped) return;
    const { store, clock, timers } = this.deps;
    let next: number | null = null;
    for (const s of await store.sessions.listActive(this.owns)) {
      if (s.state === 'paused') continue;
      // Prompts go out in order: only the first open one (waiting for its time or its
      // retry) can move the session on, so it alone sets the session's wake-up. Waking
      // for a later prompt already due but held up behind it would spin.
      const first = sortPrompts((await store.prompts.listBySession(s.id)).filter((p) => p.state === 'planned' || p.state === 'posting'))[0];
      if (!first) continue;
      // Another process's live claim: it posts the prompt; look again when its lease ends
      // (its writes also wake this engine through the database watch).
      const theirs = first.claimedBy !== null && first.claimedBy !== this.owner ? first.leaseUntil?.getTime() ?? 0 : 0;
      const at = Math.max(first.plannedAt.getTime(), first.nextAttemptAt?.getTime() ?? 0, this.heldOff.get(s.id)?.until ?? 0, theirs);
      if (next === null || at < next) next = at;
    }
    if (this.timer !== null) timers.clearTimeout(this.timer);
    // Nothing due: still wake hourly, so the planner runs without any outside tick.
    const delay = next === null ? MAX_TIMER_MS : Math.min(Math.max(0, next - clock.now().getTime()), MAX_TIMER_MS);
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      void this.kick();
    }, delay);
  }

  private async settingsOf(session: Session): Promise<SeriesSettings> {
    const series = await this.deps.store.series.get(session.seriesId);
    return series?.settings ?? DEFAULT_SETTINGS;
  }

  private channelOf(session: Session): string {
    if (!session.channelId) throw new Error(`session ${session.id} has no channel`);
    return session.channelId;
  }
}

/** 5 s, 15 s, 45 s, … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 3 ** (attempts - 1), 5 * 60_000);
}
