/**
 * The recap's insight queries (SQLite; issue 15, "In every recap"): who replied to whom,
 * how much was written after the outro, and the messages that share a link. Aggregates by
 * the database, like recap-queries.ts (whose repository these join); the PostgreSQL twin is
 * postgres/insight-queries.ts. What counts is the recap's rule: a message counts unless the
 * bot posted it or it was deleted; an author is their name, or "anonymous".
 */
import type { Db } from './db.ts';

/** Replies (Discord replies) from one author to another's message, grouped. */
export interface ReplyGroup {
  /** Whose message was replied to. */
  to: string;
  /** Who replied. */
  from: string;
  /** The replies were written as a moderator. */
  moderator: boolean;
  replies: number;
  /** Of those, how many are counted answers (the tally's rule: not inferred). */
  answers: number;
}

/** A message whose text holds an http(s) link, with the question it answers. */
export interface LinkMessage {
  text: string;
  author: string;
  /** The question it is a counted answer to, 'TA' for a takeaway, null for none. */
  question: number | 'TA' | null;
}

export interface InsightQueryRepository {
  /** Replies from one participant to another's message (never to the bot's posts, never to oneself). */
  replyGroups(sessionId: number): Promise<ReplyGroup[]>;
  /** Messages posted after `after` (the outro's post). */
  messagesAfter(sessionId: number, after: Date): Promise<number>;
  /** The messages holding an http(s) link, in chat order. */
  linkMessages(sessionId: number): Promise<LinkMessage[]>;
}

interface ReplyRow { to: string; from: string; moderator: number; replies: number; answers: number }
interface LinkRow { text: string; author: string; question: number | null; takeaway: number | null }

export function toLinkMessage(r: { text: string; author: string; question: number | null; takeaway: number | boolean | null }): LinkMessage {
  return { text: r.text, author: r.author, question: r.question ?? (r.takeaway ? 'TA' : null) };
}

/** The statements, prepared once per connection. */
export class InsightStatements {
  readonly replyGroups;
  readonly messagesAfter;
  readonly linkMessages;

  constructor(db: Db) {
    const counted = 'from_self = 0 AND deleted_at IS NULL';
    this.replyGroups = db.prepare<{ sessionId: number }, ReplyRow>(
      // A Discord reply (reply_to_id) to a message of the session, or an archive's tweet in
      // reply to a handle (in_reply_to's first: the author replied to) that wrote in it.
      `WITH replies AS (
         SELECT m.id, t.author_name AS to_name FROM messages m JOIN messages t ON t.platform_id = m.reply_to_id AND t.session_id = m.session_id
         WHERE m.session_id = @sessionId AND t.from_self = 0 AND t.deleted_at IS NULL
         UNION ALL
         SELECT m.id, (SELECT t.author_name FROM messages t WHERE t.session_id = m.session_id AND t.from_self = 0 AND t.deleted_at IS NULL
                       AND lower(t.author_name) = lower(json_extract(m.in_reply_to, '$[0]')) LIMIT 1)
         FROM messages m WHERE m.session_id = @sessionId AND m.reply_to_id IS NULL AND m.in_reply_to <> '[]'
       )
       SELECT ifnull(r.to_name, 'anonymous') AS "to", ifnull(m.author_name, 'anonymous') AS "from", m.is_moderator AS moderator,
         count(DISTINCT m.id) AS replies, count(a.message_id) AS answers
       FROM replies r JOIN messages m ON m.id = r.id
         LEFT JOIN answers a ON a.message_id = m.id AND a.via <> 'inferred'
       WHERE m.from_self = 0 AND m.deleted_at IS NULL AND (r.to_name IS NOT NULL OR m.reply_to_id IS NOT NULL)
         AND ifnull(r.to_name, 'anonymous') <> ifnull(m.author_name, 'anonymous')
       GROUP BY 1, 2, 3`,
    );
    this.messagesAfter = db.prepare<{ sessionId: number; after: string }, number>(
      `SELECT count(*) FROM messages WHERE session_id = @sessionId AND ${counted} AND posted_at > @after`,
    ).pluck();
    this.linkMessages = db.prepare<{ sessionId: number }, LinkRow>(
      `SELECT m.text, ifnull(m.author_name, 'anonymous') AS author, a.question, a.takeaway
       FROM messages m LEFT JOIN answers a ON a.message_id = m.id AND a.via <> 'inferred'
       WHERE m.session_id = @sessionId AND m.from_self = 0 AND m.deleted_at IS NULL AND (m.text LIKE '%http://%' OR m.text LIKE '%https://%')
       ORDER BY m.posted_at, m.archive_index, m.id`,
    );
  }
}

type Runner = <T>(fn: () => T) => Promise<T>;

export function insightQueryRepository(s: InsightStatements, run: Runner): InsightQueryRepository {
  return {
    replyGroups: (sessionId) => run(() => s.replyGroups.all({ sessionId }).map((r) => ({ ...r, moderator: r.moderator === 1 }))),
    messagesAfter: (sessionId, after) => run(() => s.messagesAfter.get({ sessionId, after: after.toISOString() }) ?? 0),
    linkMessages: (sessionId) => run(() => s.linkMessages.all({ sessionId }).map(toLinkMessage)),
  };
}
