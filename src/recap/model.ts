import { isFirstTimerAuthor } from '../domain/first-timers.ts';
import { questionBody, type AnswerTarget } from '../domain/labels.ts';
import type { Repositories } from '../store/port.ts';
import { recapEventCounts, type RecapEventCounts } from './event.ts';
import type { StoredAnswer } from '../store/messages.ts';
import type { Prompt, PromptKind, PromptState } from '../store/prompts.ts';
import { answerNotes, highlights, noted, NO_NOTES, type AnswerNotes } from './highlights.ts';
import { recapInsights, type RecapInsights } from './insights.ts';

/**
 * Everything a recap shows about one session, gathered once for every format. The counts
 * come from the store's SQL aggregates (store.recap), so memory stays flat however long the
 * chat; the answers are kept only when asked for (the streaming formats read them question
 * by question as they write). Times are Date or null (plain archives have none).
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
  /** Reactions on the message (issue 14). */
  reactions: number;
  /** The moderator who counted it as this answer (a correction), or null. */
  correctedBy: string | null;
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
  /** Its most-reacted answers, most reacted first (highlights.ts); kept with or without the answers. */
  highlights: RecapAnswer[];
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
  /** Reaction counts and corrections of the answers (highlights.ts), for formats that stream them. */
  notes: AnswerNotes;
  /** The session's Scheduled Event: interested vs took part (event.ts); absent without one. */
  event?: RecapEventCounts;
  /** Conversation, first-timers and links shared (insights.ts, issue 15). */
  insights: RecapInsights;
}

const MOST_ACTIVE = 5;

export function discordLink(guildId: string | null, channelId: string | null, messageId: string | null): string | null {
  if (!guildId || !channelId || !messageId || messageId.startsWith('archive:')) return null;
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

export interface RecapOptions {
  /**
   * true (the default): every question carries its answers, and every takeaway is kept (for
   * renderMarkdown and renderHtml). false: counts only, answers left empty: for the exports
   * that stream the answers themselves (recapAnswers).
   */
  keepAnswers?: boolean;
  /** Without the answers: how many takeaways to keep, the first ones (default all). */
  takeaways?: number;
}

/**
 * The recap of a session. The statistics are counted by the store (store.recap: SQL
 * aggregates, the tally's rule), so nothing here reads every message; the answers, when
 * kept, are read question by question.
 */
export async function buildRecap(store: Repositories, sessionId: number, { keepAnswers = true, takeaways = Infinity }: RecapOptions = {}): Promise<Recap> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new Error(`there is no session #${sessionId}`);
  const series = (await store.series.get(session.seriesId))!;
  const place = { guildId: series.guildId, channelId: series.channelId };
  const prompts = await store.prompts.listBySession(sessionId);
  const questionPrompts = prompts.filter((p) => p.kind === 'question');
  const messageCounts = await store.recap.messageCounts(sessionId, session.startsAt);
  const answerCounts = await store.recap.answerCounts(sessionId);
  const counted = new Map(answerCounts.questions.map((q) => [q.question, q]));
  const answerCount = (question: AnswerTarget) => counted.get(question)?.answers ?? 0;
  const notes = await answerNotes(store, sessionId);
  const highlighted = await highlights(store, sessionId, (a) => recapAnswer(a, place, notes));

  const numbers = [...new Set([
    ...questionPrompts.map((p) => p.questionNumber!),
    ...answerCounts.questions.flatMap((q) => (q.question === 'TA' ? [] : [q.question])),
  ])].sort((a, b) => a - b);
  const questions: RecapQuestion[] = [];
  for (const n of numbers) {
    const p = questionPrompts.find((q) => q.questionNumber === n);
    questions.push({
      number: n,
      text: p ? questionBody(p.text, series.tag) : null,
      state: p ? p.state : 'not asked',
      postedAt: p?.postedAt ?? null,
      link: p?.messageId ? discordLink(series.guildId, series.channelId, p.messageId) : null,
      answerCount: answerCount(n),
      answers: keepAnswers ? await collect(recapAnswers(store, place, sessionId, n, notes)) : [],
      highlights: highlighted.get(n) ?? [],
    });
  }
  const kept = keepAnswers ? Infinity : takeaways;
  const takeawayList = kept > 0 ? await collect(recapAnswers(store, place, sessionId, 'TA', notes), kept) : [];

  // From each question's post to its first answer (the last prompt of a number is the one asked).
  const askedAt = new Map(questionPrompts.map((p) => [p.questionNumber, p.postedAt]));
  const waits: number[] = [];
  for (const [n, asked] of askedAt) {
    if (n === null || !asked) continue;
    const first = await store.recap.firstAnswerSince(sessionId, n, asked);
    if (first) waits.push((first.getTime() - asked.getTime()) / 1000);
  }

  const returning = await store.messages.authorsBefore(series.id, session.startsAt);
  const answersBy = new Map(answerCounts.authors.map((a) => [a.name, a.answers]));
  // Authors come in the order they first wrote, so that equal ones stay in that order.
  const participants: Participant[] = messageCounts.authors
    .map((a) => ({ name: a.name, messages: a.messages, answers: answersBy.get(a.name) ?? 0, firstTime: isFirstTimerAuthor(a, returning), moderator: a.moderatorMessages > 0 }))
    .sort((a, b) => b.messages - a.messages || a.name.localeCompare(b.name));
  const messages = messageCounts.authors.reduce((sum, a) => sum + a.messages, 0);
  const moderatorMessages = messageCounts.authors.reduce((sum, a) => sum + a.moderatorMessages, 0);
  const perMinute: number[] = [];
  for (const { minute, messages: count } of messageCounts.perMinute) {
    while (perMinute.length <= minute) perMinute.push(0);
    perMinute[minute] = count;
  }

  const event = await recapEventCounts(store, sessionId, participants.length);
  const stats: RecapStats = {
    messages,
    participants: participants.length,
    firstTimers: participants.filter((p) => p.firstTime).length,
    returning: participants.filter((p) => !p.firstTime).length,
    answers: answerCounts.questions.reduce((sum, q) => sum + q.answers, 0),
    answersPerQuestion: Object.fromEntries([...questions.map((q) => [String(q.number), q.answerCount] as const), ...(answerCount('TA') ? [['TA', answerCount('TA')] as const] : [])]),
    medianSecondsToFirstAnswer: median(waits),
    mostActive: participants.slice(0, MOST_ACTIVE).map((p) => ({ name: p.name, messages: p.messages })),
    moderatorShare: messages === 0 ? 0 : moderatorMessages / messages,
    lateAnswers: answerCounts.questions.reduce((sum, q) => sum + q.late, 0),
    skippedQuestions: questionPrompts.filter((p) => p.state === 'skipped').map((p) => p.questionNumber!),
    messagesPerMinute: perMinute,
  };

  const recapPrompts = prompts.map((p: Prompt) => ({ kind: p.kind, questionNumber: p.questionNumber, plannedAt: p.plannedAt, postedAt: p.postedAt, state: p.state, late: p.late }));
  const insights = await recapInsights(store, sessionId, participants, recapPrompts, stats.answers);
  return {
    session: { id: session.id, state: session.state, startsAt: session.startsAt, endedAt: session.endedAt, source: session.source, sourceName: session.sourceName, format: session.format },
    series: { id: series.id, tag: series.tag, timezone: series.timezone, guildId: series.guildId, channelId: series.channelId },
    title: `${series.tag} — ${formatDate(session.startsAt, series.timezone)}`,
    moderators: participants.filter((p) => p.moderator).map((p) => p.name),
    questions,
    takeaways: takeawayList,
    participants,
    prompts: recapPrompts,
    stats,
    notes,
    ...(event ? { event } : {}),
    insights,
  };
}

/** How many takeaways the session has (a recap built without answers keeps only the first few). */
export function takeawayCount(recap: Recap): number {
  return recap.stats.answersPerQuestion.TA ?? 0;
}

/** The answers a recap built with its answers holds for a question, or its takeaways. */
export function answersIn(recap: Recap): (of: AnswerTarget) => readonly RecapAnswer[] {
  return (of) => (of === 'TA' ? recap.takeaways : recap.questions.find((q) => q.number === of)?.answers ?? []);
}

/** A question's (or the takeaways') answers, in chat order, read from the store as they are used. */
export async function* recapAnswers(
  store: Repositories, place: { guildId: string | null; channelId: string | null }, sessionId: number, of: AnswerTarget, notes: AnswerNotes = NO_NOTES,
): AsyncGenerator<RecapAnswer> {
  for await (const a of store.recap.answersTo(sessionId, of)) yield recapAnswer(a, place, notes);
}

/** A stored answer as the recap shows it. */
function recapAnswer(a: StoredAnswer, place: { guildId: string | null; channelId: string | null }, notes: AnswerNotes): RecapAnswer {
  return {
    question: a.question, author: a.authorName, at: a.postedAt, text: a.text, label: a.label, via: a.via, late: a.late,
    link: discordLink(place.guildId, a.threadId ?? a.channelId ?? place.channelId, a.platformId), archiveIndex: a.archiveIndex,
    ...noted(a, notes),
  };
}

async function collect<T>(items: AsyncIterable<T>, max = Infinity): Promise<T[]> {
  const out: T[] = [];
  if (max <= 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
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
