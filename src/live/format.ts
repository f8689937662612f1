import { tallyAnswers } from '../domain/tally.ts';
import type { Repositories } from '../store/port.ts';
import type { Prompt } from '../store/prompts.ts';
import type { SessionStatus } from './status.ts';
import { formatCurrent, formatFirstTimers } from './newcomers.ts';

/**
 * Plain-text views of a session for moderators, shared by Discord and the terminal. The
 * caller says how to show an instant (Discord timestamps there, ISO times here).
 */

export type TimeFormat = (at: Date) => string;

const KIND_NAMES: Record<Prompt['kind'], string> = {
  preview: 'preview', welcome: 'welcome', guidelines: 'guidelines', heads_up: 'heads-up', question: 'question', outro: 'outro', close: 'close',
};

function promptName(p: Prompt): string {
  return p.kind === 'question' ? `Q${p.questionNumber}` : p.kind === 'heads_up' ? `heads-up for Q${p.questionNumber}` : KIND_NAMES[p.kind];
}

/** `escape` is applied to user text (first-timers' names): Discord passes its Markdown escape. */
export function formatStatus(status: SessionStatus, time: TimeFormat, escape: (text: string) => string = (text) => text): string {
  const { session } = status;
  // A session that has not started says when it starts (issue 10, item 5); one called off
  // before its start (nothing but a preview went out) when it was to start.
  const began = status.posted.some((p) => p.kind !== 'preview');
  const start = `${session.state === 'planned' ? 'starts' : began ? 'started' : 'was to start'} ${time(session.startsAt)}`;
  const lines = [`**${status.tag}** session #${session.id}: ${session.state}${session.pausedAt ? ` since ${time(session.pausedAt)}` : ''} (${start})`];
  lines.push(status.next ? `Next: ${promptName(status.next)} at ${time(status.next.plannedAt)}` : session.state === 'paused' ? 'Paused: nothing is posted until /chat resume.' : 'Nothing left to post.');
  lines.push('', 'Questions:');
  for (const q of status.questions) {
    const state = q.state === 'posted' ? `posted ${time(q.postedAt!)}` : q.state === 'planned' ? 'to come' : q.state;
    lines.push(`Q${q.number} (${state}): ${q.answers} answer${q.answers === 1 ? '' : 's'}${q.inferred ? `, ${q.inferred} inferred` : ''}`);
  }
  if (status.takeaways) lines.push(`Takeaways: ${status.takeaways}`);
  if (status.current) lines.push(`Now: ${formatCurrent(status.current, status.now)}`);
  lines.push('', ...formatFirstTimers(status.firstTimers, escape));
  const done = status.posted.length;
  lines.push('', `${done} prompt${done === 1 ? '' : 's'} posted, ${status.upcoming.length} to come${status.skipped.length ? `, ${status.skipped.length} skipped` : ''}.`);
  return lines.join('\n');
}

/**
 * Answers per question, with who answered: the recap until richer recap formats exist.
 * `escape` is applied to user text (tag, questions, names): Discord passes its Markdown escape.
 */
export async function formatSummary(store: Repositories, sessionId: number, escape: (text: string) => string = (text) => text): Promise<string> {
  const session = (await store.sessions.get(sessionId))!;
  const tag = (await store.series.get(session.seriesId))?.tag ?? '';
  const prompts = (await store.prompts.listBySession(sessionId)).filter((p) => p.kind === 'question');
  const tally = tallyAnswers(await store.messages.answers(sessionId));
  const numbers = [...new Set([...prompts.map((p) => p.questionNumber!), ...tally.numbers()])].sort((a, b) => a - b);
  const names = (authors: (string | null)[]) => [...new Set(authors.map((a) => (a === null ? 'someone' : escape(a))))];
  const lines = [`**${escape(tag)}** session #${sessionId} (${session.state}): ${tally.total} answer${tally.total === 1 ? '' : 's'}`];
  for (const n of numbers) {
    const q = prompts.find((p) => p.questionNumber === n);
    const mine = tally.of(n);
    const who = names(mine.authors);
    lines.push(`Q${n}${q ? `: ${escape(q.text.replace(/^Q\d+: /, ''))}` : ' (not asked)'}${q?.state === 'skipped' ? ' (skipped)' : ''}`);
    lines.push(`  ${mine.answers} answer${mine.answers === 1 ? '' : 's'}${who.length ? ` from ${who.join(', ')}` : ''}`);
  }
  const takeaways = tally.of('TA');
  if (takeaways.answers) lines.push(`Takeaways: ${takeaways.answers} from ${names(takeaways.authors).join(', ')}`);
  return lines.join('\n');
}
