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
      ...(q.link ? [`[view on Discord](${q.link})`] : []),
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
  const link = a.link ? ` [↗](${a.link})` : '';
  // Continuation lines are indented so a multi-line answer stays one list item.
  return `- ${who}${when}${tags.length ? ` _${tags.join(', ')}_` : ''}: ${md(a.text).replace(/\n/g, '\n  ')}${link}`;
}

/**
 * User text inside Markdown: no raw HTML ("<" escaped), and a line break inside the text
 * cannot start a heading, quote or list (the first line always follows other text).
 */
export function md(text: string): string {
  return text.replace(/</g, '&lt;').replace(/\n(\s*)([#>]|[-*+] |\d+\. )/g, '\n$1\\$2');
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
