import type { AnswerTarget } from '../domain/labels.ts';
import type { FirstTimer } from '../store/newcomers.ts';

/**
 * What `/chat status` and `emcee session status` tell moderators about the people and the
 * question right now (issue 15, "Live, for moderators"): first-timers of the session, the
 * ones nobody has replied to yet (with a link to their first message, so a moderator can
 * welcome them), and the current question's answers with the time since the last one.
 * "Replied to" is a Discord reply by someone else (see src/store/newcomers.ts).
 */

export interface StatusFirstTimer extends FirstTimer {
  /** Discord's link to their first message (null: an imported chat, no server known). */
  link: string | null;
}

export interface CurrentQuestion {
  number: number;
  answers: number;
  /** When the last counted answer was written (null: none yet). */
  lastAnswerAt: Date | null;
}

/** Discord's message link: https://discord.com/channels/<guild>/<channel or thread>/<message>. */
export function messageLink(guildId: string | null, first: FirstTimer['first']): string | null {
  const channel = first.threadId ?? first.channelId;
  if (!guildId || !channel || first.platformId.startsWith('archive:')) return null;
  return `https://discord.com/channels/${guildId}/${channel}/${first.platformId}`;
}

/**
 * The question out now: the one posted last. Its answers are the tally's count (inferred
 * ones left out), and the last of them is the newest of those.
 */
export function currentQuestion(
  questions: readonly { number: number; state: string; postedAt: Date | null; answers: number }[],
  answers: readonly { question: AnswerTarget; via: string; postedAt: Date | null }[],
): CurrentQuestion | null {
  const posted = questions.filter((q) => q.state === 'posted' && q.postedAt);
  if (!posted.length) return null;
  const q = posted.reduce((a, b) => (b.postedAt!.getTime() >= a.postedAt!.getTime() ? b : a));
  let last: Date | null = null;
  for (const a of answers) {
    if (a.question === q.number && a.via !== 'inferred' && a.postedAt && (!last || a.postedAt > last)) last = a.postedAt;
  }
  return { number: q.number, answers: q.answers, lastAnswerAt: last };
}

/** "45 s", "1 min", "1 h 5 min": how long ago, rounded down. */
export function elapsed(from: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** "Q2: 7 answers, last 1 min ago" or "Q2: no answers yet". */
export function formatCurrent(q: CurrentQuestion, now: Date): string {
  if (!q.answers || !q.lastAnswerAt) return `Q${q.number}: no answers yet`;
  return `Q${q.number}: ${q.answers} answer${q.answers === 1 ? '' : 's'}, last ${elapsed(q.lastAnswerAt, now)} ago`;
}

/** At most this many names, and this many links, so the status stays within one Discord message. */
const NAMES = 15;
const LINKS = 8;

/** The first-timers' lines of the status; names go through `escape` (Discord: its Markdown escape). */
export function formatFirstTimers(firstTimers: readonly StatusFirstTimer[], escape: (text: string) => string): string[] {
  if (!firstTimers.length) return ['First-timers: none yet'];
  const more = (n: number) => (n > 0 ? ` and ${n} more` : '');
  const names = firstTimers.slice(0, NAMES).map((f) => escape(f.authorName));
  const lines = [`First-timers: ${firstTimers.length} (${names.join(', ')}${more(firstTimers.length - NAMES)})`];
  const waiting = firstTimers.filter((f) => !f.repliedTo);
  if (!waiting.length) return [...lines, 'Every first-timer has had a reply.'];
  lines.push(`Nobody has replied to ${waiting.length} of them yet:`);
  for (const f of waiting.slice(0, LINKS)) lines.push(`- ${escape(f.authorName)}${f.link ? `: ${f.link}` : ''}`);
  if (waiting.length > LINKS) lines.push(`- …${more(waiting.length - LINKS).trim()}`);
  return lines;
}
