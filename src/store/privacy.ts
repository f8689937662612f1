/**
 * Forget-me (issue 15, Privacy), the SQLite side; the PostgreSQL twin is postgres/privacy.ts.
 *
 * forgetAuthor erases what a participant wrote from the messages stored so far: each of
 * their messages keeps its row (so that a backfill, which skips platform ids it has seen,
 * never brings the text back) but loses its text, its quote, its earlier texts (edits),
 * its answer, its corrections and the reactions on it, takes the placeholder author name
 * FORGOTTEN_NAME and is marked deleted (recaps and exports leave deleted messages out). The
 * reactions the participant made on messages in scope go too. Only messages stored up to
 * now are forgotten: what they post later is stored as usual (they may ask again).
 *
 * Scope: one server's sessions (guildId), or every session (null, the operator's CLI).
 * SQLite: the erase runs with PRAGMA secure_delete on, so the freed bytes are zeroed in the
 * pages; the WAL still holds the old pages until a checkpoint (the CLI checkpoints).
 */
import type { Db } from './db.ts';

export const FORGOTTEN_NAME = '(forgotten)';

export interface ForgetCounts {
  /** The participant's messages erased, per session id (sessions with none are left out). */
  sessions: Map<number, number>;
  messages: number;
  /** Earlier texts (edits) removed. */
  edits: number;
  answers: number;
  /** Reactions removed: made by the participant, or on their messages. */
  reactions: number;
  corrections: number;
}

export interface PrivacyRepository {
  /** Erases a participant's stored messages (in guildId's sessions, or all with null): see privacy.ts. */
  forgetAuthor(authorId: string, guildId: string | null, at: Date): Promise<ForgetCounts>;
}

/** A message not forgotten yet, or written to since (an edit after a forget): what the counts count. */
export const FRESH = "(text <> '' OR author_name IS DISTINCT FROM $name OR quote_text IS NOT NULL OR deleted_at IS NULL)";

/** The messages counted, per session: those that still held something. */
export function countFresh(rows: readonly { session_id: number | string; fresh: number | boolean }[]): { sessions: Map<number, number>; messages: number } {
  const sessions = new Map<number, number>();
  let messages = 0;
  for (const r of rows) {
    if (!r.fresh) continue;
    messages++;
    sessions.set(Number(r.session_id), (sessions.get(Number(r.session_id)) ?? 0) + 1);
  }
  return { sessions, messages };
}

type Runner = <T>(fn: () => T) => Promise<T>;

/** The messages in scope: the author's, in the guild's sessions (or any session). */
export const SCOPE_SESSIONS = 'SELECT id FROM sessions WHERE guild_id = ?';

export function privacyRepositories(db: Db, run: Runner): { privacy: PrivacyRepository } {
  return {
    privacy: {
      forgetAuthor: (authorId, guildId, at) => run(() => {
        const secure = db.pragma('secure_delete', { simple: true }) as number;
        db.pragma('secure_delete = ON');
        try {
          return forget(db, authorId, guildId, at);
        } finally {
          if (!secure) db.pragma('secure_delete = OFF');
        }
      }),
    },
  };
}

function forget(db: Db, authorId: string, guildId: string | null, at: Date): ForgetCounts {
  const where = guildId === null ? '' : ` AND session_id IN (${SCOPE_SESSIONS})`;
  const params = guildId === null ? [authorId] : [authorId, guildId];
  const rows = db.prepare<unknown[], { id: number; session_id: number; fresh: number }>(
    `SELECT id, session_id, ${FRESH.replace('$name', `'${FORGOTTEN_NAME}'`).replace('IS DISTINCT FROM', 'IS NOT')} AS fresh
     FROM messages WHERE author_id = ?${where} ORDER BY id`,
  ).all(...params);
  const ids = JSON.stringify(rows.map((r) => r.id));
  const IDS = '(SELECT value FROM json_each(?))';
  const edits = db.prepare(`DELETE FROM message_edits WHERE message_id IN ${IDS}`).run(ids).changes;
  const answers = db.prepare(`DELETE FROM answers WHERE message_id IN ${IDS}`).run(ids).changes;
  const corrections = db.prepare(`DELETE FROM corrections WHERE message_id IN ${IDS}`).run(ids).changes;
  let reactions = db.prepare(`DELETE FROM reactions WHERE message_id IN ${IDS}`).run(ids).changes;
  reactions += db.prepare(
    `DELETE FROM reactions WHERE user_id = ?${guildId === null ? '' : ` AND message_id IN (SELECT id FROM messages WHERE session_id IN (${SCOPE_SESSIONS}))`}`,
  ).run(...params).changes;
  db.prepare(
    `UPDATE messages SET text = '', author_name = ?, quote_author = NULL, quote_text = NULL, in_reply_to = '[]',
       deleted_at = coalesce(deleted_at, ?) WHERE id IN ${IDS}`,
  ).run(FORGOTTEN_NAME, at.toISOString(), ids);
  return { ...countFresh(rows), edits, answers, reactions, corrections };
}
