import type { Attribution } from '../domain/attribution.ts';
import type { AnswerTarget } from '../domain/labels.ts';
import type { Db } from './db.ts';

/** A message seen in a session, as stored. */
export interface StoredMessage {
  id: number;
  sessionId: number;
  platformId: string;
  channelId: string | null;
  threadId: string | null;
  authorId: string | null;
  authorName: string | null;
  isModerator: boolean;
  postedAt: Date | null;
  text: string;
  replyToId: string | null;
  inReplyTo: string[];
  quote: { author: string | null; text: string } | null;
  archiveIndex: number | null;
  editedAt: Date | null;
  deletedAt: Date | null;
  /** Arrived after the session closed (kept, flagged). */
  late: boolean;
  /** Posted by the bot itself (its prompts): never attributed. */
  fromSelf: boolean;
}

export type NewMessage = Omit<StoredMessage, 'id' | 'editedAt' | 'deletedAt' | 'late' | 'fromSelf'> & { late?: boolean; fromSelf?: boolean };

export type AnswerVia = 'label' | 'quote' | 'reply' | 'thread' | 'inferred' | 'button' | 'command' | 'correction';

export interface StoredAnswer {
  messageId: number;
  sessionId: number;
  question: AnswerTarget;
  via: AnswerVia;
  label: string | null;
  text: string;
  authorName: string | null;
  archiveIndex: number | null;
  postedAt: Date | null;
  /** The message's id on the platform (or "archive:…" for imported archives). */
  platformId: string;
  channelId: string | null;
  threadId: string | null;
  /** Written after the session closed. */
  late: boolean;
}

interface MessageRow {
  id: number;
  session_id: number;
  platform_id: string;
  channel_id: string | null;
  thread_id: string | null;
  author_id: string | null;
  author_name: string | null;
  is_moderator: number;
  posted_at: string | null;
  text: string;
  reply_to_id: string | null;
  in_reply_to: string;
  quote_author: string | null;
  quote_text: string | null;
  archive_index: number | null;
  edited_at: string | null;
  deleted_at: string | null;
  late: number;
  from_self: number;
}

interface AnswerRow {
  message_id: number;
  session_id: number;
  question: number | null;
  takeaway: number;
  via: AnswerVia;
  label: string | null;
  text: string;
  author_name: string | null;
  archive_index: number | null;
  posted_at: string | null;
  platform_id: string;
  channel_id: string | null;
  thread_id: string | null;
  late: number;
}

const date = (s: string | null) => (s === null ? null : new Date(s));

/**
 * A string as a store can hold it: a lone UTF-16 surrogate (broken or hostile text) has no
 * UTF-8 form and becomes U+FFFD, once, in both stores (SQLite would otherwise write bytes
 * that read back as three replacement characters, and PostgreSQL's JSON input refuses it).
 */
export function holdable(s: string): string;
export function holdable(s: string | null): string | null;
export function holdable(s: string | null): string | null {
  return held(s) ? s : s!.toWellFormed();
}

/** Nothing to change (null and other non-strings are left for the store's own checks to refuse). */
const held = (s: string | null | undefined): boolean => typeof s !== 'string' || s.isWellFormed();

/** A new message with its chat text (text, author, quote) holdable; the same object when it already is. */
export function holdableMessage(m: NewMessage): NewMessage {
  const quote = m.quote;
  if (held(m.text) && held(m.authorName) && (!quote || (held(quote.text) && held(quote.author)))) return m;
  return {
    ...m, text: holdable(m.text), authorName: holdable(m.authorName),
    quote: quote ? { author: holdable(quote.author), text: holdable(quote.text) } : null,
  };
}

export function toMessage(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    sessionId: row.session_id,
    platformId: row.platform_id,
    channelId: row.channel_id,
    threadId: row.thread_id,
    authorId: row.author_id,
    authorName: row.author_name,
    isModerator: row.is_moderator === 1,
    postedAt: date(row.posted_at),
    text: row.text,
    replyToId: row.reply_to_id,
    inReplyTo: JSON.parse(row.in_reply_to) as string[],
    quote: row.quote_text === null ? null : { author: row.quote_author, text: row.quote_text },
    archiveIndex: row.archive_index,
    editedAt: date(row.edited_at),
    deletedAt: date(row.deleted_at),
    late: row.late === 1,
    fromSelf: row.from_self === 1,
  };
}

export function toAnswer(row: AnswerRow): StoredAnswer {
  return {
    messageId: row.message_id,
    sessionId: row.session_id,
    question: row.takeaway === 1 ? 'TA' : row.question!,
    via: row.via,
    label: row.label,
    text: row.text,
    authorName: row.author_name,
    archiveIndex: row.archive_index,
    postedAt: date(row.posted_at),
    platformId: row.platform_id,
    channelId: row.channel_id,
    threadId: row.thread_id,
    late: row.late === 1,
  };
}

export class MessageStore {
  private readonly insert;
  private readonly byPlatformId;
  private readonly bySession;
  private readonly countBySession;
  private readonly saveEdit;
  private readonly applyEdit;
  private readonly markDeleted;
  private readonly insertAnswer;
  private readonly answersBySession;
  private readonly clearAnswer;
  private readonly earlierAuthors;
  private readonly lastInPlace;

  constructor(db: Db) {
    // Positional parameters, bound from plain arguments: named ones read an object built per
    // message (and spread), which cost the ingest benchmark more than the insert itself.
    this.insert = db.prepare<unknown[]>(
      `INSERT INTO messages (session_id, platform_id, channel_id, thread_id, author_id, author_name, is_moderator,
         posted_at, text, reply_to_id, in_reply_to, quote_author, quote_text, archive_index, late, from_self)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (platform_id) DO NOTHING`,
    );
    this.byPlatformId = db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE platform_id = ?');
    this.bySession = db.prepare<[number], MessageRow>('SELECT * FROM messages WHERE session_id = ? ORDER BY posted_at, archive_index, id');
    this.countBySession = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM messages WHERE session_id = ?');
    this.saveEdit = db.prepare<[number, string, string]>('INSERT INTO message_edits (message_id, old_text, replaced_at) VALUES (?, ?, ?)');
    this.applyEdit = db.prepare<[string, string, number]>('UPDATE messages SET text = ?, edited_at = ? WHERE id = ?');
    this.markDeleted = db.prepare<[string, string]>('UPDATE messages SET deleted_at = ? WHERE platform_id = ? AND deleted_at IS NULL');
    this.insertAnswer = db.prepare<[number, number, number | null, number, AnswerVia, string | null, string]>(
      'INSERT INTO answers (message_id, session_id, question, takeaway, via, label, text) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.clearAnswer = db.prepare<[number]>('DELETE FROM answers WHERE message_id = ?');
    this.earlierAuthors = db.prepare<[number, string], { author_name: string }>(
      `SELECT DISTINCT m.author_name FROM messages m JOIN sessions s ON s.id = m.session_id
       WHERE s.series_id = ? AND s.starts_at < ? AND m.author_name IS NOT NULL AND m.from_self = 0 AND m.deleted_at IS NULL`,
    );
    // Snowflakes compare as numbers: longer is later, then by text.
    this.lastInPlace = db.prepare<{ sessionId: number; channelId: string; threadId: string | null }, { platform_id: string }>(
      `SELECT platform_id FROM messages WHERE session_id = @sessionId AND channel_id = @channelId AND thread_id IS @threadId
       ORDER BY length(platform_id) DESC, platform_id DESC LIMIT 1`,
    );
    this.answersBySession = db.prepare<[number], AnswerRow>(
      `SELECT a.*, m.author_name, m.archive_index, m.posted_at, m.platform_id, m.channel_id, m.thread_id, m.late FROM answers a JOIN messages m ON m.id = a.message_id
       WHERE a.session_id = ? AND m.deleted_at IS NULL ORDER BY m.posted_at, m.archive_index, m.id, a.takeaway, a.question`,
    );
  }

  /** Stores a message once: the same platform id again changes nothing. */
  ingest(given: NewMessage): { message: StoredMessage; inserted: boolean } {
    const m = holdableMessage(given);
    const late = m.late ?? false;
    const fromSelf = m.fromSelf ?? false;
    const result = this.insert.run(
      m.sessionId, m.platformId, m.channelId, m.threadId, m.authorId, m.authorName, m.isModerator ? 1 : 0,
      m.postedAt?.toISOString() ?? null, m.text, m.replyToId, m.inReplyTo.length === 0 ? '[]' : JSON.stringify(m.inReplyTo),
      m.quote?.author ?? null, m.quote?.text ?? null, m.archiveIndex, late ? 1 : 0, fromSelf ? 1 : 0,
    );
    if (result.changes === 1) {
      // Just written: build it from what was written rather than reading it back.
      const message: StoredMessage = {
        id: Number(result.lastInsertRowid), sessionId: m.sessionId, platformId: m.platformId, channelId: m.channelId,
        threadId: m.threadId, authorId: m.authorId, authorName: m.authorName, isModerator: m.isModerator,
        postedAt: m.postedAt, text: m.text, replyToId: m.replyToId, inReplyTo: m.inReplyTo, quote: m.quote,
        archiveIndex: m.archiveIndex, editedAt: null, deletedAt: null, late, fromSelf,
      };
      return { message, inserted: true };
    }
    return { message: this.get(m.platformId)!, inserted: false };
  }

  get(platformId: string): StoredMessage | null {
    const row = this.byPlatformId.get(platformId);
    return row ? toMessage(row) : null;
  }

  /** The newest platform id seen in a session's channel (threadId null) or one of its threads. */
  lastSeenId(sessionId: number, channelId: string, threadId: string | null): string | null {
    return this.lastInPlace.get({ sessionId, channelId, threadId })?.platform_id ?? null;
  }

  listBySession(sessionId: number): StoredMessage[] {
    return this.bySession.all(sessionId).map(toMessage);
  }

  count(sessionId: number): number {
    return this.countBySession.get(sessionId)!.n;
  }

  /** Records a new text, keeping the old one; an edit that changes nothing is ignored. */
  edit(platformId: string, given: string, at: Date): StoredMessage | null {
    const text = holdable(given);
    const current = this.get(platformId);
    if (!current || current.text === text) return current;
    this.saveEdit.run(current.id, current.text, at.toISOString());
    this.applyEdit.run(text, at.toISOString(), current.id);
    return this.get(platformId);
  }

  delete(platformId: string, at: Date): boolean {
    return this.markDeleted.run(at.toISOString(), platformId).changes === 1;
  }

  /**
   * Stores what a message answers, replacing an earlier attribution; any other kind
   * removes it (an edit took the label away).
   */
  recordAttribution(message: StoredMessage, a: Attribution): void {
    this.clearAnswer.run(message.id);
    for (const row of answerRows(message, a)) {
      this.insertAnswer.run(row.message_id, row.session_id, row.question, row.takeaway ? 1 : 0, row.via, row.label, row.text);
    }
  }

  /** Every message of a session, oldest first, one row at a time (flat memory for huge sessions). */
  *iterate(sessionId: number): IterableIterator<StoredMessage> {
    for (const row of this.bySession.iterate(sessionId)) yield toMessage(row);
  }

  /** Answers of a session, one row at a time, in chat order. */
  *iterateAnswers(sessionId: number, { inferred = false } = {}): IterableIterator<StoredAnswer> {
    for (const row of this.answersBySession.iterate(sessionId)) {
      const a = toAnswer(row);
      if (inferred || a.via !== 'inferred') yield a;
    }
  }

  /** Authors of the series' sessions that started before `before` (who is returning). */
  authorsBefore(seriesId: number, before: Date): Set<string> {
    return new Set(this.earlierAuthors.all(seriesId, before.toISOString()).map((r) => r.author_name));
  }

  /** Answers of a session in chat order, deleted messages left out. */
  answers(sessionId: number, { inferred = false } = {}): StoredAnswer[] {
    return this.answersBySession.all(sessionId).map(toAnswer).filter((a) => inferred || a.via !== 'inferred');
  }
}

/**
 * The answer rows an attribution makes: one per question it answers (a multi-answer label,
 * "A2/A3:", answers each: issue 17), none when it answers nothing.
 */
export function answerRows(message: StoredMessage, a: Attribution): {
  message_id: number; session_id: number; question: number | null; takeaway: boolean; via: AnswerVia; label: string | null; text: string;
}[] {
  if (a.kind !== 'answer' && a.kind !== 'inferred') return [];
  const targets = a.kind === 'answer' ? [a.question, ...(a.also ?? [])] : [a.question];
  return [...new Set(targets)].map((target) => {
    const question = target === 'TA' ? null : target;
    return {
      message_id: message.id, session_id: message.sessionId, question, takeaway: question === null, via: a.kind === 'answer' ? a.via : 'inferred',
      label: a.kind === 'answer' ? a.label : null, text: holdable(a.kind === 'answer' ? a.text : message.text),
    };
  });
}
