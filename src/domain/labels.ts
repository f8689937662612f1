/**
 * The Twitter-chat label grammar: how a message says "this is question 2" or "this answers
 * question 2". Pure functions over text; every form is in test/domain/labels.test.ts.
 *
 * Question posts — `findQuestionPost`:
 *   "Q1: …", "Q1. …", "#chat Q1: …", and the same after a short lead
 *   ("Here we go ! Q1: …", "Ok, here comes Q2: …"). Not question posts: a label without its
 *   colon or period ("Q2 clarifying question: …", "linger on q2"), or a lead that refers to
 *   the question instead of announcing it ("Extra context to Q2: …").
 *
 * Answer labels — `findAnswerLabel` (case-insensitive):
 *   At the start of the text, after any #hashtags and @mentions:
 *     "A1: …", "a1) …", "A1 - …", "A1-State …", "A2. …", "A2 I go …", "A3:Multiple …",
 *     "Q1: …" (a participant labelling an answer with Q), "TA: …", "Takeaway: …".
 *   Inside the text, after a greeting ("Hi there. Kerri from @org Q1: …",
 *   "… Jumping right in, A3: …"): only with a colon or parenthesis right after the number.
 *   Never: "A1A1", "AA1", "A100" (not A1), "Q1 is a great question", "a1" inside a word or URL.
 *
 * Label instructions — `isLabelInstruction`:
 *   A host telling people how to label mentions labels without answering: "Answer with A1:,
 *   A2: …", "share your takeaways with TA:", "start it with TA:", 'use "TA:"', "like A3:".
 *   The text has no leading label and a label inside it follows an instruction word (with,
 *   use, using, like, label(l)ed, prefix(ed), type, write, e.g.), optionally in quotes.
 *
 * Whether a Q label is an answer or a question post depends on who wrote it; that is the
 * attribution's decision (src/domain/attribution.ts), not the grammar's. So is whether an
 * instruction counts: only a host's (moderator's) instructions are set aside.
 */

import { fold, isDecorationOnly, withoutUrls } from './label-forms.ts';

export type AnswerTarget = number | 'TA';

export interface AnswerLabel {
  target: AnswerTarget;
  /**
   * The further questions the same label answers: "A2/A3:", "A2 & A3:" answer Q2 and Q3,
   * one answer to each (target 2, also [3]). Empty for a single label.
   */
  also: number[];
  /** Which letter the label used: A-numbers (and "Answer 1:"), a participant's Q-number, or a takeaway. */
  letter: 'A' | 'Q' | 'TA';
  /**
   * "lead": the text starts with the label; "inline": the label follows other words;
   * "trailing": an A label at the very end, next to a hashtag ("… #chat A1").
   */
  position: 'lead' | 'inline' | 'trailing';
  /** The label as written, e.g. "a1)" or "Takeaway:". */
  raw: string;
}

/** Question numbers a label may carry (a session has at most a handful of questions). */
export const MAX_QUESTION_NUMBER = 99;

// Hashtags, mentions and stray punctuation that may precede a label: "#badgechat A2: …"
const TAGS_PREFIX = String.raw`^\s*(?:(?:[#@][\p{L}\p{N}_]+|[-–—:,.!])\s*)*`;
// The number must end the token: "A1A1", "A100" and "A1x" fail; "A1-State", "A1:x" pass. A
// sub-answer letter a–e may follow ("A1a", "A1.b", "A1b:": an answer to Q1).
const NUMBER = String.raw`(\d{1,2})(?:\.?[a-e])?(?![\p{L}\p{N}_])`;
const BARE_NUMBER = String.raw`\d{1,2}(?:\.?[a-e])?(?![\p{L}\p{N}_])`;
// Further questions in one label: "A2/A3", "A2 & A3", "A2, A3", "A2 and A3", "A2/3:".
const MULTI = String.raw`(?:\s*(?:[/&+,]|\band\b)\s*A\s?${BARE_NUMBER}|\s*[/&]\s*\d{1,2}(?![\p{L}\p{N}_])(?=\s*[:)]))*`;
// After a number at the start: colon, parenthesis, dash, a period ending the token, a space, or the end.
const LEAD_SEP = String.raw`(?:\s*[:)]|\s*[-–—]|\.(?=\s|$)|(?=\s)|$)`;
// Q labels, takeaways and the spelled-out forms need real punctuation: "Q1 is a great question" is not a label.
const STRICT_SEP = String.raw`(?:\s*[:)]|\s+[-–—](?=\s)|\.(?=\s|$))`;

const LEAD_A = new RegExp(`${TAGS_PREFIX}(A${NUMBER}${MULTI}${LEAD_SEP})`, 'iu');
// "A 1:", "Ans 1:", "Ans. 1:", "Answer 1:", "Answer #1 -".
const LEAD_A_SPELLED = new RegExp(`${TAGS_PREFIX}((?:A\\s|Ans\\.?\\s*|Answer\\s*)#?\\s*${NUMBER}${MULTI}${STRICT_SEP})`, 'iu');
const LEAD_Q = new RegExp(`${TAGS_PREFIX}(Q${NUMBER}${MULTI}${STRICT_SEP})`, 'iu');
const LEAD_TA = new RegExp(`${TAGS_PREFIX}((?:TA|Take-?aways?)${STRICT_SEP})`, 'iu');
// Inside the text: not glued to a word, URL, tag or mention, and followed by ":" or ")".
const NOT_GLUED = String.raw`(?<![\p{L}\p{N}_/#@.'’&=?-])`;
const INLINE = new RegExp(`${NOT_GLUED}(?:([AQ]|Answer\\s*#?\\s*|Ans\\.?\\s*#?\\s*)${NUMBER}${MULTI}\\s*[:)]|(TA|Take-?aways?)\\s*:)`, 'giu');
// At the very end: "… #chat A1", "… A1 #chat", "… A1." (checked for a hashtag beside it).
const TRAILING = new RegExp(`${NOT_GLUED}A${NUMBER}\\s*[.!]*((?:\\s*[#@][\\p{L}\\p{N}_]+)*)\\s*$`, 'iu');

/** The question numbers a label names, the first first, each once. */
function numbersIn(raw: string): number[] {
  return [...new Set((raw.match(/\d{1,2}(?:\.?[a-e])?/giu) ?? []).map((n) => parseInt(n, 10)))];
}

function label(raw: string, letter: AnswerLabel['letter'], position: AnswerLabel['position']): AnswerLabel | null {
  const [target, ...also] = numbersIn(raw);
  if (target === undefined || target < 1) return null;
  return { target, also: also.filter((n) => n >= 1), letter, position, raw: raw.trim() };
}

/**
 * The labels a message carries, in the order they count: the leading one, those inside the
 * text, then a trailing one. Lazy, so findAnswerLabel reads no further than the first.
 */
function* labelsIn(text: string): Generator<AnswerLabel> {
  const folded = fold(text);
  const lead = leadLabel(folded);
  if (lead) yield lead;
  // Links blanked (same length) so "t.co/a1)" can never look like a label.
  const scan = withoutUrls(folded);
  for (const m of scan.matchAll(INLINE)) {
    if (lead && m.index === scan.search(/\S/u)) continue; // the leading label, read again
    const found = m[3] !== undefined
      ? { target: 'TA' as const, also: [], letter: 'TA' as const, position: 'inline' as const, raw: m[0] }
      : label(m[0], /^q/i.test(m[1]!) ? 'Q' : 'A', 'inline');
    if (found) yield found;
  }
  const end = TRAILING.exec(scan);
  if (end && (end[2] !== '' || /#[\p{L}\p{N}_]+\s*$/u.test(scan.slice(0, end.index)))) {
    const found = label(end[0].slice(0, end[0].length - end[2]!.length).trim(), 'A', 'trailing');
    if (found) yield found;
  }
}

/** Finds the answer label a message carries, if any: the leading one, else the first inside, else a trailing one. */
export function findAnswerLabel(text: string): AnswerLabel | null {
  for (const found of labelsIn(text)) return found;
  return null;
}

/** Every label in the text (for spotting a message that names two questions). */
export function answerLabels(text: string): AnswerLabel[] {
  return [...labelsIn(text)];
}

// The words that introduce a label as an instruction: "answer with A1:", 'use "TA:"'.
const INSTRUCTION_CUE = /(?:^|[^\p{L}\p{N}_])(?:with|use|using|like|label(?:l?ed)?|prefix(?:ed)?|type|write|e\.?g\.?)\s*["'“‘`]?\s*$/iu;

/**
 * True when the text tells people how to label rather than answering: no label at its
 * start, and a label inside it that follows an instruction word ("share your takeaways
 * with TA:"). See the header for the forms.
 */
export function isLabelInstruction(text: string): boolean {
  const folded = fold(text);
  if (leadLabel(folded)) return false;
  const scan = withoutUrls(folded);
  for (const m of scan.matchAll(INLINE)) {
    if (INSTRUCTION_CUE.test(scan.slice(0, m.index))) return true;
  }
  return false;
}

function leadLabel(text: string): AnswerLabel | null {
  const ta = LEAD_TA.exec(text);
  if (ta) return { target: 'TA', also: [], letter: 'TA', position: 'lead', raw: ta[1]!.trim() };
  for (const [re, letter] of [[LEAD_A, 'A'], [LEAD_A_SPELLED, 'A'], [LEAD_Q, 'Q']] as const) {
    const m = re.exec(text);
    const found = m && label(m[1]!, letter, 'lead');
    if (found) return found;
  }
  return null;
}

/** True when the text starts with a label (Q, A, the spelled-out forms or TA). */
export function hasLeadLabel(text: string): boolean {
  return leadLabel(fold(text)) !== null;
}

// "Q1:", "Q1.", "Q1)", "Q1 -", "Q 1:", "Question 1:", "Question #1" after an optional lead of a
// few words (checked separately); group 3: the separator, empty when there is none.
const QUESTION_POST = /^(.*?)(?<![\p{L}\p{N}_])(?:Q\s?|Question\s*#?\s*)(\d{1,2})(?![\p{L}\p{N}_])(\s*[:)]|\.(?=\s|$)|\s+[-–—](?=\s)|)/iu;
const MAX_LEAD_WORDS = 5;
// A lead ending in one of these refers to a question rather than posting it.
const REFERRING_WORDS = new Set([
  'to', 'on', 'for', 'about', 'of', 're', 'in', 'with', 'from', 'at', 'regarding', 'after',
  'before', 'answer', 'answering', 'answered', 'clarify', 'clarifying', 'context', 'back',
]);

export interface QuestionPost {
  number: number;
  /** The question's text without its decoration; '' when the question was an image (only the announcement is left). */
  body: string;
}

/**
 * A question announcement ("Q2: …"), or null when the text is not one. Without punctuation
 * after the number it counts only after leading hashtags ("#chat Q1 What …") or when nothing
 * but tags, links and emoji follow (the question was an image: "Q1 👇 #chat pic.twitter.com/…").
 */
export function findQuestionAnnouncement(text: string): QuestionPost | null {
  const folded = fold(text);
  const m = QUESTION_POST.exec(folded);
  if (!m) return null;
  const n = Number(m[2]);
  if (n < 1) return null;
  const rest = folded.slice(m[0].length);
  const lead = m[1]!.replace(/[#@][\p{L}\p{N}_]+/gu, ' ').trim();
  const image = isDecorationOnly(rest);
  if (m[3] === '' && !image && !(lead === '' && /#[\p{L}\p{N}_]/u.test(m[1]!))) return null;
  if (lead !== '') {
    const words = lead.split(/\s+/).map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean);
    if (words.length > MAX_LEAD_WORDS) return null;
    const last = words.at(-1);
    if (last !== undefined && REFERRING_WORDS.has(last)) return null;
  }
  return { number: n, body: image ? '' : text.slice(m[0].length).trim() };
}

/** The question number a post announces ("Q2: …"), or null when it is not a question post. */
export function findQuestionPost(text: string): number | null {
  return findQuestionAnnouncement(text)?.number ?? null;
}

/** True when the text is nothing but hashtags and mentions (or empty), like "#BadgeChat". */
export function isTagsOnly(text: string): boolean {
  return /^[\s,.!]*(?:[#@][\p{L}\p{N}_]+[\s,.!]*)*$/u.test(text);
}

/** Whitespace-insensitive form of a text, for spotting exact repeats (retweets). */
export function repeatKey(text: string): string {
  return text.replace(/\s+/gu, '');
}

// The moderator's closing prompt: "Wrapping up… takeaways?", "As an outro, please share a takeaway".
const OUTRO = /\b(?:outro|take-?aways?|wrap(?:ping)?[\s-]+up)\b/iu;

/** True when a (moderator's) message reads as the outro that asks for takeaways. */
export function looksLikeOutro(text: string): boolean {
  return OUTRO.test(text);
}

/** Strips the posting decoration from a question post: lead, "Qn:", trailing chat hashtags. */
export function questionBody(text: string, tag?: string): string {
  const post = findQuestionAnnouncement(text);
  let body = post ? post.body : text;
  if (tag) {
    const trailing = new RegExp(`\\s*${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'iu');
    body = body.replace(trailing, '');
  }
  return body.trim();
}
