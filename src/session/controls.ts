import type { Clock } from '../core/clock.ts';
import { parseSeriesSettings } from '../core/settings.ts';
import { questionText, sortPrompts } from '../core/timetable.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Series } from '../store/series.ts';
import type { Session } from '../store/sessions.ts';
import { persistSession } from './persist.ts';

/**
 * The moderator controls: what slash commands and `emcee session …` call. Each control
 * validates, changes the database in one transaction, logs who did it and when (table
 * control_log and the log), then lets the engine act. State lives only in the database,
 * so every control survives a restart: a paused session stays paused.
 */

/** A refusal or a mistake the moderator can fix; the message is for them. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
}

/** Discord's message limit: a question must fit with its "Qn: " wrapper. */
export const MAX_POST_LENGTH = 2000;
export const MAX_QUESTIONS = 10;
/** A planned session starting within this window is replaced when a moderator starts one now. */
const REPLACE_UPCOMING_MS = 12 * 60 * 60_000;
const MINUTE = 60_000;

export interface ControlsDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Called after every change so that the engine posts what is now due. */
  onChange?: () => Promise<void>;
}

export interface SessionStatus {
  session: Session;
  tag: string;
  posted: Prompt[];
  skipped: Prompt[];
  upcoming: Prompt[];
  /** The next prompt to go out (null when paused or nothing is left). */
  next: Prompt | null;
  questions: { number: number; text: string; state: Prompt['state']; postedAt: Date | null; answers: number; inferred: number }[];
  takeaways: number;
}

export class SessionControls {
  constructor(private readonly deps: ControlsDeps) {}

  /**
   * Starts a session of the series now: with the given questions, else the given question
   * set, else the series' question set. An upcoming planned session of the series (within
   * 12 hours) is cancelled in its favour, so the chat does not run twice.
   */
  async start(series: Series, by: string, options: { questions?: string[]; questionSetId?: number } = {}): Promise<Session> {
    const { store, clock } = this.deps;
    const now = clock.now();
    if (!series.channelId) throw new ControlError(`the series ${series.tag} has no channel to run in`);
    const active = store.sessions.listInChannel(series.channelId).filter((s) => s.state === 'running' || s.state === 'paused');
    if (active.length > 0) throw new ControlError(`a session is already ${active[0]!.state} in this channel (session #${active[0]!.id}); end or cancel it first`);
    const { questions, questionSetId } = this.questionsFor(series, options);

    const session = store.transaction(() => {
      for (const s of store.sessions.listInChannel(series.channelId!)) {
        if (s.state === 'planned' && s.seriesId === series.id && s.startsAt.getTime() - now.getTime() < REPLACE_UPCOMING_MS) {
          this.cancelPrompts(s, 'replaced by a session started now');
          store.sessions.setState(s.id, 'cancelled', { endedAt: now });
          store.controls.record(s.id, 'cancel', by, now, { reason: 'replaced by a session started now' });
        }
      }
      const created = persistSession(store, { series, startsAt: now, questions, questionSetId, state: 'running' });
      store.controls.record(created.id, 'start', by, now, { questions: questions.length, questionSetId });
      return created;
    });
    return this.changed(session, 'start', by);
  }

  /**
   * Posts the next question now; everything after it moves earlier by the same amount.
   * What comes before the question and is not out yet goes out first, in its order
   * (issue 10, item 4): the welcome and guidelines are posted now, just ahead of the
   * question; heads-ups (they announce the question being pulled forward) and a preview
   * (the session runs already) are skipped. Nothing goes out of order.
   */
  async next(sessionId: number, by: string): Promise<Prompt> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const session = this.running(sessionId, 'post the next question');
    const open = this.openPrompts(session);
    const question = open.find((p) => p.kind === 'question');
    if (!question) throw new ControlError('all questions have been posted or skipped; use end for the outro');
    const shift = now.getTime() - question.plannedAt.getTime();
    store.transaction(() => {
      for (const p of open) {
        if (p.kind === 'heads_up' && p.questionNumber === question.questionNumber) store.prompts.markSkipped(p.id, 'the question was posted early (next)');
        else if (p.plannedAt < question.plannedAt) {
          if (p.kind === 'heads_up') store.prompts.markSkipped(p.id, 'a question was posted early (next)');
          else if (p.kind === 'preview') store.prompts.markSkipped(p.id, 'the session had already started');
          else if (p.plannedAt > now) store.prompts.reschedule(p.id, now);
        } else if (shift < 0) store.prompts.reschedule(p.id, new Date(p.plannedAt.getTime() + shift));
      }
      store.controls.record(session.id, 'next', by, now, { question: question.questionNumber, shiftedMs: Math.min(shift, 0) });
    });
    await this.changed(session, 'next', by);
    return store.prompts.get(question.id)!;
  }

  /** Skips a question (default: the next one) and its heads-up; the rest keeps its times. */
  async skip(sessionId: number, by: string, questionNumber?: number): Promise<Prompt> {
    const { store, clock } = this.deps;
    const session = this.active(sessionId, 'skip a question');
    const question = this.openQuestion(session, questionNumber, 'skip');
    store.transaction(() => {
      for (const p of this.openPrompts(session)) {
        if (p.questionNumber === question.questionNumber) store.prompts.markSkipped(p.id, `skipped by ${by}`);
      }
      store.controls.record(session.id, 'skip', by, clock.now(), { question: question.questionNumber });
    });
    await this.changed(session, 'skip', by);
    return store.prompts.get(question.id)!;
  }

  /** Freezes the timetable: nothing is posted until resume. */
  async pause(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const session = this.running(sessionId, 'pause');
    const now = clock.now();
    const paused = store.transaction(() => {
      store.controls.record(session.id, 'pause', by, now);
      return store.sessions.setState(session.id, 'paused', { pausedAt: now });
    });
    return this.changed(paused, 'pause', by);
  }

  /** Unfreezes: every prompt still to come moves later by the length of the pause. */
  async resume(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const session = this.get(sessionId);
    if (session.state !== 'paused' || !session.pausedAt) throw new ControlError(`session #${session.id} is not paused`);
    const now = clock.now();
    const pausedFor = now.getTime() - session.pausedAt.getTime();
    const resumed = store.transaction(() => {
      for (const p of this.openPrompts(session)) store.prompts.reschedule(p.id, new Date(p.plannedAt.getTime() + pausedFor));
      store.controls.record(session.id, 'resume', by, now, { pausedMs: pausedFor });
      return store.sessions.setState(session.id, 'running');
    });
    return this.changed(resumed, 'resume', by);
  }

  /**
   * Gives the current question N more minutes: everything still to come moves later.
   * Only a session that has started can be extended (issue 10, item 5): before the start
   * it is refused, since moving everything later would move the start itself; a session
   * is moved by setting the chat up with a new time.
   */
  async extend(sessionId: number, by: string, minutes: number): Promise<Session> {
    const { store, clock } = this.deps;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) throw new ControlError('extend takes a whole number of minutes from 1 to 120');
    const session = this.active(sessionId, 'extend');
    if (session.state === 'planned') {
      throw new ControlError(`session #${session.id} has not started yet, so there is nothing to extend; to move it, set up the chat with a new time`);
    }
    store.transaction(() => {
      for (const p of this.openPrompts(session)) {
        if (p.kind !== 'preview') store.prompts.reschedule(p.id, new Date(p.plannedAt.getTime() + minutes * MINUTE));
      }
      store.controls.record(session.id, 'extend', by, clock.now(), { minutes });
    });
    return this.changed(session, 'extend', by);
  }

  /**
   * Outro now: questions not yet out are skipped, answers close after the grace period.
   * Idempotent (issue 10, item 3): once the session is ending (end was used, or the outro
   * is out or on its way) a second end is refused and changes nothing, so the close stays
   * at outro + grace instead of closing collection at once.
   */
  async end(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const session = this.active(sessionId, 'end');
    const now = clock.now();
    this.refuseIfEnding(session, now);
    const grace = parseSeriesSettings(store.series.get(session.seriesId)?.settings ?? {}).graceMinutes;
    store.transaction(() => {
      const open = this.openPrompts(session);
      const outroOpen = open.some((p) => p.kind === 'outro');
      for (const p of open) {
        if (p.kind === 'outro') store.prompts.reschedule(p.id, now);
        else if (p.kind === 'close') store.prompts.reschedule(p.id, outroOpen ? new Date(now.getTime() + grace * MINUTE) : now);
        else store.prompts.markSkipped(p.id, `ended early by ${by}`);
      }
      if (session.state !== 'running') store.sessions.setState(session.id, 'running');
      store.controls.record(session.id, 'end', by, now);
    });
    return this.changed(session, 'end', by);
  }

  /** Calls the session off: nothing more is posted, not even the outro. */
  async cancel(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const session = this.active(sessionId, 'cancel');
    const now = clock.now();
    const cancelled = store.transaction(() => {
      this.cancelPrompts(session, `cancelled by ${by}`);
      store.controls.record(session.id, 'cancel', by, now);
      return store.sessions.setState(session.id, 'cancelled', { endedAt: now });
    });
    return this.changed(cancelled, 'cancel', by);
  }

  /** Replaces the text of a question that has not gone out yet. */
  async replaceQuestion(sessionId: number, by: string, questionNumber: number, text: string): Promise<Prompt> {
    const { store, clock } = this.deps;
    const session = this.active(sessionId, 'replace a question');
    const question = this.openQuestion(session, questionNumber, 'replace');
    const body = validateQuestion(text, questionNumber);
    store.transaction(() => {
      store.prompts.setText(question.id, questionText(questionNumber, body));
      store.controls.record(session.id, 'replace', by, clock.now(), { question: questionNumber, text: body });
    });
    await this.changed(session, 'replace', by);
    return store.prompts.get(question.id)!;
  }

  /**
   * Reorders the questions not yet out. `order` lists their current numbers in the new
   * order: with Q3 and Q4 still to come, [4, 3] asks today's Q4 third and Q3 fourth.
   * Slots keep their numbers and times; only the texts move.
   */
  async reorderQuestions(sessionId: number, by: string, order: number[]): Promise<Prompt[]> {
    const { store, clock } = this.deps;
    const session = this.active(sessionId, 'reorder questions');
    const slots = this.openPrompts(session).filter((p) => p.kind === 'question').sort((a, b) => a.questionNumber! - b.questionNumber!);
    const numbers = slots.map((p) => p.questionNumber!);
    const same = order.length === numbers.length && [...order].sort((a, b) => a - b).every((n, i) => n === numbers[i]);
    if (!same) throw new ControlError(`give each question still to come exactly once (${numbers.map((n) => `Q${n}`).join(', ') || 'none left'})`);
    const bodies = new Map(slots.map((p) => [p.questionNumber!, p.text.replace(/^Q\d+: /, '')]));
    store.transaction(() => {
      slots.forEach((slot, i) => store.prompts.setText(slot.id, questionText(slot.questionNumber!, bodies.get(order[i]!)!)));
      store.controls.record(session.id, 'reorder', by, clock.now(), { order });
    });
    await this.changed(session, 'reorder', by);
    return slots.map((s) => store.prompts.get(s.id)!);
  }

  /** What has been posted, what comes next and when, answers so far per question. */
  status(sessionId: number): SessionStatus {
    const { store } = this.deps;
    const session = this.get(sessionId);
    const prompts = sortPrompts(store.prompts.listBySession(session.id));
    const answers = store.messages.answers(session.id, { inferred: true });
    const upcoming = prompts.filter((p) => p.state === 'planned' || p.state === 'posting');
    const count = (n: number | 'TA', inferred: boolean) => answers.filter((a) => a.question === n && (a.via === 'inferred') === inferred).length;
    return {
      session,
      tag: store.series.get(session.seriesId)?.tag ?? '',
      posted: prompts.filter((p) => p.state === 'posted'),
      skipped: prompts.filter((p) => p.state === 'skipped' || p.state === 'failed'),
      upcoming,
      next: session.state === 'paused' ? null : (upcoming[0] ?? null),
      questions: prompts.filter((p) => p.kind === 'question').map((p) => ({
        number: p.questionNumber!, text: p.text, state: p.state, postedAt: p.postedAt, answers: count(p.questionNumber!, false), inferred: count(p.questionNumber!, true),
      })),
      takeaways: count('TA', false),
    };
  }

  /** The session a channel's controls act on: the running or paused one, else the next planned. */
  currentSession(channelId: string): Session | null {
    const sessions = this.deps.store.sessions.listInChannel(channelId);
    return sessions.find((s) => s.state === 'running' || s.state === 'paused')
      ?? sessions.filter((s) => s.state === 'planned').sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0]
      ?? null;
  }

  private questionsFor(series: Series, options: { questions?: string[]; questionSetId?: number }): { questions: string[]; questionSetId: number | null } {
    if (options.questions) {
      if (options.questions.length === 0 || options.questions.length > MAX_QUESTIONS) throw new ControlError(`give between 1 and ${MAX_QUESTIONS} questions`);
      return { questions: options.questions.map((q, i) => validateQuestion(q, i + 1)), questionSetId: null };
    }
    const setId = options.questionSetId ?? parseSeriesSettings(series.settings).questionSetId;
    if (setId === null) throw new ControlError('no questions: give some, or choose a question set from the bank for this series');
    const set = this.deps.store.bank.get(setId);
    if (!set) throw new ControlError(`there is no question set #${setId} in the bank`);
    if (set.questions.length === 0) throw new ControlError(`question set #${setId} has no questions`);
    return { questions: set.questions.slice(0, MAX_QUESTIONS), questionSetId: set.id };
  }

  private refuseIfEnding(session: Session, now: Date): void {
    const { store } = this.deps;
    const prompts = store.prompts.listBySession(session.id);
    const outro = prompts.find((p) => p.kind === 'outro');
    const ended = store.controls.list(session.id).some((c) => c.action === 'end');
    if (!ended && (!outro || outro.state === 'planned')) return;
    const state = outro?.state ?? 'skipped';
    const what = state === 'posted' ? 'the outro is out' : state === 'planned' || state === 'posting' ? 'the outro is going out' : `the outro was ${state}`;
    const close = prompts.find((p) => p.kind === 'close' && (p.state === 'planned' || p.state === 'posting'));
    const left = close ? Math.max(0, Math.ceil((close.plannedAt.getTime() - now.getTime()) / MINUTE)) : 0;
    const closes = close ? ` and answers close in ${left} minute${left === 1 ? '' : 's'}` : '';
    throw new ControlError(`session #${session.id} is already ending: ${what}${closes}; nothing changed (use cancel to stop at once)`);
  }

  private cancelPrompts(session: Session, reason: string): void {
    for (const p of this.openPrompts(session)) this.deps.store.prompts.markSkipped(p.id, reason);
  }

  private openPrompts(session: Session): Prompt[] {
    return sortPrompts(this.deps.store.prompts.listBySession(session.id).filter((p) => p.state === 'planned'));
  }

  private openQuestion(session: Session, questionNumber: number | undefined, verb: string): Prompt {
    const questions = this.deps.store.prompts.listBySession(session.id).filter((p) => p.kind === 'question');
    const target = questionNumber === undefined
      ? sortPrompts(questions.filter((p) => p.state === 'planned'))[0]
      : questions.find((p) => p.questionNumber === questionNumber);
    if (!target) throw new ControlError(questionNumber === undefined ? `no question left to ${verb}` : `this session has no Q${questionNumber} (it has ${questions.length} questions)`);
    if (target.state !== 'planned') throw new ControlError(`Q${target.questionNumber} was already ${target.state === 'posting' ? 'being posted' : target.state}; you can only ${verb} questions still to come`);
    return target;
  }

  private get(sessionId: number): Session {
    const session = this.deps.store.sessions.get(sessionId);
    if (!session) throw new ControlError(`there is no session #${sessionId}`);
    return session;
  }

  private active(sessionId: number, verb: string): Session {
    const session = this.get(sessionId);
    if (session.state !== 'planned' && session.state !== 'running' && session.state !== 'paused') {
      throw new ControlError(`session #${session.id} is ${session.state}; there is nothing to ${verb}`);
    }
    return session;
  }

  private running(sessionId: number, verb: string): Session {
    const session = this.active(sessionId, verb);
    if (session.state === 'paused') throw new ControlError(`session #${session.id} is paused; resume it first`);
    if (session.state === 'planned') throw new ControlError(`session #${session.id} has not started yet; start it first`);
    return session;
  }

  private async changed(session: Session, action: string, by: string): Promise<Session> {
    this.deps.log.info({ sessionId: session.id, action, by }, 'moderator control');
    await this.deps.onChange?.();
    return this.deps.store.sessions.get(session.id)!;
  }
}

/** A question's text: trimmed, not empty, and short enough to post with its "Qn: " prefix. */
export function validateQuestion(text: string, n: number): string {
  const body = text.trim();
  if (body === '') throw new ControlError(`Q${n} is empty`);
  const length = questionText(n, body).length;
  if (length > MAX_POST_LENGTH) throw new ControlError(`Q${n} is too long: ${length} characters with its "Q${n}: " prefix, Discord allows ${MAX_POST_LENGTH}`);
  return body;
}
