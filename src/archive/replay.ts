import type { Transcript } from './types.ts';
import { Attributor, type Attribution } from '../domain/attribution.ts';
import { ManualClock } from '../domain/clock.ts';
import type { AnswerTarget } from '../domain/labels.ts';

/** The stable result of replaying an archive (`emcee replay --json` prints exactly this). */
export interface ReplayResult {
  format: Transcript['format'];
  messageCount: number;
  questions: { number: number; index: number; text: string }[];
  answers: { question: AnswerTarget; index: number; author: string | null; text: string; via: 'label' | 'quote' | 'reply' }[];
  inferred: { question: number; index: number; author: string | null; text: string }[];
  /** Index of the moderator's outro (the takeaways prompt), or null when there is none. */
  outroIndex: number | null;
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
    switch (attribution.kind) {
      case 'question':
        result.questions.push({ number: attribution.number, index: m.index, text: m.text });
        break;
      case 'answer':
        // Archives carry no platform reply ids and no threads, so evidence is a label or a quote.
        result.answers.push({ question: attribution.question, index: m.index, author: m.author, text: attribution.text, via: attribution.via as 'label' | 'quote' });
        break;
      case 'inferred':
        result.inferred.push({ question: attribution.question, index: m.index, author: m.author, text: m.text });
        break;
      case 'outro':
        result.outroIndex = m.index;
        break;
      case 'none':
        break;
    }
  }
  return { result, messages };
}
