import type { AnswerTarget } from '../domain/labels.ts';
import type { Repositories, StoredAnswer } from '../store/port.ts';
import type { RecapAnswer } from './model.ts';

/**
 * What a recap adds to each answer from issue 14: its reaction count and, when a moderator
 * corrected it, who did; and each question's highlights, its most-reacted answers. Read once
 * per recap: two maps holding only the session's reacted or corrected messages (not one entry
 * per message), and one query for the highlights.
 */

/** Highlights shown per question (or for the takeaways). */
export const HIGHLIGHTS = 3;

export interface AnswerNotes {
  /** Reactions per message (store id); absent: none. */
  reactions: ReadonlyMap<number, number>;
  /** Who corrected a message (the moderator's name), by store id. */
  correctedBy: ReadonlyMap<number, string>;
}

export const NO_NOTES: AnswerNotes = { reactions: new Map(), correctedBy: new Map() };

export async function answerNotes(store: Pick<Repositories, 'reactions' | 'corrections'>, sessionId: number): Promise<AnswerNotes> {
  const corrections = await store.corrections.listBySession(sessionId);
  return {
    reactions: await store.reactions.countsBySession(sessionId),
    correctedBy: new Map(corrections.filter((c) => c.target !== null).map((c) => [c.messageId, actorName(c.actor)])),
  };
}

/** The fields an answer gets from the notes. */
export function noted(a: Pick<StoredAnswer, 'messageId'>, notes: AnswerNotes): { reactions: number; correctedBy: string | null } {
  return { reactions: notes.reactions.get(a.messageId) ?? 0, correctedBy: notes.correctedBy.get(a.messageId) ?? null };
}

/**
 * Each question's (and the takeaways') most-reacted answers, at most HIGHLIGHTS, most
 * reacted first (ties in chat order); answers without a reaction are never highlights.
 */
export async function highlights(
  store: Pick<Repositories, 'reactions'>, sessionId: number, convert: (a: StoredAnswer) => RecapAnswer,
): Promise<Map<AnswerTarget, RecapAnswer[]>> {
  const out = new Map<AnswerTarget, RecapAnswer[]>();
  for (const { answer } of await store.reactions.reactedAnswers(sessionId)) {
    const list = out.get(answer.question) ?? [];
    if (list.length < HIGHLIGHTS) list.push(convert(answer));
    out.set(answer.question, list);
  }
  return out;
}

/** "alice (123…)" (how controls name who did them) as "alice". */
export function actorName(actor: string): string {
  return actor.replace(/ \(\d+\)$/, '');
}
