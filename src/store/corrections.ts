/**
 * Moderator corrections and reactions (issue 14), the SQLite side; the PostgreSQL twin is
 * postgres/corrections.ts. Both tables are in migration 011.
 *
 * A correction is a moderator's word on one message (the latest wins): it answers a
 * question, is a takeaway, or is not an answer (target null). What the answers table holds
 * is written with it (src/live/corrections.ts), and the ingest reads it when the message is
 * edited (an edit never re-attributes a corrected message).
 *
 * A reaction is a row per (message, emoji, user, burst), Discord's own key: counts are
 * counts of rows, so a replayed add, a remove of an add never seen, and a remove-all or
 * remove-emoji after a restart all leave them right (nothing is a running total). Reactions
 * on a message Emcee never stored are ignored.
 */
import type { AnswerTarget } from '../domain/labels.ts';
import type { Db } from './db.ts';
import { toAnswer, type StoredAnswer } from './messages.ts';

export interface Correction {
  /** The message's id in the store. */
  messageId: number;
  sessionId: number;
  /** What the message is now: a question's answer, a takeaway ('TA'), or not an answer (null). */
  target: AnswerTarget | null;
  /** Who corrected it (the moderator's platform id). */
  actor: string;
  at: Date;
}

export interface CorrectionRepository {
  /** Records a message's correction, replacing an earlier one. */
  set(c: Correction): Promise<Correction>;
  get(messageId: number): Promise<Correction | null>;
  /** A session's corrections, by message id. */
  listBySession(sessionId: number): Promise<Correction[]>;
}

/** One reaction as Discord keys it; the emoji is its name (unicode) or "name:id" (custom). */
export interface Reaction {
  /** The message's platform id. */
  messageId: string;
  emoji: string;
  userId: string;
  burst: boolean;
}

export interface ReactedAnswer {
  answer: StoredAnswer;
  reactions: number;
}

export interface ReactionRepository {
  /** false when it was there already, or the message is unknown. */
  add(r: Reaction): Promise<boolean>;
  /** false when it was not there. */
  remove(r: Reaction): Promise<boolean>;
  /** Every reaction of a message gone; how many were. */
  removeAll(messageId: string): Promise<number>;
  /** One emoji's reactions of a message gone (both kinds); how many were. */
  removeEmoji(messageId: string, emoji: string): Promise<number>;
  /** Reactions per message of a session (by store id), messages without any left out. */
  countsBySession(sessionId: number): Promise<Map<number, number>>;
  /** The session's counted answers (not deleted, not inferred) with a reaction, most reacted first, then chat order. */
  reactedAnswers(sessionId: number): Promise<ReactedAnswer[]>;
}

type Kind = 'question' | 'takeaway' | 'none';

export interface CorrectionRow {
  message_id: number;
  session_id: number;
  kind: Kind;
  question: number | null;
  actor: string;
  at: string | Date;
}

export function toCorrection(row: CorrectionRow): Correction {
  const target = row.kind === 'question' ? row.question! : row.kind === 'takeaway' ? 'TA' : null;
  return { messageId: Number(row.message_id), sessionId: Number(row.session_id), target, actor: row.actor, at: new Date(row.at) };
}

export function correctionKind(target: AnswerTarget | null): { kind: Kind; question: number | null } {
  return target === null ? { kind: 'none', question: null } : target === 'TA' ? { kind: 'takeaway', question: null } : { kind: 'question', question: target };
}

/** Counted answers with their reactions: the recap's rule (recap-queries.ts), one row per answer. */
export const REACTED_ANSWERS = `SELECT a.*, m.author_name, m.archive_index, m.posted_at, m.platform_id, m.channel_id, m.thread_id, m.late, r.n AS reactions
  FROM answers a JOIN messages m ON m.id = a.message_id
  JOIN (SELECT message_id, count(*) AS n FROM reactions GROUP BY message_id) r ON r.message_id = a.message_id
  WHERE a.session_id = ? AND m.deleted_at IS NULL AND a.via <> 'inferred'
  ORDER BY r.n DESC, m.posted_at, m.archive_index, m.id, a.takeaway, a.question`;

export const reactedAnswer = (row: Record<string, unknown>): ReactedAnswer => ({ answer: toAnswer(row as never), reactions: Number(row.reactions) });

type Runner = <T>(fn: () => T) => Promise<T>;

/** The statements, prepared once per connection. */
export class CorrectionStatements {
  readonly upsert;
  readonly byMessage;
  readonly bySession;
  readonly add;
  readonly remove;
  readonly removeAll;
  readonly removeEmoji;
  readonly counts;
  readonly reacted;

  constructor(db: Db) {
    this.upsert = db.prepare<[number, number, Kind, number | null, string, string], CorrectionRow>(
      `INSERT INTO corrections (message_id, session_id, kind, question, actor, at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET session_id = excluded.session_id, kind = excluded.kind, question = excluded.question,
         actor = excluded.actor, at = excluded.at RETURNING *`,
    );
    this.byMessage = db.prepare<[number], CorrectionRow>('SELECT * FROM corrections WHERE message_id = ?');
    this.bySession = db.prepare<[number], CorrectionRow>('SELECT * FROM corrections WHERE session_id = ? ORDER BY message_id');
    const message = '(SELECT id FROM messages WHERE platform_id = ?)';
    this.add = db.prepare<[string, string, number, string]>(
      `INSERT INTO reactions (message_id, emoji, user_id, burst) SELECT id, ?, ?, ? FROM messages WHERE platform_id = ? ON CONFLICT DO NOTHING`,
    );
    this.remove = db.prepare<[string, string, string, number]>(`DELETE FROM reactions WHERE message_id = ${message} AND emoji = ? AND user_id = ? AND burst = ?`);
    this.removeAll = db.prepare<[string]>(`DELETE FROM reactions WHERE message_id = ${message}`);
    this.removeEmoji = db.prepare<[string, string]>(`DELETE FROM reactions WHERE message_id = ${message} AND emoji = ?`);
    this.counts = db.prepare<[number], { message_id: number; n: number }>(
      'SELECT r.message_id, count(*) AS n FROM reactions r JOIN messages m ON m.id = r.message_id WHERE m.session_id = ? GROUP BY r.message_id',
    );
    this.reacted = db.prepare<[number], Record<string, unknown>>(REACTED_ANSWERS);
  }
}

/** The two repositories over the statements; `run` is the store's (outside a transaction, or in one). */
export function correctionRepositories(s: CorrectionStatements, run: Runner): { corrections: CorrectionRepository; reactions: ReactionRepository } {
  return {
    corrections: {
      set: (c) => run(() => {
        const { kind, question } = correctionKind(c.target);
        return toCorrection(s.upsert.get(c.messageId, c.sessionId, kind, question, c.actor, c.at.toISOString())!);
      }),
      get: (messageId) => run(() => {
        const row = s.byMessage.get(messageId);
        return row ? toCorrection(row) : null;
      }),
      listBySession: (sessionId) => run(() => s.bySession.all(sessionId).map(toCorrection)),
    },
    reactions: {
      add: (r) => run(() => s.add.run(r.emoji, r.userId, r.burst ? 1 : 0, r.messageId).changes === 1),
      remove: (r) => run(() => s.remove.run(r.messageId, r.emoji, r.userId, r.burst ? 1 : 0).changes === 1),
      removeAll: (messageId) => run(() => s.removeAll.run(messageId).changes),
      removeEmoji: (messageId, emoji) => run(() => s.removeEmoji.run(messageId, emoji).changes),
      countsBySession: (sessionId) => run(() => new Map(s.counts.all(sessionId).map((r) => [r.message_id, r.n]))),
      reactedAnswers: (sessionId) => run(() => s.reacted.all(sessionId).map(reactedAnswer)),
    },
  };
}
