import type { Series } from '../domain/series.ts';
import { questionText } from '../domain/timetable.ts';
import type { Repositories } from '../store/port.ts';
import type { SessionControls } from './controls.ts';

/**
 * What a moderator asks for, parsed and checked once for both front ends: the slash
 * commands (src/discord/commands/chat.ts) and the terminal (`emcee session …`,
 * src/cli/live.ts) read their own options, then call these. The wording of a refusal is
 * the same everywhere (ControlError); each front end words a success in its own style.
 */

/** A refusal or a mistake the moderator can fix; the message is for them. */
export class ControlError extends Error {
  override readonly name = 'ControlError';
}

/** Discord's message limit: a question must fit with its "Qn: " wrapper. */
export const MAX_POST_LENGTH = 2000;
export const MAX_QUESTIONS = 10;

/** A question's text: trimmed, not empty, and short enough to post with its "Qn: " prefix. */
export function validateQuestion(text: string, n: number): string {
  const body = text.trim();
  if (body === '') throw new ControlError(`Q${n} is empty`);
  const length = questionText(n, body).length;
  if (length > MAX_POST_LENGTH) throw new ControlError(`Q${n} is too long: ${length} characters with its "Q${n}: " prefix, Discord allows ${MAX_POST_LENGTH}`);
  return body;
}

/** Which questions a start asks: given ones, a set from the bank, or (neither) the series' set. */
export interface StartQuestions {
  questions?: string[];
  questionSetId?: number;
}

/**
 * The "questions" of `/chat start questions:…` and `emcee session start --questions …`:
 * a question set id, or questions separated by `|` or new lines (each trimmed, empty ones
 * dropped). Absent: the series' own set.
 */
export function parseQuestionsOption(raw: string | null | undefined): StartQuestions {
  if (raw === null || raw === undefined) return {};
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { questionSetId: Number(text) };
  return { questions: text.split(/[|\n]/).map((q) => q.trim()).filter((q) => q !== '') };
}

/** The refusal for a set id nobody here may use: unknown, or another server's. */
export const unknownQuestionSet = (id: number) => new ControlError(`there is no question set #${id} in the bank`);

/** What a start will ask, once checked. */
export interface StartPlan {
  questions: string[];
  questionSetId: number | null;
}

/**
 * Checks what a session started now would ask and returns it: SessionControls.start calls
 * it inside its transaction, and a front end may call it before its first write (the slash
 * command does, before it creates a one-off chat). `series` null: a channel without a chat
 * yet, which has no set of its own.
 */
export async function planStart(repos: Repositories, series: Series | null, options: StartQuestions): Promise<StartPlan> {
  if (options.questions) {
    if (options.questions.length === 0 || options.questions.length > MAX_QUESTIONS) throw new ControlError(`give between 1 and ${MAX_QUESTIONS} questions`);
    return { questions: options.questions.map((q, i) => validateQuestion(q, i + 1)), questionSetId: null };
  }
  const setId = options.questionSetId ?? (series ? series.settings.questionSetId : null);
  if (setId === null) throw new ControlError('no questions: give some, or choose a question set from the bank for this series');
  const set = await repos.bank.get(setId);
  if (!set) throw unknownQuestionSet(setId);
  if (set.questions.length === 0) throw new ControlError(`question set #${setId} has no questions`);
  return { questions: set.questions.slice(0, MAX_QUESTIONS), questionSetId: set.id };
}

/** The controls that steer a session once it exists. */
export const CONTROL_NAMES = ['next', 'skip', 'pause', 'resume', 'extend', 'end', 'cancel'] as const;
export type ControlName = (typeof CONTROL_NAMES)[number];

export const isControlName = (name: string | null | undefined): name is ControlName => (CONTROL_NAMES as readonly (string | null | undefined)[]).includes(name);

export type ControlAction =
  | { kind: 'next' }
  | { kind: 'skip'; question?: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'extend'; minutes: number }
  | { kind: 'end' }
  | { kind: 'cancel' };

interface OutcomeDetails {
  next: { questionNumber: number };
  skip: { questionNumber: number };
  pause: object;
  resume: object;
  extend: { minutes: number };
  end: object;
  cancel: object;
}

/** What a control did, for the front end to word. */
export type ControlOutcome = { [K in ControlName]: { kind: K; sessionId: number } & OutcomeDetails[K] }[ControlName];

type Outcome<K extends ControlName> = Extract<ControlOutcome, { kind: K }>;

/**
 * A control from a front end's options: `question` (skip; default the next one) and
 * `minutes` (extend; required: missing, it is refused as any bad number of minutes is).
 */
export function controlAction(name: ControlName, given: { question?: number | null; minutes?: number | null } = {}): ControlAction {
  if (name === 'skip') return given.question === null || given.question === undefined ? { kind: 'skip' } : { kind: 'skip', question: given.question };
  if (name === 'extend') return { kind: 'extend', minutes: given.minutes ?? Number.NaN };
  return { kind: name };
}

const RUN: { [K in ControlName]: (c: SessionControls, id: number, action: Extract<ControlAction, { kind: K }>, by: string) => Promise<Outcome<K>> } = {
  next: async (c, id, _a, by) => ({ kind: 'next', sessionId: id, questionNumber: (await c.next(id, by)).questionNumber! }),
  skip: async (c, id, a, by) => ({ kind: 'skip', sessionId: id, questionNumber: (await c.skip(id, by, a.question)).questionNumber! }),
  pause: async (c, id, _a, by) => ((await c.pause(id, by)), { kind: 'pause', sessionId: id }),
  resume: async (c, id, _a, by) => ((await c.resume(id, by)), { kind: 'resume', sessionId: id }),
  extend: async (c, id, a, by) => ((await c.extend(id, by, a.minutes)), { kind: 'extend', sessionId: id, minutes: a.minutes }),
  end: async (c, id, _a, by) => ((await c.end(id, by)), { kind: 'end', sessionId: id }),
  cancel: async (c, id, _a, by) => ((await c.cancel(id, by)), { kind: 'cancel', sessionId: id }),
};

/** Runs one control on a session, as `actor`; refusals are ControlErrors. */
export function runControl(controls: SessionControls, sessionId: number, action: ControlAction, actor: string): Promise<ControlOutcome> {
  const run = RUN[action.kind] as (c: SessionControls, id: number, a: ControlAction, by: string) => Promise<ControlOutcome>;
  return run(controls, sessionId, action, actor);
}

/** How a front end words each outcome: every control must have its line. */
export type ControlWording = { [K in ControlName]: (outcome: Outcome<K>) => string };

export function describeOutcome(wording: ControlWording, outcome: ControlOutcome): string {
  return (wording[outcome.kind] as (o: ControlOutcome) => string)(outcome);
}
