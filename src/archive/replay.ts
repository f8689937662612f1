import type { Transcript } from './types.ts';
import { Attributor, type Attribution } from '../domain/attribution.ts';
import { ManualClock } from '../domain/clock.ts';
import { findQuestionAnnouncement, type AnswerTarget } from '../domain/labels.ts';

/**
 * How sure the grammar is of an answer: "high" for a label leading the text ("A1: …"),
 * "medium" for a label inside or at the end of the text or an answer carried by a quote,
 * "low" for an inferred one (no evidence, only the question that was open).
 */
export type Confidence = 'high' | 'medium' | 'low';

/**
 * The stable result of replaying an archive (`emcee replay --json` prints exactly this).
 * Fields are only ever added: `body`, `confidence` and `ambiguous` came with issue 17.
 */
export interface ReplayResult {
  format: Transcript['format'];
  messageCount: number;
  /** `body`: the question without its decoration, '' when the question was an image. */
  questions: { number: number; index: number; text: string; body: string }[];
  /** A multi-answer ("A2/A3: …") is one answer to each question it names: one entry each, same index. */
  answers: { question: AnswerTarget; index: number; author: string | null; text: string; via: 'label' | 'quote' | 'reply'; confidence: Confidence }[];
  inferred: { question: number; index: number; author: string | null; text: string; confidence: 'low' }[];
  /** Index of the moderator's outro (the takeaways prompt), or null when there is none. */
  outroIndex: number | null;
  /** Messages the grammar could read two ways, with how it read them: for an organizer to check by hand. */
  ambiguous: { index: number; author: string | null; text: string; reason: string }[];
}

export interface ReplayedMessage {
  index: number;
  at: Date;
  attribution: Attribution;
}

/**
 * Runs a transcript through the live attribution on a virtual clock set to each message's
 * time (plain archives carry none: their messages all sit at the chat's start).
 */
export function replayTranscript(transcript: Transcript): { result: ReplayResult; messages: ReplayedMessage[] } {
  const clock = new ManualClock(transcript.startsAt);
  const attributor = new Attributor({ questionPostsBy: transcript.format === 'plain' ? 'anyone' : 'moderators' });
  const result: ReplayResult = {
    format: transcript.format,
    messageCount: transcript.messages.length,
    questions: [],
    answers: [],
    inferred: [],
    outroIndex: null,
    ambiguous: [],
  };
  const messages: ReplayedMessage[] = [];

  for (const m of transcript.messages) {
    if (m.at && m.at.getTime() > clock.now().getTime()) clock.set(m.at);
    const attribution = attributor.ingest({
      id: String(m.index),
      author: m.author,
      moderator: m.moderator,
      text: m.text,
      quote: m.quote,
    });
    messages.push({ index: m.index, at: clock.now(), attribution });
    const reason = attributor.lastAmbiguity;
    if (reason !== null) result.ambiguous.push({ index: m.index, author: m.author, text: m.text, reason });
    switch (attribution.kind) {
      case 'question':
        result.questions.push({ number: attribution.number, index: m.index, text: m.text, body: findQuestionAnnouncement(m.text)?.body ?? m.text });
        break;
      case 'answer': {
        // Archives carry no platform reply ids and no threads, so evidence is a label or a quote.
        const via = attribution.via as 'label' | 'quote';
        const confidence: Confidence = via === 'label' && attribution.position === 'lead' ? 'high' : 'medium';
        for (const question of [attribution.question, ...(attribution.also ?? [])]) {
          result.answers.push({ question, index: m.index, author: m.author, text: attribution.text, via, confidence });
        }
        break;
      }
      case 'inferred':
        result.inferred.push({ question: attribution.question, index: m.index, author: m.author, text: m.text, confidence: 'low' });
        break;
      case 'outro':
        result.outroIndex = m.index;
        break;
      case 'none':
        break;
    }
  }
  // Answered but never asked: a typo in the label, or a question the archive lost.
  const asked = new Set(result.questions.map((q) => q.number));
  for (const a of result.answers) {
    if (a.question !== 'TA' && !asked.has(a.question) && !result.ambiguous.some((x) => x.index === a.index)) {
      result.ambiguous.push({ index: a.index, author: a.author, text: a.text, reason: `answers Q${a.question}, which was never posted` });
    }
  }
  result.ambiguous.sort((a, b) => a.index - b.index);
  return { result, messages };
}
