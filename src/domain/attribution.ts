import { hash } from 'node:crypto';
import {
  answerLabels, findAnswerLabel, findQuestionPost, hasLeadLabel, isLabelInstruction, isTagsOnly, looksLikeOutro, repeatKey,
  type AnswerLabel, type AnswerTarget,
} from './labels.ts';
import { isFormatReminder, isRetweet, isTemplate } from './label-forms.ts';

/**
 * Decides, message by message, what each message of a chat is: a question post, an answer
 * (with its evidence), the outro, or chatter. The same code runs for archive replays and
 * for live Discord sessions; it knows nothing about either.
 */

/** A chat message as the attribution sees it, whatever platform it came from. */
export interface ChatMessage {
  id: string;
  author: string | null;
  /** Written by a moderator (or the bot itself): may post questions and the outro. */
  moderator: boolean;
  text: string;
  /** Id of the message this one replies to on the platform (Discord reply), if any. */
  replyToId?: string | null;
  /** Id of the question post whose thread this message was written in, if any. */
  threadOfId?: string | null;
  quote?: { author: string | null; text: string } | null;
}

/**
 * What shows a message answers its question: the grammar's evidence (a label, a quote, a reply,
 * a thread), or the platform's: the Answer button's modal ('button'), `/chat answer`
 * ('command'), a moderator's correction ('correction').
 */
export type Evidence = 'label' | 'quote' | 'reply' | 'thread' | 'button' | 'command' | 'correction';

export type Attribution =
  | { kind: 'question'; number: number }
  | { kind: 'outro' }
  /**
   * An evidenced answer. `text` is the answer's content (the quoted tweet for via "quote").
   * `also`: the further questions a multi-answer label names ("A2/A3:"), one answer to each;
   * `position`: where a label stood (lead, inline, trailing), for the answer's confidence.
   */
  | { kind: 'answer'; question: AnswerTarget; via: Evidence; label: string | null; text: string; also?: number[]; position?: AnswerLabel['position'] }
  /** No evidence, but written while `question` was open: kept apart from answers. */
  | { kind: 'inferred'; question: number }
  | { kind: 'none'; reason: 'repeat' | 'before-first-question' | 'after-outro' | 'moderator' | 'empty' | 'format' | 'retweet' };

export interface AttributorOptions {
  /**
   * Who may post questions: "moderators" (live chats, participate archives), or "anyone"
   * (plain archives, which carry no authors). Whoever may post questions never answers
   * with a Q label: for them "Q2: …" is a question post or nothing.
   */
  questionPostsBy: 'moderators' | 'anyone';
}

export class Attributor {
  private readonly questionsById = new Map<string, number>();
  private readonly posted = new Set<number>();
  private readonly answersById = new Map<string, AnswerTarget>();
  private readonly seen = new Set<string>();
  private open: number | null = null;
  private outroPosted = false;
  private note: string | null = null;

  constructor(private readonly options: AttributorOptions) {}

  /** Registers a question the bot posted itself (live sessions know their own posts). */
  questionPosted(number: number, messageId: string): void {
    this.questionsById.set(messageId, number);
    this.posted.add(number);
    this.open = number;
    this.outroPosted = false;
  }

  /** Registers the outro the bot posted itself: inference stops here. */
  outroPostedNow(): void {
    this.outroPosted = true;
  }

  /**
   * Why the last message ingested could be read another way (two labels, a participant's
   * Q label for a question not posted, …), for an organizer to check by hand; null when its
   * reading is plain.
   */
  get lastAmbiguity(): string | null {
    return this.note;
  }

  /** The question currently open for inference, if any. */
  get openQuestion(): number | null {
    return this.outroPosted ? null : this.open;
  }

  ingest(msg: ChatMessage): Attribution {
    this.note = null;
    const poster = msg.moderator || this.options.questionPostsBy === 'anyone';
    const raw = repeatKey(msg.text) + (msg.quote ? `\u0000${repeatKey(msg.quote.text)}` : '');
    const key = raw === '' ? '' : digest(raw);
    const isRepeat = key !== '' && this.seen.has(key);
    this.seen.add(key);
    if (isRepeat) return { kind: 'none', reason: 'repeat' };
    // "RT @host: Q1: …" passes someone else's words on: neither their question nor an answer.
    if (isRetweet(msg.text)) return { kind: 'none', reason: 'retweet' };
    // A template ("A1: [your answer]") from anyone, or a host's reminder of the format that
    // lists the labels, shows label forms without being a question or an answer.
    if (isTemplate(msg.text) || (poster && isFormatReminder(msg.text, hasLeadLabel(msg.text)))) return { kind: 'none', reason: 'format' };

    if (poster) {
      const n = findQuestionPost(msg.text);
      if (n !== null && !this.posted.has(n)) {
        this.questionPosted(n, msg.id);
        return { kind: 'question', number: n };
      }
      if (n !== null && this.options.questionPostsBy === 'moderators') {
        this.note = `a second Q${n} post by a moderator: neither a new question nor an answer`;
      }
    }

    const evidenced = this.evidence(msg, poster);
    if (evidenced) {
      this.answersById.set(msg.id, evidenced.question);
      return evidenced;
    }

    if (poster && this.open !== null && !this.outroPosted && looksLikeOutro(msg.text)) {
      this.outroPosted = true;
      return { kind: 'outro' };
    }
    if (this.open === null) return { kind: 'none', reason: 'before-first-question' };
    if (this.outroPosted) return { kind: 'none', reason: 'after-outro' };
    // Moderators steer the chat; their unlabelled remarks are not answers.
    if (msg.moderator) return { kind: 'none', reason: 'moderator' };
    if (isTagsOnly(msg.text)) return { kind: 'none', reason: 'empty' };
    return { kind: 'inferred', question: this.open };
  }

  /**
   * Re-reads an edited message: an edit can add, change or remove its label. Returns the
   * new evidenced answer, or a "none" when the message no longer answers anything.
   */
  /**
   * A moderator's correction: message `id` answers `question` (null: nothing), whatever the
   * grammar read, so a reply to it answers the question the moderator picked.
   */
  corrected(id: string, question: AnswerTarget | null): void {
    if (question === null) this.answersById.delete(id);
    else this.answersById.set(id, question);
  }

  private noteLabels(text: string, label: AnswerLabel, poster: boolean, instructs: boolean, laterQ: boolean): void {
    this.note = labelAmbiguity(text, label, poster, instructs, laterQ, this.posted);
  }

  reattribute(msg: ChatMessage): Attribution {
    const poster = msg.moderator || this.options.questionPostsBy === 'anyone';
    const evidenced = this.evidence(msg, poster);
    if (evidenced) {
      this.answersById.set(msg.id, evidenced.question);
      return evidenced;
    }
    this.answersById.delete(msg.id);
    return { kind: 'none', reason: msg.moderator ? 'moderator' : 'empty' };
  }

  private evidence(msg: ChatMessage, poster: boolean): Extract<Attribution, { kind: 'answer' }> | null {
    const label = findAnswerLabel(msg.text);
    // A host's instruction that mentions labels ("Answer with A1: …", the bot's guidelines,
    // "share your takeaways with TA:") answers nothing; it may still be the outro.
    const instructs = label !== null && label.position === 'inline' && isLabelInstruction(msg.text);
    const instruction = poster && instructs;
    // Whoever may post questions never answers with a Q label, except in a plain archive
    // (no authors): there a question is the first post of its number, and a later "Q1: …"
    // starting with "Q1: …" by anyone is an answer to it ("Extra context to Q2: …" is not).
    const laterQ = label !== null && label.letter === 'Q' && label.position === 'lead' && this.options.questionPostsBy === 'anyone' && this.posted.has(label.target as number);
    if (label && (!(label.letter === 'Q' && poster) || laterQ) && !instruction) {
      this.noteLabels(msg.text, label, poster, instructs, laterQ);
      return { kind: 'answer', question: label.target, via: 'label', label: label.raw, text: msg.text, position: label.position, ...(label.also.length ? { also: label.also } : {}) };
    }

    // "#chat" quoting one's own labelled tweet re-shares that answer.
    const quote = msg.quote;
    if (quote && msg.author !== null && quote.author === msg.author && isTagsOnly(msg.text)) {
      const quoted = findAnswerLabel(quote.text);
      const quoteKey = digest(repeatKey(quote.text));
      if (quoted && !this.seen.has(quoteKey)) {
        this.seen.add(quoteKey);
        return { kind: 'answer', question: quoted.target, via: 'quote', label: quoted.raw, text: quote.text };
      }
    }

    if (msg.threadOfId) {
      const n = this.questionsById.get(msg.threadOfId);
      if (n !== undefined) return { kind: 'answer', question: n, via: 'thread', label: null, text: msg.text };
    }
    if (msg.replyToId) {
      const n = this.questionsById.get(msg.replyToId) ?? this.answersById.get(msg.replyToId);
      if (n !== undefined) return { kind: 'answer', question: n, via: 'reply', label: null, text: msg.text };
    }
    return null;
  }
}

/** What the grammar could have read otherwise in an answer's labels (see lastAmbiguity). */
function labelAmbiguity(text: string, label: AnswerLabel, poster: boolean, instructs: boolean, laterQ: boolean, posted: ReadonlySet<number>): string | null {
  // Every label read again only when the text may hold another (the ingest's hot path).
  const another = ANOTHER_LABEL.test(text.replace(label.raw, ''));
  const others = another ? [...new Set(answerLabels(text).map((l) => l.target))].filter((t) => t !== label.target && !label.also.includes(t as number)) : [];
  if (others.length) return `labels for ${[label.target, ...others].map(name).join(' and ')}: counted under ${name(label.target)}`;
  if (instructs && !poster) return `reads as an answer to ${name(label.target)} or as an instruction to label answers`;
  if (laterQ) return `a later Q${label.target} in an archive without authors: counted as an answer (it may be the question repeated)`;
  if (label.letter === 'Q' && !poster && !posted.has(label.target as number)) return `a participant's Q${label.target} before Q${label.target} was posted: counted as an answer`;
  return null;
}

const ANOTHER_LABEL = /[aqｑａ]\s?#?[\d０-９]|answer|ans\b|\bta\b|take-?away/iu;
const name = (t: AnswerTarget) => (t === 'TA' ? 'the takeaways' : `Q${t}`);

/**
 * The repeat check keeps one key per message for the whole session: a fixed-size digest
 * rather than the whitespace-free text (which V8 would hold as a string of many pieces).
 */
function digest(key: string): string {
  // The one-shot hash: half the time of createHash().update().digest() per message.
  return hash('sha1', key, 'base64url');
}
