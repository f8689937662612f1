/**
 * The label grammar's building blocks beyond #BadgeChat (issue 17): the text as the grammar
 * reads it (full-width forms and emoji keycaps folded), and the format examples that show
 * labels without being questions or answers. labels.ts holds the grammar itself.
 */

/**
 * The text as the grammar reads it, the same length as the text (so a match's position is
 * the same in both): full-width ASCII forms ("Ａ１：") become ASCII, the ideographic space a
 * space, and an emoji keycap's marks ("1️⃣" is 1, U+FE0F, U+20E3) a colon after its digit
 * ("A1️⃣ …" and "Q1️⃣ …" read as "A1: …" and "Q1: …").
 */
export function fold(text: string): string {
  // Most messages hold none of these: the three passes are skipped (the ingest's hot path).
  if (!FOLDABLE.test(text)) return text;
  return text
    .replace(/[\uFF01-\uFF5E]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/gu, ' ')
    .replace(/(?<=\d)\uFE0F?\u20E3/gu, (m) => ':'.padEnd(m.length, ' '));
}

const FOLDABLE = /[\uFF01-\uFF5E\u3000\u20E3]/u;

/** Links, blanked before labels are looked for ("t.co/a1)" is no label); pic.twitter.com included. */
export const URL = /\b(?:https?:\/\/|www\.|pic\.twitter\.com\/)\S+/giu;

/** The same text with its links blanked (same length). */
export function withoutUrls(text: string): string {
  return MAY_HOLD_URL.test(text) ? text.replace(URL, (u) => ' '.repeat(u.length)) : text;
}

const MAY_HOLD_URL = /https?:\/\/|www\.|pic\.twitter\.com\//i;

// What a template puts where the answer goes: "[your answer]", "<answer>", "{text}", or,
// when nothing but tags or the next label follows it, "your answer (here)", "answer here",
// "…", "___", "xxx" ("A1: your answer is great" is an answer, not a template).
// Not a Markdown link "[text](url)", nor Discord's <@id>, <#id>, <:emoji:id>, <a:…>, <t:…> or <https://…>.
const BRACKETED = String.raw`(?:\[[^\]\n]{0,40}\](?!\()|<(?![@#:]|[at]:|https?:)[^>\n]{0,40}>|\{[^}\n]{0,40}\}|\((?:your|my)\s[^)\n]{0,30}\))`;
const PHRASE = String.raw`(?:(?:your|my)\s+(?:answer|response|reply|thoughts?|take-?aways?|question)(?:\s+(?:goes\s+)?here)?|(?:answer|response|question|text|take-?away)\s+(?:goes\s+)?here|\.{3}|…|_{3,}|x{3,})`;
const NOTHING_AFTER = String.raw`(?=\s*(?:$|[#\n/,;|]|(?:Q|A)\s?\d|TA\b))`;
// A label (Q/A/TA and the spelled-out forms) with its separator, followed by a placeholder.
const TEMPLATE = new RegExp(
  String.raw`(?<![\p{L}\p{N}_])(?:(?:Q|A|Question|Answer|Ans)\s*#?\s*\d{1,2}[a-e]?|TA|Take-?aways?)\s*[:).-]?\s*(?:${BRACKETED}|${PHRASE}${NOTHING_AFTER})`,
  'iu',
);

// One label mentioned (with or without punctuation): "A1", "q2", "Question 3", "TA".
const MENTION = String.raw`(?:(?:Q|A)\s?\d{1,2}|Question\s*#?\s*\d{1,2}|TA)`;
// Two or more labels in a row, separated only by punctuation, quotes, "and", "or", "to" or
// "through": the way a format is explained ("A1, A2, A3", "Q1/A1", '"A1:" or "a1)"', "Q1-Q4").
const LISTING = new RegExp(
  String.raw`(?<![\p{L}\p{N}_#@])${MENTION}\s*[:)]?["'”’]?(?:\s*(?:[,/&+;-]|…|\.{2,3}|\band\b|\bor\b|\bto\b|\bthrough\b|\betc\b)\s*["'“‘]?${MENTION}(?![\p{L}\p{N}_])\s*[:)]?["'”’]?)+`,
  'iu',
);
// Words that say a message is about the chat's format.
const FORMAT_CUE = /\b(?:format|reminder|remind|label(?:l?ed|s)?|respond|response|reply|answer(?:s|ing)?\s+(?:with|using|as)|use|using|e\.?g\.?|example|template|tips?|how\s+(?:it|this|to)|works?|questions?\s+(?:will|come)|post(?:ed)?\s+at)\b/iu;

/** A template: a label with a placeholder where the answer goes ("A1: [your answer] #chat", "Q1: <question>"). */
export function isTemplate(text: string): boolean {
  // Every placeholder holds one of these; most messages hold none (the ingest's hot path).
  return MAY_HOLD_PLACEHOLDER.test(text) && TEMPLATE.test(withoutUrls(fold(text)));
}

const MAY_HOLD_PLACEHOLDER = /[[<{…_]|\.\.\.|xxx|your|my\s|here/i;

/**
 * A host's explanation or reminder of the format that lists labels ("Questions come as Q1,
 * Q2…; answer with A1, A2…", "Format: Q1/A1, Q2/A2"). `hasLeadLabel`: the text starts with a
 * label; a real question post or answer may go on to remind people of the format, and is
 * not a reminder.
 */
export function isFormatReminder(text: string, hasLeadLabel: boolean): boolean {
  if (hasLeadLabel) return false;
  const scan = withoutUrls(fold(text));
  // The cheaper test first: most messages say nothing about the format.
  return FORMAT_CUE.test(scan) && LISTING.test(scan);
}

/** A retweet: "RT @someone: …" passes their words on (Twitter's old manual retweet). */
export function isRetweet(text: string): boolean {
  return /^\s*RT\s+@[\p{L}\p{N}_]+/iu.test(text);
}

/** True when nothing is left but hashtags, mentions, links, emoji and punctuation (an image's caption). */
export function isDecorationOnly(text: string): boolean {
  return withoutUrls(text).replace(/[#@][\p{L}\p{N}_]+/gu, ' ').replace(/[\p{P}\p{S}\p{Z}\s\uFE0F\u200D]/gu, '') === '';
}
