import type { Attribution } from '../domain/attribution.ts';
import type { Clock } from '../domain/clock.ts';
import { questionBody, type AnswerTarget } from '../domain/labels.ts';
import type { Logger } from '../logger.ts';
import type { Correction, StoredMessage, StorePort } from '../store/port.ts';
import { ControlError } from './requests.ts';

/**
 * Moderator corrections (issue 14): "Count as answer…" (to a question the session posted,
 * or as a takeaway) and "Not an answer". A correction overrides the grammar for that
 * message: its answer row is written with via 'correction' (or removed), the correction is
 * kept (store.corrections) so that a later edit of the message does not re-attribute it
 * (the ingest's edit path reads it, see correctedAttribution), and the control log records
 * who did it, when and to which message (never its text). A message outside any session (the
 * store never kept it) and a bot's post are refused with ControlError.
 */

/** What a correction makes of a message, with its current text. */
export function correctedAttribution(target: AnswerTarget | null, text: string): Attribution {
  return target === null
    ? { kind: 'none', reason: 'moderator' }
    : { kind: 'answer', question: target, via: 'correction', label: null, text };
}

/** One choice of the "Count as answer…" menu: a question the session posted, or the takeaways. */
export interface CorrectionChoice {
  target: AnswerTarget;
  /** "Q2: What is…" or "Takeaway", short enough for a select menu. */
  label: string;
}

/** How the control log and replies name a target. */
export function targetName(target: AnswerTarget | null): string {
  return target === null ? 'not an answer' : target === 'TA' ? 'a takeaway' : `an answer to Q${target}`;
}

export class Corrections {
  constructor(private readonly deps: {
    store: StorePort; clock: Clock; log: Logger;
    /** Told after a correction is stored (the ingest: a session's attribution follows it). */
    onCorrected?: (sessionId: number) => Promise<void>;
    /** The server the moderator acts in: another server's message is refused as unknown (tenancy). Undefined: any (the CLI, tests). */
    guildId?: string | null;
  }) {}

  /** The message as stored, refused when it is not one a moderator may correct. */
  async message(platformId: string): Promise<StoredMessage> {
    const message = await this.deps.store.messages.get(platformId);
    const unknown = new ControlError('that message is not part of any chat session');
    if (!message || message.deletedAt) throw unknown;
    if (this.deps.guildId !== undefined && (await this.deps.store.sessions.get(message.sessionId))?.guildId !== this.deps.guildId) throw unknown;
    if (message.fromSelf) throw new ControlError("that is one of Emcee's own posts: only participants' messages can be corrected");
    return message;
  }

  /** The menu of "Count as answer…": the session's posted questions in order, then the takeaways. */
  async choices(platformId: string): Promise<CorrectionChoice[]> {
    const message = await this.message(platformId);
    const session = (await this.deps.store.sessions.get(message.sessionId))!;
    const series = await this.deps.store.series.get(session.seriesId);
    const prompts = await this.deps.store.prompts.listBySession(session.id);
    const asked = prompts.filter((p) => p.kind === 'question' && p.state === 'posted' && p.questionNumber !== null);
    const seen = new Set<number>();
    const out: CorrectionChoice[] = [];
    for (const p of asked.sort((a, b) => a.questionNumber! - b.questionNumber!)) {
      if (seen.has(p.questionNumber!)) continue;
      seen.add(p.questionNumber!);
      out.push({ target: p.questionNumber!, label: `Q${p.questionNumber}: ${questionBody(p.text, series?.tag)}` });
    }
    out.push({ target: 'TA', label: 'Takeaway' });
    return out;
  }

  /**
   * Corrects a message: answer to `target`, or not an answer (null). One transaction: the
   * correction, the answer row and the control log entry land together.
   */
  async correct(platformId: string, target: AnswerTarget | null, actor: string): Promise<Correction> {
    const { store, clock, log } = this.deps;
    const message = await this.message(platformId);
    if (typeof target === 'number' && !(await this.choices(platformId)).some((c) => c.target === target)) {
      throw new ControlError(`Q${target} has not been asked in this session`);
    }
    const at = clock.now();
    const correction = await store.transaction(async (tx) => {
      const saved = await tx.corrections.set({ messageId: message.id, sessionId: message.sessionId, target, actor, at });
      await tx.messages.recordAttribution(message, correctedAttribution(target, message.text));
      await tx.controls.record(message.sessionId, 'correct', actor, at, { messageId: platformId, target: target === null ? 'none' : target });
      return saved;
    });
    log.info({ sessionId: message.sessionId, messageId: platformId, target, actor }, 'message corrected');
    await this.deps.onCorrected?.(message.sessionId);
    return correction;
  }
}
