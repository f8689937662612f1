/**
 * The recap's queries (SQLite): what a recap shows about a session, counted by the database
 * instead of by a pass over every message, and each question's answers as a stream.
 *
 * What counts, the same on every store (the PostgreSQL twin is postgres/recap-queries.ts):
 * - a message counts unless the bot posted it (from_self) or it was deleted; its author is
 *   its name, or "anonymous";
 * - an answer is what src/domain/tally.ts counts: an answer row of the session whose message
 *   is not deleted and whose `via` is not "inferred" (COUNTED_ANSWER below; the contract
 *   test test/store/contract/recap-queries.ts checks these counts against AnswerTally on the
 *   same data, so the rule keeps one definition).
 */
import type { AnswerTarget } from '../domain/labels.ts';
import type { Db } from './db.ts';
import { toAnswer, type StoredAnswer } from './messages.ts';
import { InsightStatements, insightQueryRepository, type InsightQueryRepository } from './insight-queries.ts';

export interface RecapAuthorCount {
  /** The author's name, or "anonymous" for messages without one. */
  name: string;
  messages: number;
  /** Of those, written as a moderator. */
  moderatorMessages: number;
}

export interface RecapMessageCounts {
  /** Authors in the order they first wrote (chat order). */
  authors: RecapAuthorCount[];
  /** Messages per minute from `from` (minute 0 = [from, from + 60 s)), minutes 0 to 1439 only; minutes without a message left out. */
  perMinute: { minute: number; messages: number }[];
}

export interface RecapAnswerCounts {
  /** Answers per question, ascending, then the takeaways ('TA'), with how many came late; questions without an answer left out. */
  questions: { question: AnswerTarget; answers: number; late: number }[];
  /** Answers per named author (answers without an author name are in the totals only). */
  authors: { name: string; answers: number }[];
}

/** With the insights' queries (insight-queries.ts, issue 15). */
export interface RecapQueryRepository extends InsightQueryRepository {
  /** Messages per author and per minute of a session, counted from `from` (the session's start). */
  messageCounts(sessionId: number, from: Date): Promise<RecapMessageCounts>;
  /** The session's answers counted as the tally counts them (src/domain/tally.ts). */
  answerCounts(sessionId: number): Promise<RecapAnswerCounts>;
  /** When the first answer to a question came at or after `since` (the question's post); null when none did. */
  firstAnswerSince(sessionId: number, question: number, since: Date): Promise<Date | null>;
  /** One question's (or the takeaways') counted answers in chat order, a page at a time. */
  answersTo(sessionId: number, question: AnswerTarget): AsyncIterable<StoredAnswer>;
}

/** Minutes are counted over the first day. */
export const DAY_MS = 24 * 60 * 60_000;

/** Rows the answer stream reads per page. */
export const RECAP_PAGE_SIZE = 500;

/**
 * Reads the ordered ids once, then the rows a page at a time (one call each, so other calls
 * run between pages), yielded in that order; a row gone between pages is left out.
 */
export async function* pagedByIds<T>(
  ids: () => Promise<number[]>,
  rows: (page: number[]) => Promise<T[]>,
  idOf: (item: T) => number,
): AsyncGenerator<T> {
  const order = await ids();
  for (let i = 0; i < order.length; i += RECAP_PAGE_SIZE) {
    const page = order.slice(i, i + RECAP_PAGE_SIZE);
    const found = new Map((await rows(page)).map((item) => [idOf(item), item] as const));
    for (const id of page) {
      const item = found.get(id);
      if (item) yield item;
    }
  }
}

/** Counted answers: not deleted, not inferred (src/domain/tally.ts). */
const COUNTED_ANSWER = "m.deleted_at IS NULL AND a.via <> 'inferred'";
const OF_QUESTION = '(a.question = @question OR (@question IS NULL AND a.takeaway = 1))';

/**
 * Messages grouped by author and minute (null: outside the first day, or no time), with the
 * author's first place in chat order: one pass over the session's messages for both counts.
 */
export interface MessageGroupRow {
  name: string;
  minute: number | null;
  messages: number;
  moderator_messages: number;
  first: number;
}

export function foldMessageGroups(rows: readonly MessageGroupRow[]): RecapMessageCounts {
  const authors = new Map<string, RecapAuthorCount & { first: number }>();
  const minutes = new Map<number, number>();
  for (const r of rows) {
    const a = authors.get(r.name) ?? { name: r.name, messages: 0, moderatorMessages: 0, first: r.first };
    authors.set(r.name, { name: r.name, messages: a.messages + r.messages, moderatorMessages: a.moderatorMessages + r.moderator_messages, first: Math.min(a.first, r.first) });
    if (r.minute !== null) minutes.set(r.minute, (minutes.get(r.minute) ?? 0) + r.messages);
  }
  return {
    authors: [...authors.values()].sort((a, b) => a.first - b.first).map(({ name, messages, moderatorMessages }) => ({ name, messages, moderatorMessages })),
    perMinute: [...minutes].sort(([a], [b]) => a - b).map(([minute, messages]) => ({ minute, messages })),
  };
}

/** Counted answers grouped by question (null: the takeaways) and author name: one pass for both counts. */
export interface AnswerGroupRow {
  question: number | null;
  name: string | null;
  answers: number;
  late: number;
}

export function foldAnswerGroups(rows: readonly AnswerGroupRow[]): RecapAnswerCounts {
  const questions = new Map<AnswerTarget, { question: AnswerTarget; answers: number; late: number }>();
  const authors = new Map<string, number>();
  for (const r of rows) {
    const key = r.question ?? 'TA';
    const q = questions.get(key) ?? { question: key, answers: 0, late: 0 };
    questions.set(key, { question: key, answers: q.answers + r.answers, late: q.late + r.late });
    if (r.name !== null) authors.set(r.name, (authors.get(r.name) ?? 0) + r.answers);
  }
  const order = (q: AnswerTarget) => (q === 'TA' ? Infinity : q);
  return {
    questions: [...questions.values()].sort((a, b) => order(a.question) - order(b.question)),
    authors: [...authors].map(([name, answers]) => ({ name, answers })),
  };
}

type Runner = <T>(fn: () => T) => Promise<T>;

/** The statements, prepared once per connection. */
export class RecapQueryStatements {
  readonly messageGroups;
  readonly answerGroups;
  readonly firstSince;
  readonly answerIds;
  readonly answersByIds;
  readonly insights: InsightStatements;

  constructor(db: Db) {
    this.insights = new InsightStatements(db);
    // Exact milliseconds (julianday is a double, exact to far below a millisecond here); the
    // difference is cast so that the division is an integer one (a bound number is a REAL).
    const ms = 'CAST(round((julianday(posted_at) - 2440587.5) * 86400000) AS INTEGER)';
    this.messageGroups = db.prepare<{ sessionId: number; from: number; span: number }, MessageGroupRow>(
      `SELECT name, minute, count(*) AS messages, sum(is_moderator) AS moderator_messages, min(n) AS first FROM (
         SELECT ifnull(author_name, 'anonymous') AS name, is_moderator, row_number() OVER (ORDER BY posted_at, archive_index, id) AS n,
           CASE WHEN at >= @from AND at < @from + @span THEN CAST(at - @from AS INTEGER) / 60000 END AS minute
         FROM (SELECT *, ${ms} AS at FROM messages WHERE session_id = @sessionId AND from_self = 0 AND deleted_at IS NULL)
       ) GROUP BY name, minute`,
    );
    const answers = `FROM answers a JOIN messages m ON m.id = a.message_id WHERE a.session_id = @sessionId AND ${COUNTED_ANSWER}`;
    this.answerGroups = db.prepare<{ sessionId: number }, AnswerGroupRow>(
      `SELECT a.question, m.author_name AS name, count(*) AS answers, sum(m.late) AS late ${answers} GROUP BY a.question, m.author_name`,
    );
    this.firstSince = db.prepare<{ sessionId: number; question: number; since: string }, { first: string | null }>(
      `SELECT min(m.posted_at) AS first ${answers} AND a.question = @question AND m.posted_at >= @since`,
    );
    this.answerIds = db.prepare<{ sessionId: number; question: number | null }, number>(
      `SELECT a.message_id ${answers} AND ${OF_QUESTION} ORDER BY m.posted_at, m.archive_index, m.id`,
    ).pluck();
    // Of this question only: a message may answer several (one row each).
    this.answersByIds = db.prepare<{ ids: string; question: number | null }, Parameters<typeof toAnswer>[0]>(
      `SELECT a.*, m.author_name, m.archive_index, m.posted_at, m.platform_id, m.channel_id, m.thread_id, m.late
       FROM answers a JOIN messages m ON m.id = a.message_id WHERE a.message_id IN (SELECT value FROM json_each(@ids)) AND ${OF_QUESTION} AND ${COUNTED_ANSWER}`,
    );
  }
}

/** The repository over the statements; `run` is the store's (outside a transaction, or in one). */
export function recapQueryRepository(s: RecapQueryStatements, run: Runner): RecapQueryRepository {
  return {
    messageCounts: (sessionId, from) => run(() => foldMessageGroups(s.messageGroups.all({ sessionId, from: from.getTime(), span: DAY_MS }))),
    answerCounts: (sessionId) => run(() => foldAnswerGroups(s.answerGroups.all({ sessionId }))),
    firstAnswerSince: (sessionId, question, since) => run(() => {
      const first = s.firstSince.get({ sessionId, question, since: since.toISOString() })?.first ?? null;
      return first === null ? null : new Date(first);
    }),
    answersTo: (sessionId, question) => pagedByIds(
      () => run(() => s.answerIds.all({ sessionId, question: question === 'TA' ? null : question })),
      (page) => run(() => s.answersByIds.all({ ids: JSON.stringify(page), question: question === 'TA' ? null : question }).map(toAnswer)),
      (a) => a.messageId,
    ),
    ...insightQueryRepository(s.insights, run),
  };
}
