/** Messages, edits and answers, in PostgreSQL (same behaviour as ../messages.ts). */
import type { Attribution } from '../../domain/attribution.ts';
import { answerRows, holdable, holdableMessage, toAnswer, toMessage, type NewMessage, type StoredAnswer, type StoredMessage } from '../messages.ts';
import type { MessageRepository } from '../port.ts';
import type { Db, Run } from './run.ts';

type Row = Record<string, unknown>;
const message = (row: Row | null) => (row ? toMessage(row as never) : null);

/** Rows an iterator reads per page. */
export const PAGE_SIZE = 500;

/**
 * Chat order: by time, then archive position, then arrival, with NULLs first (as SQLite
 * sorts them). Spelt as the columns of the messages_chat_order index, so that a page is an
 * index range: the keyset of the last row seen, compared as a row, starts the next page.
 */
const CHAT_ORDER = "(m.posted_at IS NOT NULL), coalesce(m.posted_at, 'epoch'), (m.archive_index IS NOT NULL), coalesce(m.archive_index, 0), m.id";
const EPOCH = new Date(0);
const keyset = (m: { postedAt: Date | null; archiveIndex: number | null; id: number }) =>
  [m.postedAt !== null, m.postedAt ?? EPOCH, m.archiveIndex !== null, m.archiveIndex ?? 0, m.id];
const AFTER = '($2::boolean, $3::timestamptz, $4::boolean, $5::integer, $6::bigint)';
const FIRST = [false, EPOCH, false, -2147483648, 0];
/**
 * The keysets pages follow: messages in chat order; answers in chat order, then a message's
 * answers to several questions (issue 17) by question, the takeaway last.
 */
const ORDERS = {
  messages: { by: CHAT_ORDER, after: AFTER, first: FIRST },
  answers: {
    by: `${CHAT_ORDER}, a.takeaway, coalesce(a.question, 0)`,
    after: '($2::boolean, $3::timestamptz, $4::boolean, $5::integer, $6::bigint, $7::boolean, $8::integer)',
    first: [...FIRST, false, -1],
  },
};

const ANSWERS = `SELECT a.*, m.author_name, m.archive_index, m.posted_at, m.platform_id, m.channel_id, m.thread_id, m.late
  FROM answers a JOIN messages m ON m.id = a.message_id WHERE a.session_id = $1 AND m.deleted_at IS NULL`;

export function messageRepository(run: Run): MessageRepository {
  const get = async (db: Db, platformId: string) => message(await db.one<Row>('SELECT * FROM messages WHERE platform_id = $1', [platformId]));
  const answers = (sessionId: number, inferred: boolean) => run(async (db) =>
    (await db.rows<Row>(`${ANSWERS} ORDER BY ${ORDERS.answers.by}`, [sessionId])).map((r) => toAnswer(r as never)).filter((a) => inferred || a.via !== 'inferred'));

  /**
   * Pages through a session in chat order: each page is one call (other calls run between
   * pages), bounded by the newest message id when the iteration began, so that messages
   * written meanwhile are not visited (as SQLite's iterators, which read the ids first).
   */
  async function* pages<T extends StoredMessage | StoredAnswer>(
    sessionId: number, sql: string, map: (row: Row) => T, key: (item: T) => unknown[], order = ORDERS.messages,
  ): AsyncGenerator<T> {
    const newest = await run(async (db) => (await db.one<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM messages'))!.n);
    let after: unknown[] = order.first;
    for (;;) {
      const rows = await run((db) => db.rows<Row>(
        `${sql} AND m.id <= $${order.first.length + 2} AND (${order.by}) > ${order.after} ORDER BY ${order.by} LIMIT ${PAGE_SIZE}`,
        [sessionId, ...after, newest],
      ));
      const items = rows.map(map);
      yield* items;
      if (items.length < PAGE_SIZE) return;
      after = key(items.at(-1)!);
    }
  }

  return {
    ingest: (given) => run(async (db) => {
      const m = holdableMessage(given);
      const inserted = await db.one<{ id: number }>(
        `INSERT INTO messages (session_id, platform_id, channel_id, thread_id, author_id, author_name, is_moderator,
           posted_at, text, reply_to_id, in_reply_to, quote_author, quote_text, archive_index, late, from_self)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (platform_id) DO NOTHING RETURNING id`,
        [m.sessionId, m.platformId, m.channelId, m.threadId, m.authorId, m.authorName, m.isModerator, m.postedAt, m.text, m.replyToId,
          JSON.stringify(m.inReplyTo), m.quote?.author ?? null, m.quote?.text ?? null, m.archiveIndex, m.late ?? false, m.fromSelf ?? false],
      );
      if (!inserted) return { message: (await get(db, m.platformId))!, inserted: false };
      // Just written: built from what was written rather than read back.
      return { message: { ...m, id: inserted.id, editedAt: null, deletedAt: null, late: m.late ?? false, fromSelf: m.fromSelf ?? false }, inserted: true };
    }),
    get: (platformId) => run((db) => get(db, platformId)),
    ingestMany: (ms) => run((db) => ingestMany(db, ms)),
    recordAttributions: (pairs) => run((db) => recordAttributions(db, pairs)),
    // Snowflakes compare as numbers: longer is later, then by text (bytewise, as SQLite).
    lastSeenId: (sessionId, channelId, threadId) => run(async (db) => (await db.one<{ platform_id: string }>(
      `SELECT platform_id FROM messages WHERE session_id = $1 AND channel_id = $2 AND thread_id IS NOT DISTINCT FROM $3
       ORDER BY length(platform_id) DESC, platform_id COLLATE "C" DESC LIMIT 1`,
      [sessionId, channelId, threadId],
    ))?.platform_id ?? null),
    listBySession: (sessionId) => run(async (db) => (await db.rows<Row>(`SELECT * FROM messages m WHERE session_id = $1 ORDER BY ${CHAT_ORDER}`, [sessionId])).map((r) => message(r)!)),
    count: (sessionId) => run(async (db) => (await db.one<{ n: number }>('SELECT count(*) AS n FROM messages WHERE session_id = $1', [sessionId]))!.n),
    edit: (platformId, text, at) => run((db) => db.atomic(async () => {
      const current = await get(db, platformId);
      if (!current || current.text === text) return current;
      await db.run('INSERT INTO message_edits (message_id, old_text, replaced_at) VALUES ($1, $2, $3)', [current.id, current.text, at]);
      await db.run('UPDATE messages SET text = $1, edited_at = $2 WHERE id = $3', [text, at, current.id]);
      return get(db, platformId);
    })),
    previousTexts: (platformId) => run(async (db) => (await db.rows<{ old_text: string }>(
      'SELECT e.old_text FROM message_edits e JOIN messages m ON m.id = e.message_id WHERE m.platform_id = $1 ORDER BY e.id',
      [platformId],
    )).map((r) => r.old_text)),
    delete: (platformId, at) => run(async (db) => (await db.run('UPDATE messages SET deleted_at = $1 WHERE platform_id = $2 AND deleted_at IS NULL', [at, platformId])) === 1),
    recordAttribution: (m, a) => run((db) => recordAttributions(db, [[m, a]])),
    iterate: (sessionId) => pages<StoredMessage>(sessionId, 'SELECT * FROM messages m WHERE m.session_id = $1', (r) => message(r)!, keyset),
    iterateAnswers: (sessionId, { inferred = false } = {}) => filter(
      pages<StoredAnswer>(sessionId, ANSWERS, (r) => toAnswer(r as never), (a) => [...keyset({ ...a, id: a.messageId }), a.question === 'TA', a.question === 'TA' ? 0 : a.question], ORDERS.answers),
      (a) => inferred || a.via !== 'inferred',
    ),
    authorsBefore: (seriesId, before) => run(async (db) => new Set((await db.rows<{ author_name: string }>(
      `SELECT DISTINCT m.author_name FROM messages m JOIN sessions s ON s.id = m.session_id
       WHERE s.series_id = $1 AND s.starts_at < $2 AND m.author_name IS NOT NULL AND m.from_self = false AND m.deleted_at IS NULL`,
      [seriesId, before],
    )).map((r) => r.author_name))),
    answers: (sessionId, { inferred = false } = {}) => answers(sessionId, inferred),
  };
}

/**
 * A batch's rows as ONE parameter: a JSON array that the server turns into rows
 * (json_to_recordset). One statement text whatever the batch size, so the server parses a
 * short statement instead of a VALUES list of thousands of parameters, and the client sends
 * one string (JSON.stringify, native) instead of serialising each value. Every string in it
 * must be holdable (../messages.ts): the server's JSON parser refuses a lone surrogate.
 */
const jsonRows = (rows: readonly unknown[]) => JSON.stringify(rows);

const INSERT_MESSAGES = `INSERT INTO messages (session_id, platform_id, channel_id, thread_id, author_id, author_name, is_moderator,
    posted_at, text, reply_to_id, in_reply_to, quote_author, quote_text, archive_index, late, from_self)
  SELECT r.session_id, r.platform_id, r.channel_id, r.thread_id, r.author_id, r.author_name, r.is_moderator,
    r.posted_at, r.text, r.reply_to_id, r.in_reply_to, r.quote_author, r.quote_text, r.archive_index, r.late, r.from_self
  FROM ROWS FROM (json_to_recordset($1::json) AS (session_id bigint, platform_id text, channel_id text, thread_id text,
    author_id text, author_name text, is_moderator boolean, posted_at timestamptz, text text, reply_to_id text, in_reply_to jsonb,
    quote_author text, quote_text text, archive_index integer, late boolean, from_self boolean)) WITH ORDINALITY AS r
  ORDER BY r.ordinality
  ON CONFLICT (platform_id) DO NOTHING RETURNING id, platform_id`;

/**
 * A batch's answers in one statement: the messages' rows for questions they no longer answer
 * deleted ($2: every message of the batch), then one row per (message, question) upserted
 * (a multi-answer label answers several: issue 17). The two touch different rows.
 */
const RECORD_ANSWERS = `WITH r AS (
    SELECT * FROM json_to_recordset($1::json) AS r(message_id bigint, session_id bigint, question integer, takeaway boolean, via text, label text, text text)
  ), gone AS (
    DELETE FROM answers a WHERE a.message_id = ANY($2::bigint[])
      AND NOT EXISTS (SELECT 1 FROM r WHERE r.message_id = a.message_id AND coalesce(r.question, 0) = coalesce(a.question, 0))
  )
  INSERT INTO answers (message_id, session_id, question, takeaway, via, label, text)
  SELECT r.message_id, r.session_id, r.question, r.takeaway, r.via, r.label, r.text FROM r
  ON CONFLICT (message_id, (coalesce(question, 0))) DO UPDATE SET takeaway = excluded.takeaway,
    via = excluded.via, label = excluded.label, text = excluded.text`;

/**
 * ingest for many: one INSERT for the batch (first occurrence of an id only), then the rows
 * that were there already read in one query; results in the order asked.
 */
async function ingestMany(db: Db, ms: readonly NewMessage[]): Promise<{ message: StoredMessage; inserted: boolean }[]> {
  const first = new Map<string, NewMessage>();
  for (const m of ms) if (!first.has(m.platformId)) first.set(m.platformId, holdableMessage(m));
  const ids = new Map<string, number>();
  const rows = [];
  for (const m of first.values()) {
    rows.push({
      session_id: m.sessionId, platform_id: m.platformId, channel_id: m.channelId, thread_id: m.threadId, author_id: m.authorId,
      author_name: m.authorName, is_moderator: m.isModerator, posted_at: m.postedAt, text: m.text, reply_to_id: m.replyToId,
      in_reply_to: m.inReplyTo, quote_author: m.quote?.author ?? null, quote_text: m.quote?.text ?? null,
      archive_index: m.archiveIndex, late: m.late ?? false, from_self: m.fromSelf ?? false,
    });
  }
  if (rows.length) for (const r of await db.rows<{ id: number; platform_id: string }>(INSERT_MESSAGES, [jsonRows(rows)])) ids.set(r.platform_id, r.id);
  const before = [...first.keys()].filter((id) => !ids.has(id));
  const existing = new Map<string, StoredMessage>();
  if (before.length) {
    for (const r of await db.rows<Row>('SELECT * FROM messages WHERE platform_id = ANY($1)', [before])) existing.set(String(r.platform_id), message(r)!);
  }
  const built = new Map<string, StoredMessage>();
  return ms.map((m) => {
    const id = ids.get(m.platformId);
    if (id === undefined) return { message: existing.get(m.platformId)!, inserted: false };
    // Just written: built from what was written rather than read back (once per id).
    let stored = built.get(m.platformId);
    if (stored) return { message: stored, inserted: false };
    const written = first.get(m.platformId)!;
    stored = { ...written, id, editedAt: null, deletedAt: null, late: written.late ?? false, fromSelf: written.fromSelf ?? false };
    built.set(m.platformId, stored);
    return { message: stored, inserted: true };
  });
}

/** recordAttribution for many: the last pair per message wins; one statement (RECORD_ANSWERS). */
async function recordAttributions(db: Db, pairs: readonly (readonly [StoredMessage, Attribution])[]): Promise<void> {
  const last = new Map<number, readonly [StoredMessage, Attribution]>();
  for (const p of pairs) {
    last.delete(p[0].id);
    last.set(p[0].id, p);
  }
  if (last.size === 0) return;
  const rows = [...last.values()].flatMap(([m, a]) => answerRows(m, a));
  await db.run(RECORD_ANSWERS, [jsonRows(rows), [...last.keys()]]);
}

async function* filter<T>(items: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of items) if (keep(item)) yield item;
}
