import type { SeriesSettings } from './settings.ts';

/**
 * The timetable of one session: every post the bot will make, at its instant. Pure: the
 * same settings, questions and start always give the same plan.
 *
 * Default (30-minute chat, 4 questions, as in the archives): welcome T+0, guidelines T+2,
 * heads-up 1 min before each question, Q1 T+5, Q2 T+12, Q3 T+19, Q4 T+26, outro T+30,
 * close T+45 (end of answer collection after a 15-minute grace period).
 */

export type PromptKind = 'preview' | 'welcome' | 'guidelines' | 'heads_up' | 'question' | 'outro' | 'close';

export interface PlannedPrompt {
  kind: PromptKind;
  /** The question this prompt belongs to (question and heads-up), else null. */
  questionNumber: number | null;
  plannedAt: Date;
  text: string;
}

export interface SessionPlanInput {
  settings: SeriesSettings;
  /** The chat's tag, e.g. "#BadgeChat". */
  tag: string;
  questions: readonly string[];
  startsAt: Date;
}

const MINUTE = 60_000;
/** When several prompts share an instant, they go out in this order. */
export const KIND_ORDER: readonly PromptKind[] = ['preview', 'welcome', 'guidelines', 'heads_up', 'question', 'outro', 'close'];
const ORDINALS = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth', 'Ninth', 'Tenth'];

/** Minutes after the start at which each question goes out. */
export function questionOffsets(settings: SeriesSettings, count: number): number[] {
  if (settings.questionOffsetsMinutes) {
    const explicit = settings.questionOffsetsMinutes;
    // More questions than explicit offsets: continue at the last gap (or the interval).
    const gap = explicit.length > 1 ? explicit.at(-1)! - explicit.at(-2)! : settings.questionIntervalMinutes;
    return Array.from({ length: count }, (_, i) => explicit[i] ?? explicit.at(-1)! + gap * (i - explicit.length + 1));
  }
  return Array.from({ length: count }, (_, i) => settings.firstQuestionAtMinutes + settings.questionIntervalMinutes * i);
}

export function planSession({ settings, tag, questions, startsAt }: SessionPlanInput): PlannedPrompt[] {
  const at = (min: number) => new Date(startsAt.getTime() + Math.round(min * MINUTE));
  const offsets = questionOffsets(settings, questions.length);
  const lastQuestion = offsets.at(-1) ?? 0;
  const outro = Math.max(settings.outroAtMinutes ?? settings.durationMinutes, lastQuestion + 1);
  const texts = settings.texts;
  const prompts: PlannedPrompt[] = [];

  if (settings.previewMinutesBefore !== null) {
    prompts.push({ kind: 'preview', questionNumber: null, plannedAt: at(-settings.previewMinutesBefore), text: previewText(tag, questions, startsAt) });
  }
  prompts.push({ kind: 'welcome', questionNumber: null, plannedAt: at(0), text: texts.welcome ?? `Welcome to ${tag}! Say hi and introduce yourself: who are you, and where are you joining from?` });
  if (settings.guidelinesAtMinutes !== null) {
    prompts.push({ kind: 'guidelines', questionNumber: null, plannedAt: at(settings.guidelinesAtMinutes), text: texts.guidelines ?? guidelinesText(questions.length) });
  }
  questions.forEach((question, i) => {
    const n = i + 1;
    if (settings.headsUpMinutesBefore !== null) {
      prompts.push({ kind: 'heads_up', questionNumber: n, plannedAt: at(offsets[i]! - settings.headsUpMinutesBefore), text: headsUpText(n, questions.length) });
    }
    prompts.push({ kind: 'question', questionNumber: n, plannedAt: at(offsets[i]!), text: questionText(n, question) });
  });
  prompts.push({ kind: 'outro', questionNumber: null, plannedAt: at(outro), text: texts.outro ?? `That's our last question! Before you go, share a takeaway from tonight's chat: start it with TA:` });
  prompts.push({ kind: 'close', questionNumber: null, plannedAt: at(outro + settings.graceMinutes), text: texts.close ?? `That's a wrap for ${tag}. Thank you all for the great conversation! See you next time.` });
  return sortPrompts(prompts);
}

/** Chronological, ties broken by kind (a heads-up before its question) then question number. */
export function sortPrompts<T extends Pick<PlannedPrompt, 'kind' | 'plannedAt' | 'questionNumber'>>(prompts: T[]): T[] {
  return [...prompts].sort((a, b) =>
    a.plannedAt.getTime() - b.plannedAt.getTime()
    || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)
    || (a.questionNumber ?? 0) - (b.questionNumber ?? 0));
}

export function questionText(n: number, question: string): string {
  return `Q${n}: ${question}`;
}

export function headsUpText(n: number, total: number): string {
  if (n === total && total > 1) return 'Final question coming up…';
  return `${ORDINALS[n - 1] ?? `Question ${n}`}${ORDINALS[n - 1] ? ' question' : ''} coming up…`;
}

export function guidelinesText(count: number): string {
  const labels = Array.from({ length: Math.min(count, 3) }, (_, i) => `A${i + 1}:`).join(', ');
  return `How it works: questions come as Q1, Q2, …${count ? ` (${count} tonight)` : ''}. Answer with ${labels || 'A1:'} … or reply to the question. At the end, share your takeaways with TA:`;
}

/** Discord timestamps (<t:…:F>, <t:…:R>) show every reader their own local time. */
export function discordTimestamp(at: Date, style: 'F' | 'R' | 't' | 'f' = 'F'): string {
  return `<t:${Math.floor(at.getTime() / 1000)}:${style}>`;
}

export function previewText(tag: string, questions: readonly string[], startsAt: Date): string {
  const list = questions.map((q, i) => questionText(i + 1, q)).join('\n');
  return `${tag} starts ${discordTimestamp(startsAt, 'F')} (${discordTimestamp(startsAt, 'R')}). Tonight's questions:\n${list}\nAnswer with A1:, A2: … and share a takeaway with TA: at the end.`;
}
