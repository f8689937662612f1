import type { Clock } from '../domain/clock.ts';
import type { SeriesSettings } from '../domain/settings.ts';
import type { Logger } from '../logger.ts';
import { isChannelUnavailable, type ChatPlatform } from '../platform/types.ts';
import type { StorePort } from '../store/port.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Session } from '../store/sessions.ts';
import { noTelemetry, type Telemetry, type TelemetryDeps } from './telemetry.ts';

/** For the engine, whose deps take the same optional telemetry (it imports the poster already). */
export type { TelemetryDeps } from './telemetry.ts';

/** Attempts before a prompt is given up as failed. */
export const MAX_ATTEMPTS = 5;
/** How many recent channel messages are searched for a post of unknown outcome. */
export const RECONCILE_LOOKBACK = 100;
/** Clock difference tolerated between the bot and the platform when reconciling by text. */
const RECONCILE_SKEW_MS = 60_000;

export function promptMarker(prompt: Pick<Prompt, 'id' | 'sessionId'>): string {
  return `emcee:${prompt.sessionId}:${prompt.id}`;
}

/** 5 s, 15 s, 45 s, … capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 3 ** (attempts - 1), 5 * 60_000);
}

/**
 * One claimed prompt's requests, for the engine (src/live/engine.ts, which explains exactly
 * once): the post with its marker, between the "posting" and "posted" writes fenced by the
 * claim, and the lookup by marker of a post of unknown outcome before any resend. A failure
 * counts as an attempt and waits (backoffMs) or gives the prompt up after MAX_ATTEMPTS.
 */
export class PromptPoster {
  private readonly telemetry: Telemetry;

  constructor(private readonly deps: { store: StorePort; platform: ChatPlatform; clock: Clock; log: Logger; owner: string } & TelemetryDeps) {
    this.telemetry = deps.telemetry ?? noTelemetry;
  }

  /** Records a due prompt as skipped (the engine decided why); false when the claim was taken over. */
  async skip(session: Session, p: Prompt, reason: string): Promise<boolean> {
    if (!(await this.deps.store.prompts.markSkipped(p.id, reason, this.deps.owner))) return false;
    this.deps.log.info({ sessionId: session.id, promptId: p.id, kind: p.kind, question: p.questionNumber, reason }, 'prompt skipped');
    this.telemetry.promptSkipped(p.kind, session.guildId);
    return true;
  }

  /** Counts a prompt that went out at `at`. */
  private posted(session: Session, p: Prompt, at: Date, late: boolean): void {
    this.telemetry.promptPosted(p.kind, Math.max(0, at.getTime() - p.plannedAt.getTime()) / 1000, late, session.guildId);
  }

  /** Sends one prompt; false when it must be retried later (the caller stops there). */
  async post(session: Session, p: Prompt, late: boolean, tolerance: number, settings: SeriesSettings): Promise<boolean> {
    const { store, platform, clock, log } = this.deps;
    if (p.state === 'posting') {
      const looked = await this.lookUp(session, p, tolerance);
      if (looked !== 'absent') return looked !== 'retry';
    }

    const marker = promptMarker(p);
    const channelId = this.channelOf(session);
    const openThread = p.kind === 'question' && settings.threads;
    if (!(await store.prompts.markPosting(p.id, marker, this.deps.owner))) {
      log.warn({ sessionId: session.id, promptId: p.id }, 'claim on the prompt was taken over by another process; not posting it');
      return false;
    }
    try {
      const sent = await platform.post(channelId, {
        kind: p.kind, questionNumber: p.questionNumber, text: p.text, marker, late,
        openThread,
      });
      if (!(await store.prompts.markPosted(p.id, sent.id, sent.at, late, this.deps.owner))) {
        log.warn({ sessionId: session.id, promptId: p.id, messageId: sent.id }, 'posted, but the claim was taken over meanwhile: the new claimant records the outcome');
        return false;
      }
      log.info({ sessionId: session.id, promptId: p.id, kind: p.kind, question: p.questionNumber, messageId: sent.id, late }, 'prompt posted');
      this.posted(session, p, sent.at, late);
      return true;
    } catch (err) {
      if (isChannelUnavailable(err)) throw err; // not retried: the session stops
      const attempts = p.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        await store.prompts.markFailed(p.id, `gave up after ${attempts} attempts: ${(err as Error).message}`, this.deps.owner);
        log.error({ err, sessionId: session.id, promptId: p.id, attempts }, 'prompt failed; moving on');
        this.telemetry.promptFailed(p.kind, session.guildId);
        return true;
      }
      const retry = new Date(clock.now().getTime() + backoffMs(attempts));
      await store.prompts.retryLater(p.id, retry, this.deps.owner);
      log.warn({ err, sessionId: session.id, promptId: p.id, attempts, retryAt: retry }, 'posting failed; will check and retry');
      return false;
    }
  }

  /**
   * The lookup before any resend of a post of unknown outcome. Its failure is an attempt
   * like a failed send: 'retry' after the backoff, or 'gave-up' (the prompt is marked
   * failed) after MAX_ATTEMPTS. A lost channel is not retried (the error goes up).
   */
  async lookUp(session: Session, p: Prompt, tolerance: number): Promise<'found' | 'absent' | 'retry' | 'gave-up'> {
    const { store, clock, log } = this.deps;
    try {
      const found = await this.reconcile(session, p, tolerance);
      return found === 'lost' ? 'retry' : found; // lost: the claim was taken over; the new claimant carries on
    } catch (err) {
      if (isChannelUnavailable(err)) throw err;
      const attempts = p.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        await store.prompts.attemptFailed(p.id, null, this.deps.owner);
        await store.prompts.markFailed(p.id, `gave up after ${attempts} attempts: could not check whether it went out: ${(err as Error).message}`, this.deps.owner);
        log.error({ err, sessionId: session.id, promptId: p.id, attempts }, 'prompt failed (outcome unknown); moving on');
        this.telemetry.promptFailed(p.kind, session.guildId);
        return 'gave-up';
      }
      const retry = new Date(clock.now().getTime() + backoffMs(attempts));
      await store.prompts.attemptFailed(p.id, retry, this.deps.owner);
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
    const recorded = await store.prompts.markPosted(p.id, found.id, found.at, late, this.deps.owner);
    log.info({ sessionId: session.id, promptId: p.id, messageId: found.id, recorded }, 'unknown-outcome post found in the channel; not sending again');
    if (recorded) this.posted(session, p, found.at, late);
    return recorded ? 'found' : 'lost';
  }

  private channelOf(session: Session): string {
    if (!session.channelId) throw new Error(`session ${session.id} has no channel`);
    return session.channelId;
  }
}
