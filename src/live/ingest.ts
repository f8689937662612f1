import type { Attribution, Attributor } from '../domain/attribution.ts';
import type { Logger } from '../logger.ts';
import type { Session, StorePort, Transaction } from '../store/port.ts';
import { AttributorCache, readPosts, toChatMessage } from './attributors.ts';

/**
 * Live answers: every message in a session's channel (and its threads) is stored and
 * attributed with the same Attributor that replays archives, plus platform evidence
 * (replies to a question or an answer, messages in a question's thread). Edits re-run the
 * attribution; deletes leave a tombstone that recaps leave out. Messages after the close
 * are stored, attributed and flagged late.
 */

/** A message as the platform adapter hands it over. */
export interface IncomingMessage {
  id: string;
  /** The channel the session runs in (for a thread: its parent channel). */
  channelId: string;
  /** The thread it was written in; on Discord a message's thread has that message's id. */
  threadId: string | null;
  authorId: string;
  authorName: string;
  moderator: boolean;
  /** Written by the bot itself. */
  fromSelf: boolean;
  at: Date;
  text: string;
  replyToId: string | null;
  quote?: { author: string | null; text: string } | null;
}

export interface IngestResult {
  sessionId: number;
  inserted: boolean;
  late: boolean;
  attribution: Attribution | null;
}

export interface IngestDeps {
  store: StorePort;
  log: Logger;
  /** After a session closes, its channel's messages still count (flagged late) this long. */
  lateWindowMs?: number;
}

export const DEFAULT_LATE_WINDOW_MS = 24 * 60 * 60_000;

/**
 * Events are handled one at a time, in the order they arrive (a queue): the attributor of a
 * session is in-memory state that each message changes, so two messages must never be
 * attributed concurrently. Each message's store and attribution is one transaction, which
 * first reads the session's posted questions and outro (see attributors.ts: the attribution
 * learns the bot's posts from the database, whichever process made them, and applies a post
 * only to messages written at or after it).
 */
export class LiveIngest {
  private readonly attributors: AttributorCache;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: IngestDeps) {
    this.attributors = new AttributorCache(deps.lateWindowMs ?? DEFAULT_LATE_WINDOW_MS);
  }

  /** Runs fn after every event that arrived before it. */
  private inOrder<T>(fn: () => Promise<T> | T): Promise<T> {
    const turn = this.queue.then(fn);
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Stores and attributes a new message; null when no session owns the channel. */
  messageCreated(m: IncomingMessage): Promise<IngestResult | null> {
    return this.inOrder(() => this.create(m));
  }

  private async create(m: IncomingMessage): Promise<IngestResult | null> {
    const { store } = this.deps;
    const session = await this.sessionFor(m.channelId, m.at);
    if (!session) return null;
    const late = session.state === 'ended' && session.endedAt !== null && m.at > session.endedAt;

    return store.transaction(async (tx) => {
      // Caught up (or built from the database) before this message is stored, so it is not its own repeat.
      const attributor = await this.attributor(tx, session.id, m.at);
      const { message, inserted } = await tx.messages.ingest({
        sessionId: session.id, platformId: m.id, channelId: m.channelId, threadId: m.threadId, authorId: m.authorId,
        authorName: m.authorName, isModerator: m.moderator, postedAt: m.at, text: m.text, replyToId: m.replyToId,
        inReplyTo: [], quote: m.quote ?? null, archiveIndex: null, late, fromSelf: m.fromSelf,
      });
      // Seen before (gateway replay, backfill): already attributed, nothing changes.
      if (!inserted || m.fromSelf) return { sessionId: session.id, inserted, late, attribution: null };
      const attribution = attributor.ingest(toChatMessage(message));
      await tx.messages.recordAttribution(message, attribution);
      this.deps.log.debug({ sessionId: session.id, messageId: m.id, attribution }, 'message attributed');
      return { sessionId: session.id, inserted, late, attribution };
    });
  }

  /** An edit: the new text is stored (the old one kept) and the attribution re-run. */
  messageUpdated(id: string, text: string, at: Date): Promise<Attribution | null> {
    const { store } = this.deps;
    return this.inOrder(() => store.transaction(async (tx) => {
      const message = await tx.messages.edit(id, text, at);
      if (!message || message.fromSelf) return null;
      const attribution = (await this.attributor(tx, message.sessionId, at)).reattribute(toChatMessage(message));
      await tx.messages.recordAttribution(message, attribution);
      return attribution;
    }));
  }

  /** A delete: the message stays as a tombstone, hidden from recaps and exports. */
  messageDeleted(id: string, at: Date): Promise<boolean> {
    return this.inOrder(() => this.deps.store.messages.delete(id, at));
  }

  /** Resolves once every event handed over so far is handled. */
  whenIdle(): Promise<void> {
    return this.inOrder(() => {});
  }

  /** The running or paused session of the channel, else one that closed recently. */
  private sessionFor(channelId: string, at: Date): Promise<Session | null> {
    const window = this.deps.lateWindowMs ?? DEFAULT_LATE_WINDOW_MS;
    // An ended session takes only messages written within the window after its end.
    return this.deps.store.sessions.collectingIn(channelId, new Date(at.getTime() - window));
  }

  /** The session's attributor, knowing every post made up to `at` (read in this transaction). */
  private async attributor(tx: Transaction, sessionId: number, at: Date): Promise<Attributor> {
    return this.attributors.at(tx, sessionId, await readPosts(tx, sessionId), at);
  }
}
