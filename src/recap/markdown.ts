import { stripControls } from '../domain/text.ts';
import { formatTime, type Recap, type RecapAnswer } from './model.ts';

/**
 * The Markdown digest: title, date and time, moderators, each question with its answers
 * (author, time, text, link), the takeaways, the participants. User text cannot inject
 * HTML into a Markdown renderer ("<" is escaped) nor break the list structure.
 */
export function renderMarkdown(recap: Recap): string {
  const tz = recap.series.timezone;
  const s = recap.stats;
  const out: string[] = [`# ${md(recap.title)}`, ''];
  if (recap.moderators.length) out.push(`**Moderators:** ${recap.moderators.map(md).join(', ')}`, '');
  out.push([
    `${s.messages} messages`,
    `${s.participants} participants (${s.firstTimers} first-time, ${s.returning} returning)`,
    `${s.answers} answers`,
    ...(s.medianSecondsToFirstAnswer === null ? [] : [`median ${duration(s.medianSecondsToFirstAnswer)} to a first answer`]),
    ...(s.lateAnswers ? [`${s.lateAnswers} late`] : []),
    ...(s.skippedQuestions.length ? [`skipped: ${s.skippedQuestions.map((n) => `Q${n}`).join(', ')}`] : []),
  ].join(' · '), '');

  for (const q of recap.questions) {
    const heading = q.text === null ? `Q${q.number} (answered, never asked)` : `Q${q.number}: ${md(q.text)}`;
    out.push(`## ${heading}`, '');
    const meta = [
      ...(q.state === 'skipped' ? ['_skipped_'] : []),
      ...(q.postedAt ? [`asked at ${formatTime(q.postedAt, tz)}`] : []),
      ...(mdHref(q.link) ? [`[view on Discord](${mdHref(q.link)})`] : []),
      `${q.answers.length} answer${q.answers.length === 1 ? '' : 's'}`,
    ];
    out.push(meta.join(' · '), '');
    for (const a of q.answers) out.push(answerLine(a, tz));
    if (q.answers.length) out.push('');
  }

  if (recap.takeaways.length) {
    out.push('## Takeaways', '');
    for (const a of recap.takeaways) out.push(answerLine(a, tz));
    out.push('');
  }

  out.push('## Participants', '');
  out.push(recap.participants.map((p) => `${md(p.name)} (${p.messages}${p.moderator ? ', moderator' : ''}${p.firstTime ? ', first time' : ''})`).join(' · ') || '_nobody_', '');
  return out.join('\n');
}

function answerLine(a: RecapAnswer, tz: string): string {
  const who = `**${md(a.author ?? 'someone')}**`;
  const when = a.at ? ` (${formatTime(a.at, tz)})` : '';
  const tags = [...(a.via !== 'label' ? [`via ${a.via}`] : []), ...(a.late ? ['late'] : [])];
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

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
