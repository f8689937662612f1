import { questionBody, type AnswerTarget } from '../domain/labels.ts';
import { AnswerTally } from '../domain/tally.ts';
import type { Repositories } from '../store/port.ts';
import type { StoredAnswer } from '../store/messages.ts';
import type { Prompt, PromptKind, PromptState } from '../store/prompts.ts';

/**
 * Everything a recap shows about one session, gathered once for every format. Messages are
 * streamed from the database to compute the statistics (flat memory however long the
 * chat); only the answers are kept. Times are Date or null (plain archives have none).
 */

export interface RecapAnswer {
  question: AnswerTarget;
  author: string | null;
  at: Date | null;
  text: string;
  label: string | null;
  via: StoredAnswer['via'];
  late: boolean;
  /** Link to the message on Discord; null for imported archives. */
  link: string | null;
  /** Position in the imported archive, for archive sessions. */
  archiveIndex: number | null;
}

export interface RecapQuestion {
  number: number;
  /** The question as asked, without its "Qn:" decoration; null when answered but never asked. */
  text: string | null;
  state: PromptState | 'not asked';
  postedAt: Date | null;
  link: string | null;
  answerCount: number;
  /** Empty when the recap was built without answers (streaming exports). */
  answers: RecapAnswer[];
}

export interface RecapPrompt {
  kind: PromptKind;
  questionNumber: number | null;
  plannedAt: Date;
  postedAt: Date | null;
  state: PromptState;
  late: boolean;
}

export interface Participant {
  name: string;
  messages: number;
  answers: number;
  /** First time in this series: no message in any earlier session of it. */
  firstTime: boolean;
  moderator: boolean;
}

export interface RecapStats {
  messages: number;
  participants: number;
  firstTimers: number;
  returning: number;
  answers: number;
  answersPerQuestion: Record<string, number>;
  /** Median seconds from a question going out to its first answer; null when unknown. */
  medianSecondsToFirstAnswer: number | null;
  mostActive: { name: string; messages: number }[];
  /** Share of the participants' messages written by moderators, 0 to 1. */
  moderatorShare: number;
  lateAnswers: number;
  skippedQuestions: number[];
  /** Messages per minute from the start (minute 0 = the first minute); empty without times. */
  messagesPerMinute: number[];
}

export interface Recap {
  session: { id: number; state: string; startsAt: Date; endedAt: Date | null; source: 'live' | 'archive'; sourceName: string | null; format: string | null };
  series: { id: number; tag: string; timezone: string; guildId: string | null; channelId: string | null };
  title: string;
  moderators: string[];
  questions: RecapQuestion[];
  takeaways: RecapAnswer[];
  participants: Participant[];
  prompts: RecapPrompt[];
  stats: RecapStats;
}

const MOST_ACTIVE = 5;

export function discordLink(guildId: string | null, channelId: string | null, messageId: string | null): string | null {
  if (!guildId || !channelId || !messageId || messageId.startsWith('archive:')) return null;
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

/**
 * keepAnswers: false leaves each question's `answers` empty (counts and statistics stay
 * exact): for exports that stream the answers themselves.
 */
export async function buildRecap(store: Repositories, sessionId: number, { keepAnswers = true }: { keepAnswers?: boolean } = {}): Promise<Recap> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new Error(`there is no session #${sessionId}`);
  const series = (await store.series.get(session.seriesId))!;
  const link = (message: { platformId: string; channelId: string | null; threadId: string | null }) =>
    discordLink(series.guildId, message.threadId ?? message.channelId ?? series.channelId, message.platformId);


  // Stream the messages once: counts per author and minute, moderators, late flags.
  const perAuthor = new Map<string, { messages: number; moderator: boolean }>();
  const perMinute: number[] = [];
  let messages = 0;
  let moderatorMessages = 0;
  for await (const m of store.messages.iterate(sessionId)) {
    if (m.fromSelf || m.deletedAt) continue;
    messages++;
    if (m.isModerator) moderatorMessages++;
    const name = m.authorName ?? 'anonymous';
    const a = perAuthor.get(name) ?? { messages: 0, moderator: false };
    a.messages++;
    a.moderator ||= m.isModerator;
    perAuthor.set(name, a);
    if (m.postedAt) {
      const minute = Math.floor((m.postedAt.getTime() - session.startsAt.getTime()) / 60_000);
      if (minute >= 0 && minute < 24 * 60) {
        while (perMinute.length <= minute) perMinute.push(0);
        perMinute[minute]!++;
      }
    }
  }

  // Questions first, so that answers can be measured against them as they stream by.
  const prompts = await store.prompts.listBySession(sessionId);
  const questionPrompts = prompts.filter((p) => p.kind === 'question');
  const postedAt = new Map(questionPrompts.map((p) => [String(p.questionNumber), p.postedAt]));

  const answersOf = new Map<string, RecapAnswer[]>();
  const tally = new AnswerTally();
  const firstAfterPost = new Map<string, number>();
  let lateAnswers = 0;
  for await (const a of store.messages.iterateAnswers(sessionId)) {
    const key = String(a.question);
    tally.add(a);
    const asked = postedAt.get(key);
    if (asked && a.postedAt && a.postedAt >= asked) {
      const wait = (a.postedAt.getTime() - asked.getTime()) / 1000;
      firstAfterPost.set(key, Math.min(firstAfterPost.get(key) ?? wait, wait));
    }
    if (a.late) lateAnswers++;
    // Takeaways are always kept (few); answers only when the format shows them.
    if (keepAnswers || a.question === 'TA') {
      const list = answersOf.get(key) ?? [];
      list.push({
        question: a.question, author: a.authorName, at: a.postedAt, text: a.text, label: a.label, via: a.via,
        late: a.late, link: link(a), archiveIndex: a.archiveIndex,
      });
      answersOf.set(key, list);
    }
  }

  const numbers = [...new Set([
    ...questionPrompts.map((p) => p.questionNumber!),
    ...tally.numbers(),
  ])].sort((a, b) => a - b);
  const questions: RecapQuestion[] = numbers.map((n) => {
    const p = questionPrompts.find((q) => q.questionNumber === n);
    return {
      number: n,
      text: p ? questionBody(p.text, series.tag) : null,
      state: p ? p.state : 'not asked',
      postedAt: p?.postedAt ?? null,
      link: p?.messageId ? link({ platformId: p.messageId, channelId: series.channelId, threadId: null }) : null,
      answerCount: tally.of(n).answers,
      answers: answersOf.get(String(n)) ?? [],
    };
  });

  const returning = await store.messages.authorsBefore(series.id, session.startsAt);
  const participants: Participant[] = [...perAuthor.entries()]
    .map(([name, a]) => ({ name, messages: a.messages, answers: tally.answersBy(name), firstTime: !returning.has(name), moderator: a.moderator }))
    .sort((a, b) => b.messages - a.messages || a.name.localeCompare(b.name));
  const takeaways = answersOf.get('TA') ?? [];

  const stats: RecapStats = {
    messages,
    participants: participants.length,
    firstTimers: participants.filter((p) => p.firstTime).length,
    returning: participants.filter((p) => !p.firstTime).length,
    answers: tally.total,
    answersPerQuestion: Object.fromEntries([...questions.map((q) => [String(q.number), q.answerCount] as const), ...(tally.of('TA').answers ? [['TA', tally.of('TA').answers] as const] : [])]),
    medianSecondsToFirstAnswer: median([...firstAfterPost.entries()].flatMap(([key, wait]) => (key !== 'TA' ? [wait] : []))),
    mostActive: participants.slice(0, MOST_ACTIVE).map((p) => ({ name: p.name, messages: p.messages })),
    moderatorShare: messages === 0 ? 0 : moderatorMessages / messages,
    lateAnswers,
    skippedQuestions: questionPrompts.filter((p) => p.state === 'skipped').map((p) => p.questionNumber!),
    messagesPerMinute: perMinute,
  };

  return {
    session: { id: session.id, state: session.state, startsAt: session.startsAt, endedAt: session.endedAt, source: session.source, sourceName: session.sourceName, format: session.format },
    series: { id: series.id, tag: series.tag, timezone: series.timezone, guildId: series.guildId, channelId: series.channelId },
    title: `${series.tag} — ${formatDate(session.startsAt, series.timezone)}`,
    moderators: participants.filter((p) => p.moderator).map((p) => p.name),
    questions,
    takeaways,
    participants,
    prompts: prompts.map((p: Prompt) => ({ kind: p.kind, questionNumber: p.questionNumber, plannedAt: p.plannedAt, postedAt: p.postedAt, state: p.state, late: p.late })),
    stats,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "Monday October 22, 2018, 6:30 PM EDT" in the series' time zone. */
export function formatDate(at: Date, timezone: string): string {
  return spaces(formatter(timezone, 'date').format(at));
}

// Building an Intl.DateTimeFormat costs far more than using one: one per zone and style.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string, style: 'date' | 'time'): Intl.DateTimeFormat {
  const key = `${style} ${timezone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', style === 'date'
      ? { timeZone: timezone, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }
      : { timeZone: timezone, hour: 'numeric', minute: '2-digit' });
    formatters.set(key, f);
  }
  return f;
}

/** ICU versions differ in the space before AM/PM (plain or narrow no-break): always plain. */
function spaces(text: string): string {
  return text.replace(/[\u202f\u00a0]/g, ' ');
}

/** "6:36 PM" in the series' time zone. */
export function formatTime(at: Date, timezone: string): string {
  return spaces(formatter(timezone, 'time').format(at));
}
