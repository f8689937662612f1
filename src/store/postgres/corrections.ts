/** Corrections and reactions in PostgreSQL: the same behaviour as ../corrections.ts (read it first). */
import {
  REACTED_ANSWERS, correctionKind, reactedAnswer, toCorrection, type CorrectionRepository, type CorrectionRow, type ReactionRepository,
} from '../corrections.ts';
import type { Run } from './run.ts';

const MESSAGE = '(SELECT id FROM messages WHERE platform_id = $1)';
/** SQLite's statement with numbered parameters and SQLite's order (NULLs first). */
const REACTED = REACTED_ANSWERS.replace('?', '$1').replace('m.posted_at, m.archive_index, m.id', 'm.posted_at NULLS FIRST, m.archive_index NULLS FIRST, m.id');

export function correctionRepositories(run: Run): { corrections: CorrectionRepository; reactions: ReactionRepository } {
  return {
    corrections: {
      set: (c) => run(async (db) => {
        const { kind, question } = correctionKind(c.target);
        return toCorrection((await db.one<CorrectionRow>(
          `INSERT INTO corrections (message_id, session_id, kind, question, actor, at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (message_id) DO UPDATE SET session_id = excluded.session_id, kind = excluded.kind, question = excluded.question,
             actor = excluded.actor, at = excluded.at RETURNING *`,
          [c.messageId, c.sessionId, kind, question, c.actor, c.at],
        ))!);
      }),
      get: (messageId) => run(async (db) => {
        const row = await db.one<CorrectionRow>('SELECT * FROM corrections WHERE message_id = $1', [messageId]);
        return row ? toCorrection(row) : null;
      }),
      listBySession: (sessionId) => run(async (db) =>
        (await db.rows<CorrectionRow>('SELECT * FROM corrections WHERE session_id = $1 ORDER BY message_id', [sessionId])).map(toCorrection)),
    },
    reactions: {
      add: (r) => run(async (db) => (await db.run(
        'INSERT INTO reactions (message_id, emoji, user_id, burst) SELECT id, $2, $3, $4 FROM messages WHERE platform_id = $1 ON CONFLICT DO NOTHING',
        [r.messageId, r.emoji, r.userId, r.burst],
      )) === 1),
      remove: (r) => run(async (db) => (await db.run(
        `DELETE FROM reactions WHERE message_id = ${MESSAGE} AND emoji = $2 AND user_id = $3 AND burst = $4`, [r.messageId, r.emoji, r.userId, r.burst],
      )) === 1),
      removeAll: (messageId) => run((db) => db.run(`DELETE FROM reactions WHERE message_id = ${MESSAGE}`, [messageId])),
      removeEmoji: (messageId, emoji) => run((db) => db.run(`DELETE FROM reactions WHERE message_id = ${MESSAGE} AND emoji = $2`, [messageId, emoji])),
      countsBySession: (sessionId) => run(async (db) => new Map((await db.rows<{ message_id: number; n: number }>(
        'SELECT r.message_id, count(*)::int AS n FROM reactions r JOIN messages m ON m.id = r.message_id WHERE m.session_id = $1 GROUP BY r.message_id',
        [sessionId],
      )).map((r) => [Number(r.message_id), Number(r.n)]))),
      reactedAnswers: (sessionId) => run(async (db) => (await db.rows<Record<string, unknown>>(REACTED, [sessionId])).map(reactedAnswer)),
    },
  };
}
