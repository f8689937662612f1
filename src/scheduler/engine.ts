import type { Clock } from '../core/clock.ts';
import { parseSeriesSettings, type SeriesSettings } from '../core/settings.ts';
import { sortPrompts } from '../core/timetable.ts';
import type { Logger } from '../logger.ts';
import type { ChatPlatform } from '../platform/types.ts';
import type { Store } from '../store/index.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Session } from '../store/sessions.ts';
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
 * Catch-up: a prompt more than lateToleranceSeconds past its time is posted late (marked
 * late) while the session runs, or skipped with missedPrompts: 'skip'. Once the session's
 * close has passed, whatever is left is skipped and the session ends.
 */

export interface EngineListener {
  /** A prompt reached the channel (questions: the attribution learns their message ids). */
  promptPosted?(session: Session, prompt: Prompt): void;
  sessionEnded?(session: Session): void;
}

export interface EngineDeps {
  store: Store;
  platform: ChatPlatform;
  clock: Clock;
  timers: Timers;
  log: Logger;
  listener?: EngineListener;
  /** Planning of recurring series, run at the start of every cycle. */
  planner?: { planUpcoming(now: Date): void };
}

/** Attempts before a prompt is given up as failed. */
export const MAX_ATTEMPTS = 5;
/** How many recent channel messages are searched for a post of unknown outcome. */
export const RECONCILE_LOOKBACK = 100;
/** Clock difference tolerated between the bot and the platform when reconciling by text. */
const RECONCILE_SKEW_MS = 60_000;
/** After a failed cycle, the next try comes this soon. */
const ERROR_RETRY_MS = 5_000;
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

  constructor(private readonly deps: EngineDeps) {}

  /** Boot: reloads active and upcoming sessions from the database and runs what is due. */
  start(): Promise<void> {
    this.stopped = false;
    const active = this.deps.store.sessions.listActive();
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
    let failed = false;
    try {
      this.deps.planner?.planUpcoming(now);
      for (const session of this.deps.store.sessions.listActive()) {
        if (session.state === 'paused') continue;
        try {
          await this.runSession(session, now);
        } catch (err) {
          // One session's trouble (the platform unreachable while reconciling, say) must not
          // hold up the others, nor leave the engine without its next timer.
          failed = true;
          this.deps.log.error({ err, sessionId: session.id }, 'session cycle failed; retrying soon');
        }
      }
    } finally {
      this.scheduleNext(failed ? ERROR_RETRY_MS : null);
    }
  }

  private async runSession(session: Session, now: Date): Promise<void> {
    const { store, log } = this.deps;
    const settings = this.settingsOf(session);
    const tolerance = settings.lateToleranceSeconds * 1000;
    const prompts = store.prompts.listBySession(session.id);
    const close = prompts.find((p) => p.kind === 'close');
    const open = sortPrompts(prompts.filter((p) => p.state === 'planned' || p.state === 'posting'));
    const over = close !== undefined && now.getTime() > close.plannedAt.getTime() + tolerance;

    for (const p of open) {
      if (p.plannedAt > now) break; // the rest are later
      if (p.nextAttemptAt && p.nextAttemptAt > now) break; // waiting to retry; keep the order
      const lateBy = now.getTime() - p.plannedAt.getTime();
      const skip = this.skipReason(session, settings, p, now, { over, overdue: lateBy > tolerance, open });
      if (skip) {
        // A post of unknown outcome may have gone out after all: look before skipping it.
        if (p.state === 'posting' && (await this.reconcile(session, p, tolerance))) continue;
        store.prompts.markSkipped(p.id, skip);
        log.info({ sessionId: session.id, promptId: p.id, kind: p.kind, question: p.questionNumber, reason: skip }, 'prompt skipped');
        if (p.kind === 'close') this.end(session, now);
        continue;
      }
      if (session.state === 'planned' && p.kind !== 'preview') {
        session = store.sessions.setState(session.id, 'running');
        log.info({ sessionId: session.id }, 'session started');
      }
      if (!(await this.post(session, p, lateBy > tolerance, tolerance))) break;
      if (p.kind === 'close') this.end(session, now);
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
    if (p.state === 'posting' && (await this.reconcile(session, p, tolerance))) return true;

    const marker = promptMarker(p);
    const channelId = this.channelOf(session);
    store.prompts.markPosting(p.id, marker);
    try {
      const sent = await platform.post(channelId, {
        kind: p.kind, questionNumber: p.questionNumber, text: p.text, marker, late,
        openThread: p.kind === 'question' && this.settingsOf(session).threads,
      });
      store.prompts.markPosted(p.id, sent.id, sent.at, late);
      log.info({ sessionId: session.id, promptId: p.id, kind: p.kind, question: p.questionNumber, messageId: sent.id, late }, 'prompt posted');
      this.deps.listener?.promptPosted?.(session, store.prompts.get(p.id)!);
      return true;
    } catch (err) {
      const attempts = p.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        store.prompts.markFailed(p.id, `gave up after ${attempts} attempts: ${(err as Error).message}`);
        log.error({ err, sessionId: session.id, promptId: p.id, attempts }, 'prompt failed; moving on');
        return true;
      }
      const retry = new Date(clock.now().getTime() + backoffMs(attempts));
      store.prompts.retryLater(p.id, retry);
      log.warn({ err, sessionId: session.id, promptId: p.id, attempts, retryAt: retry }, 'posting failed; will check and retry');
      return false;
    }
  }

  /** Finds a "posting" prompt in the channel by its marker; records it as posted if there. */
  private async reconcile(session: Session, p: Prompt, tolerance: number): Promise<boolean> {
    const { store, platform, log } = this.deps;
    const marker = p.nonce ?? promptMarker(p);
    const recent = await platform.fetchRecent(this.channelOf(session), RECONCILE_LOOKBACK);
    // By marker where the platform keeps it; else by the bot's own post of exactly this
    // text, made no earlier than the prompt's time (a post always goes out at or after it).
    const found = recent.find((m) => m.fromSelf && (m.marker === marker
      || (m.marker === null && m.text === p.text && m.at.getTime() >= p.plannedAt.getTime() - RECONCILE_SKEW_MS)));
    if (!found) {
      log.info({ sessionId: session.id, promptId: p.id, marker }, 'unknown-outcome post not in the channel; sending it');
      return false;
    }
    const late = found.at.getTime() - p.plannedAt.getTime() > tolerance;
    store.prompts.markPosted(p.id, found.id, found.at, late);
    log.info({ sessionId: session.id, promptId: p.id, messageId: found.id }, 'unknown-outcome post found in the channel; not sending again');
    this.deps.listener?.promptPosted?.(session, store.prompts.get(p.id)!);
    return true;
  }

  private end(session: Session, now: Date): void {
    const ended = this.deps.store.sessions.setState(session.id, 'ended', { endedAt: now });
    this.deps.log.info({ sessionId: session.id }, 'session ended');
    this.deps.listener?.sessionEnded?.(ended);
  }

  private scheduleNext(retryInMs: number | null = null): void {
    if (this.stopped) return;
    const { store, clock, timers } = this.deps;
    let next: number | null = retryInMs === null ? null : clock.now().getTime() + retryInMs;
    for (const s of store.sessions.listActive()) {
      if (s.state === 'paused') continue;
      for (const p of store.prompts.listBySession(s.id)) {
        if (p.state !== 'planned' && p.state !== 'posting') continue;
        const at = Math.max(p.plannedAt.getTime(), p.nextAttemptAt?.getTime() ?? 0);
        if (next === null || at < next) next = at;
      }
    }
    if (this.timer !== null) timers.clearTimeout(this.timer);
    // Nothing due: still wake hourly, so the planner runs without any outside tick.
    const delay = next === null ? MAX_TIMER_MS : Math.min(Math.max(0, next - clock.now().getTime()), MAX_TIMER_MS);
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      void this.kick();
    }, delay);
  }

  private settingsOf(session: Session): SeriesSettings {
    const series = this.deps.store.series.get(session.seriesId);
    return parseSeriesSettings(series?.settings ?? {});
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
