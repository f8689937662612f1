import type { Prompt, Session, StorePort, Transaction } from '../store/port.ts';
import { ControlError } from './requests.ts';

/**
 * Answers given through the platform rather than read from chat text: the Answer button's
 * modal (via "button") and `/chat answer` (via "command"). They take the same store path as
 * live answers: a stored message (its platform id the interaction's, so the same interaction
 * stored twice is one row) and its attribution, recorded together in one transaction; every
 * recap and tally counts them like any answer. Nothing here knows Discord.
 */

/** The longest answer the modal and /chat answer take (escaped, it still fits one Discord message). */
export const MAX_GIVEN_ANSWER = 1000;

/**
 * Which question: the one a button names (its prompt; `guildId` the server the click came
 * from, which must be the session's), or a number in the channel's current session.
 */
export type QuestionRef = { promptId: number; guildId: string | null } | { channelId: string; questionNumber: number };

export interface GivenAnswer {
  /** The interaction's id: the stored message's platform id. */
  interactionId: string;
  authorId: string;
  authorName: string;
  moderator: boolean;
  at: Date;
  text: string;
  via: 'button' | 'command';
}

/** Where a question stands for an answer given to it. */
export interface AnswerableQuestion {
  session: Session;
  prompt: Prompt;
  questionNumber: number;
}

export interface StoredGivenAnswer extends AnswerableQuestion {
  /** False when this interaction's answer was stored before. */
  inserted: boolean;
}

/** A session takes answers while it runs (or is paused); before its start or after its close it refuses them. */
const COLLECTING: readonly Session['state'][] = ['running', 'paused'];

/**
 * The question, if it takes answers now: its session collecting and the question posted.
 * Throws ControlError with one line for the participant otherwise.
 */
export async function answerableQuestion(tx: Pick<Transaction, 'sessions' | 'prompts'>, ref: QuestionRef, now: Date): Promise<AnswerableQuestion> {
  let session: Session | null;
  let prompt: Prompt | undefined;
  if ('promptId' in ref) {
    const found = await tx.prompts.get(ref.promptId);
    if (!found || found.kind !== 'question' || found.questionNumber === null) throw new ControlError('That question is not part of any session any more.');
    prompt = found;
    session = await tx.sessions.get(found.sessionId);
    // Tenancy: a custom id naming another server's question is one this server does not have.
    if (session && session.guildId !== ref.guildId) throw new ControlError('That question is not part of any session any more.');
  } else {
    session = await tx.sessions.collectingIn(ref.channelId, now);
    if (!session) throw new ControlError('There is no session in this channel right now, so there is nothing to answer.');
    prompt = (await tx.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === ref.questionNumber);
    if (!prompt) throw new ControlError(`This session has no Q${ref.questionNumber}.`);
  }
  if (!session || !COLLECTING.includes(session.state)) {
    const why = session?.state === 'planned' ? 'has not started yet' : session?.state === 'cancelled' ? 'was cancelled' : 'is over';
    throw new ControlError(`This session ${why}: it is not collecting answers.`);
  }
  const n = prompt.questionNumber!;
  if (prompt.state !== 'posted' || !prompt.postedAt) {
    throw new ControlError(prompt.state === 'skipped' ? `Q${n} was skipped: it takes no answers.` : `Q${n} has not been posted yet: answer it once it is out.`);
  }
  return { session, prompt, questionNumber: n };
}

/** Stores the answer under its question (via button or command), once per interaction. */
export async function storeGivenAnswer(store: StorePort, ref: QuestionRef, given: GivenAnswer): Promise<StoredGivenAnswer> {
  return store.transaction(async (tx) => {
    const target = await answerableQuestion(tx, ref, given.at);
    const { session, questionNumber } = target;
    const [stored] = await tx.messages.ingestMany([{
      sessionId: session.id,
      platformId: given.interactionId,
      channelId: session.channelId,
      threadId: null,
      authorId: given.authorId,
      authorName: given.authorName,
      isModerator: given.moderator,
      postedAt: given.at,
      text: given.text,
      replyToId: null,
      inReplyTo: [],
      quote: null,
      archiveIndex: null,
    }]);
    const { message, inserted } = stored!;
    if (inserted) {
      await tx.messages.recordAttributions([[message, { kind: 'answer', question: questionNumber, via: given.via, label: null, text: given.text }]]);
    }
    return { ...target, inserted };
  });
}
