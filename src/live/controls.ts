import type { Clock } from '../domain/clock.ts';
import { DEFAULT_SETTINGS } from '../domain/settings.ts';
import { questionText, sortPrompts } from '../domain/timetable.ts';
import type { Logger } from '../logger.ts';
import type { Repositories, StorePort } from '../store/port.ts';
import type { Prompt } from '../store/prompts.ts';
import type { Series } from '../domain/series.ts';
import type { Session } from '../store/sessions.ts';
import { persistSession } from './persist.ts';
import { ControlError, planStart, validateQuestion, type StartQuestions } from './requests.ts';

/**
 * The moderator controls: what slash commands and `emcee session …` call (through
 * runControl and planStart in requests.ts, which parse and check the request). Each control
 * validates, changes the database in one transaction, logs who did it and when (table
 * control_log and the log), then lets the engine act. State lives only in the database,
 * so every control survives a restart: a paused session stays paused.
 */

// What a control is asked for is parsed and checked in requests.ts (with ControlError),
// which the front ends call.

/** A planned session starting within this window is replaced when a moderator starts one now. */
const REPLACE_UPCOMING_MS = 12 * 60 * 60_000;
const MINUTE = 60_000;

export interface ControlsDeps {
  store: StorePort;
  clock: Clock;
  log: Logger;
  /** Called after every change so that the engine posts what is now due. */
  onChange?: () => Promise<void>;
  /** Told which session a control changed (its scheduled event follows). */
  onSessionChanged?: (sessionId: number) => void;
}

export class SessionControls {
  constructor(private readonly deps: ControlsDeps) {}

  /**
   * Starts a session of the series now: with the given questions, else the given question
   * set, else the series' question set. An upcoming planned session of the series (within
   * 12 hours) is cancelled in its favour, so the chat does not run twice.
   */
  async start(series: Series, by: string, options: StartQuestions = {}): Promise<Session> {
    const { store, clock } = this.deps;
    const now = clock.now();
    if (!series.channelId) throw new ControlError(`the series ${series.tag} has no channel to run in`);
    // Checked and written in one transaction: the checks see what the writes change.
    const session = await store.transaction(async (tx) => {
      const inChannel = await tx.sessions.listInChannel(series.channelId!);
      const active = inChannel.filter((s) => s.state === 'running' || s.state === 'paused');
      if (active.length > 0) throw new ControlError(`a session is already ${active[0]!.state} in this channel (session #${active[0]!.id}); end or cancel it first`);
      const { questions, questionSetId } = await planStart(tx, series, options);
      for (const s of inChannel) {
        if (s.state === 'planned' && s.seriesId === series.id && s.startsAt.getTime() - now.getTime() < REPLACE_UPCOMING_MS) {
          await this.cancelPrompts(tx, s, 'replaced by a session started now');
          await tx.sessions.setState(s.id, 'cancelled', { endedAt: now });
          await tx.controls.record(s.id, 'cancel', by, now, { reason: 'replaced by a session started now' });
        }
      }
      const created = await persistSession(tx, { series, startsAt: now, questions, questionSetId, state: 'running' });
      await tx.controls.record(created.id, 'start', by, now, { questions: questions.length, questionSetId });
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
    const { session, question } = await store.transaction(async (tx) => {
      const session = await this.running(tx, sessionId, 'post the next question');
      const open = await this.openPrompts(tx, session);
      const question = open.find((p) => p.kind === 'question');
      if (!question) throw new ControlError('all questions have been posted or skipped; use end for the outro');
      const shift = now.getTime() - question.plannedAt.getTime();
      for (const p of open) {
        if (p.kind === 'heads_up' && p.questionNumber === question.questionNumber) await tx.prompts.markSkipped(p.id, 'the question was posted early (next)');
        else if (p.plannedAt < question.plannedAt) {
          if (p.kind === 'heads_up') await tx.prompts.markSkipped(p.id, 'a question was posted early (next)');
          else if (p.kind === 'preview') await tx.prompts.markSkipped(p.id, 'the session had already started');
          else if (p.plannedAt > now) await tx.prompts.reschedule(p.id, now);
        } else if (shift < 0) await tx.prompts.reschedule(p.id, new Date(p.plannedAt.getTime() + shift));
      }
      await tx.controls.record(session.id, 'next', by, now, { question: question.questionNumber, shiftedMs: Math.min(shift, 0) });
      return { session, question };
    });
    await this.changed(session, 'next', by);
    return (await store.prompts.get(question.id))!;
  }

  /** Skips a question (default: the next one) and its heads-up; the rest keeps its times. */
  async skip(sessionId: number, by: string, questionNumber?: number): Promise<Prompt> {
    const { store, clock } = this.deps;
    const { session, question } = await store.transaction(async (tx) => {
      const session = await this.active(tx, sessionId, 'skip a question');
      const question = await this.openQuestion(tx, session, questionNumber, 'skip');
      for (const p of await this.openPrompts(tx, session)) {
        if (p.questionNumber === question.questionNumber) await tx.prompts.markSkipped(p.id, `skipped by ${by}`);
      }
      await tx.controls.record(session.id, 'skip', by, clock.now(), { question: question.questionNumber });
      return { session, question };
    });
    await this.changed(session, 'skip', by);
    return (await store.prompts.get(question.id))!;
  }

  /** Freezes the timetable: nothing is posted until resume. */
  async pause(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const paused = await store.transaction(async (tx) => {
      const session = await this.running(tx, sessionId, 'pause');
      await tx.controls.record(session.id, 'pause', by, now);
      return tx.sessions.setState(session.id, 'paused', { pausedAt: now });
    });
    return this.changed(paused, 'pause', by);
  }

  /** Unfreezes: every prompt still to come moves later by the length of the pause. */
  async resume(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const resumed = await store.transaction(async (tx) => {
      const session = await this.get(tx, sessionId);
      if (session.state !== 'paused' || !session.pausedAt) throw new ControlError(`session #${session.id} is not paused`);
      const pausedFor = now.getTime() - session.pausedAt.getTime();
      for (const p of await this.openPrompts(tx, session)) await tx.prompts.reschedule(p.id, new Date(p.plannedAt.getTime() + pausedFor));
      await tx.controls.record(session.id, 'resume', by, now, { pausedMs: pausedFor });
      return tx.sessions.setState(session.id, 'running');
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
    const session = await store.transaction(async (tx) => {
      const session = await this.active(tx, sessionId, 'extend');
      if (session.state === 'planned') {
        throw new ControlError(`session #${session.id} has not started yet, so there is nothing to extend; to move it, set up the chat with a new time`);
      }
      for (const p of await this.openPrompts(tx, session)) {
        if (p.kind !== 'preview') await tx.prompts.reschedule(p.id, new Date(p.plannedAt.getTime() + minutes * MINUTE));
      }
      await tx.controls.record(session.id, 'extend', by, clock.now(), { minutes });
      return session;
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
    const now = clock.now();
    const session = await store.transaction(async (tx) => {
      const session = await this.active(tx, sessionId, 'end');
      await this.refuseIfEnding(tx, session, now);
      const grace = ((await tx.series.get(session.seriesId))?.settings ?? DEFAULT_SETTINGS).graceMinutes;
      const open = await this.openPrompts(tx, session);
      const outroOpen = open.some((p) => p.kind === 'outro');
      for (const p of open) {
        if (p.kind === 'outro') await tx.prompts.reschedule(p.id, now);
        else if (p.kind === 'close') await tx.prompts.reschedule(p.id, outroOpen ? new Date(now.getTime() + grace * MINUTE) : now);
        else await tx.prompts.markSkipped(p.id, `ended early by ${by}`);
      }
      if (session.state !== 'running') await tx.sessions.setState(session.id, 'running');
      await tx.controls.record(session.id, 'end', by, now);
      return session;
    });
    return this.changed(session, 'end', by);
  }

  /** Calls the session off: nothing more is posted, not even the outro. */
  async cancel(sessionId: number, by: string): Promise<Session> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const cancelled = await store.transaction(async (tx) => {
      const session = await this.active(tx, sessionId, 'cancel');
      await this.cancelPrompts(tx, session, `cancelled by ${by}`);
      await tx.controls.record(session.id, 'cancel', by, now);
      return tx.sessions.setState(session.id, 'cancelled', { endedAt: now });
    });
    return this.changed(cancelled, 'cancel', by);
  }

  /** Replaces the text of a question that has not gone out yet. */
  async replaceQuestion(sessionId: number, by: string, questionNumber: number, text: string): Promise<Prompt> {
    const { store, clock } = this.deps;
    const { session, question } = await store.transaction(async (tx) => {
      const session = await this.active(tx, sessionId, 'replace a question');
      const question = await this.openQuestion(tx, session, questionNumber, 'replace');
      const body = validateQuestion(text, questionNumber);
      await tx.prompts.setText(question.id, questionText(questionNumber, body));
      await tx.controls.record(session.id, 'replace', by, clock.now(), { question: questionNumber, text: body });
      return { session, question };
    });
    await this.changed(session, 'replace', by);
    return (await store.prompts.get(question.id))!;
  }

  /**
   * Reorders the questions not yet out. `order` lists their current numbers in the new
   * order: with Q3 and Q4 still to come, [4, 3] asks today's Q4 third and Q3 fourth.
   * Slots keep their numbers and times; only the texts move.
   */
  async reorderQuestions(sessionId: number, by: string, order: number[]): Promise<Prompt[]> {
    const { store, clock } = this.deps;
    const { session, slots } = await store.transaction(async (tx) => {
      const session = await this.active(tx, sessionId, 'reorder questions');
      const slots = (await this.openPrompts(tx, session)).filter((p) => p.kind === 'question').sort((a, b) => a.questionNumber! - b.questionNumber!);
      const numbers = slots.map((p) => p.questionNumber!);
      const same = order.length === numbers.length && [...order].sort((a, b) => a - b).every((n, i) => n === numbers[i]);
      if (!same) throw new ControlError(`give each question still to come exactly once (${numbers.map((n) => `Q${n}`).join(', ') || 'none left'})`);
      const bodies = new Map(slots.map((p) => [p.questionNumber!, p.text.replace(/^Q\d+: /, '')]));
      for (const [i, slot] of slots.entries()) await tx.prompts.setText(slot.id, questionText(slot.questionNumber!, bodies.get(order[i]!)!));
      await tx.controls.record(session.id, 'reorder', by, clock.now(), { order });
      return { session, slots };
    });
    await this.changed(session, 'reorder', by);
    const after: Prompt[] = [];
    for (const s of slots) after.push((await store.prompts.get(s.id))!);
    return after;
  }

  private async refuseIfEnding(store: Repositories, session: Session, now: Date): Promise<void> {
    const prompts = await store.prompts.listBySession(session.id);
    const outro = prompts.find((p) => p.kind === 'outro');
    const ended = (await store.controls.list(session.id)).some((c) => c.action === 'end');
    if (!ended && (!outro || outro.state === 'planned')) return;
    const state = outro?.state ?? 'skipped';
    const what = state === 'posted' ? 'the outro is out' : state === 'planned' || state === 'posting' ? 'the outro is going out' : `the outro was ${state}`;
    const close = prompts.find((p) => p.kind === 'close' && (p.state === 'planned' || p.state === 'posting'));
    const left = close ? Math.max(0, Math.ceil((close.plannedAt.getTime() - now.getTime()) / MINUTE)) : 0;
    const closes = close ? ` and answers close in ${left} minute${left === 1 ? '' : 's'}` : '';
    throw new ControlError(`session #${session.id} is already ending: ${what}${closes}; nothing changed (use cancel to stop at once)`);
  }

  private async cancelPrompts(store: Repositories, session: Session, reason: string): Promise<void> {
    for (const p of await this.openPrompts(store, session)) await store.prompts.markSkipped(p.id, reason);
  }

  private async openPrompts(store: Repositories, session: Session): Promise<Prompt[]> {
    return sortPrompts((await store.prompts.listBySession(session.id)).filter((p) => p.state === 'planned'));
  }

  private async openQuestion(store: Repositories, session: Session, questionNumber: number | undefined, verb: string): Promise<Prompt> {
    const questions = (await store.prompts.listBySession(session.id)).filter((p) => p.kind === 'question');
    const target = questionNumber === undefined
      ? sortPrompts(questions.filter((p) => p.state === 'planned'))[0]
      : questions.find((p) => p.questionNumber === questionNumber);
    if (!target) throw new ControlError(questionNumber === undefined ? `no question left to ${verb}` : `this session has no Q${questionNumber} (it has ${questions.length} questions)`);
    if (target.state !== 'planned') throw new ControlError(`Q${target.questionNumber} was already ${target.state === 'posting' ? 'being posted' : target.state}; you can only ${verb} questions still to come`);
    return target;
  }

  private async get(store: Repositories, sessionId: number): Promise<Session> {
    const session = await store.sessions.get(sessionId);
    if (!session) throw new ControlError(`there is no session #${sessionId}`);
    return session;
  }

  private async active(store: Repositories, sessionId: number, verb: string): Promise<Session> {
    const session = await this.get(store, sessionId);
    if (session.state !== 'planned' && session.state !== 'running' && session.state !== 'paused') {
      throw new ControlError(`session #${session.id} is ${session.state}; there is nothing to ${verb}`);
    }
    return session;
  }

  private async running(store: Repositories, sessionId: number, verb: string): Promise<Session> {
    const session = await this.active(store, sessionId, verb);
    if (session.state === 'paused') throw new ControlError(`session #${session.id} is paused; resume it first`);
    if (session.state === 'planned') throw new ControlError(`session #${session.id} has not started yet; start it first`);
    return session;
  }

  private async changed(session: Session, action: string, by: string): Promise<Session> {
    this.deps.log.info({ sessionId: session.id, action, by }, 'moderator control');
    this.deps.onSessionChanged?.(session.id);
    await this.deps.onChange?.();
    return (await this.deps.store.sessions.get(session.id))!;
  }
}
