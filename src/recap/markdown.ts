import { stripControls } from '../domain/text.ts';
import type { Repositories } from '../store/port.ts';
import { joinElements, streamElements, type Element } from './compose.ts';
import { interestedText } from './event.ts';
import { insightsMarkdown } from './insights-render.ts';
import { answersIn, buildRecap, formatTime, recapAnswers, type Recap, type RecapAnswer } from './model.ts';

/**
 * The Markdown digest: title, date and time, moderators, each question with its answers
 * (author, time, text, link), the takeaways, the participants. User text cannot inject
 * HTML into a Markdown renderer ("<" is escaped) nor break the list structure.
 */
export function renderMarkdown(recap: Recap): string {
  return joinElements(markdownElements(recap), answersIn(recap));
}

/** The same digest written question by question from the store, in chunks (flat memory). */
export async function* streamMarkdown(store: Repositories, sessionId: number): AsyncGenerator<string> {
  const head = await buildRecap(store, sessionId, { keepAnswers: false, takeaways: 0 });
  yield* streamElements(markdownElements(head), (of) => recapAnswers(store, head.series, sessionId, of, head.notes));
}

/** The digest's lines (joined by newlines; the last is empty, so the text ends with one). */
function* markdownElements(recap: Recap): Generator<Element> {
  const tz = recap.series.timezone;
  const s = recap.stats;
  yield `# ${md(recap.title)}`;
  yield '';
  if (recap.moderators.length) yield* [`**Moderators:** ${recap.moderators.map(md).join(', ')}`, ''];
  yield [
    `${s.messages} messages`,
    `${s.participants} participants (${s.firstTimers} first-time, ${s.returning} returning)`,
    `${s.answers} answers`,
    ...(recap.event ? [interestedText(recap.event)] : []),
    ...(s.medianSecondsToFirstAnswer === null ? [] : [`median ${duration(s.medianSecondsToFirstAnswer)} to a first answer`]),
    ...(s.lateAnswers ? [`${s.lateAnswers} late`] : []),
    ...(s.skippedQuestions.length ? [`skipped: ${s.skippedQuestions.map((n) => `Q${n}`).join(', ')}`] : []),
  ].join(' · ');
  yield '';

  const item = (a: RecapAnswer) => answerLine(a, tz);
  for (const q of recap.questions) {
    const heading = q.text === null ? `Q${q.number} (answered, never asked)` : `Q${q.number}: ${md(q.text)}`;
    yield `## ${heading}`;
    yield '';
    const meta = [
      ...(q.state === 'skipped' ? ['_skipped_'] : []),
      ...(q.postedAt ? [`asked at ${formatTime(q.postedAt, tz)}`] : []),
      ...(mdHref(q.link) ? [`[view on Discord](${mdHref(q.link)})`] : []),
      `${q.answerCount} answer${q.answerCount === 1 ? '' : 's'}`,
    ];
    yield meta.join(' · ');
    yield '';
    if (q.highlights.length) yield* [`**Most reacted:**`, '', ...q.highlights.map(item), ''];
    // Each answer a line, then an empty line when there was any.
    yield { of: q.number, open: '', close: '\n', item };
  }
  yield { of: 'TA', open: '## Takeaways\n\n', close: '\n', item };

  yield '## Participants';
  yield '';
  yield recap.participants.map((p) => `${md(p.name)} (${p.messages}${p.moderator ? ', moderator' : ''}${p.firstTime ? ', first time' : ''})`).join(' · ') || '_nobody_';
  yield '';
  yield* insightsMarkdown(recap.insights);
}

function answerLine(a: RecapAnswer, tz: string): string {
  const who = `**${md(a.author ?? 'someone')}**`;
  const when = a.at ? ` (${formatTime(a.at, tz)})` : '';
  const tags = [
    ...(a.via !== 'label' ? [`via ${a.via}`] : []), ...(a.late ? ['late'] : []),
    ...(a.correctedBy !== null ? [`corrected by ${md(a.correctedBy)}`] : []), ...(a.reactions ? [plural(a.reactions, 'reaction')] : []),
  ];
  const href = mdHref(a.link);
  const link = href ? ` [↗](${href})` : '';
  // Continuation lines are indented so a multi-line answer stays one list item.
  return `- ${who}${when}${tags.length ? ` _${tags.join(', ')}_` : ''}: ${md(a.text).replace(/\n/g, '\n  ')}${link}`;
}

/**
 * User text inside Markdown, written so that it can only ever be text (#27, #28):
 * - no controls (src/domain/text.ts): no terminal escapes, no bidi overrides;
 * - no links, images, autolinks or HTML: "[" "]" are backslash-escaped (so "[x](…)",
 *   "![i](…)", "[r][1]" and "[1]: url" are plain text; "(" ")" and "!" are then harmless
 *   and stay as written), "<" is written "&lt;" (no tag, no "<javascript:…>" autolink), and
 *   "&" before an entity-like "&lt;" is written "&amp;" so it shows as typed;
 * - no code spans, emphasis, strikethrough or tables: "`" "*" "_" "~" "|" and "\\"
 *   are backslash-escaped;
 * - a line break inside the text cannot start a heading, quote, list, setext underline or
 *   rule: the first character of each continuation line is escaped when it could (the
 *   first line always follows other text).
 * Bare http(s) URLs stay as written: GFM renderers link them, which is what readers want.
 */
export function md(text: string): string {
  return stripControls(text)
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\n([ \t]*)(?:([#>+=-])|(\d+)([.)]))/g, (_m, indent: string, mark?: string, digits?: string, dot?: string) =>
      mark !== undefined ? `\n${indent}\\${mark}` : `\n${indent}${digits}\\${dot}`);
}

/**
 * A link target of our own (a Discord message URL, whose ids come from the platform): only
 * http(s), and every character that could end or bend the Markdown link percent-encoded.
 */
export function mdHref(link: string | null): string | null {
  if (!link) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.href.replace(/[()[\]<>"'`\\*_\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
