import { Attributor, type ChatMessage } from '../domain/attribution.ts';
import type { Prompt, Repositories, StoredMessage } from '../store/port.ts';

/**
 * The attributors of live sessions, and how they learn the bot's posts: from the database.
 *
 * A session's attributor must know which message is which question, and from when a
 * question is open and the outro out. Any process may have made those posts (this one's
 * engine, another bot process on the same database, the engine after `emcee session next`
 * from a terminal), so nothing tells the attributor about a post; it reads them. Before each
 * message (or edit) of a session is attributed, the caller reads the session's posts in the
 * same transaction (`readPosts`: one query of about ten rows, once per batch of the group
 * commit, at its start) and the attributor catches up
 * (`SessionAttribution.catchUp`): every question or outro prompt in state "posted" with
 * postedAt at or before the message's time, not applied yet, is applied in posted order.
 * A post whose time comes after the message is left for a later one, so a message written
 * before a question went out is never read as written after it, whatever order the events
 * reach this process in. (A message that arrives after a later one has caught up can still
 * only be read against what has been applied; the attributor never goes back.) Post and
 * message times both come from the platform, so they compare.
 *
 * After a restart, or the first time this process sees a session, the attributor is
 * rebuilt from the database with the same catch-up: the stored messages replayed in time
 * order, each after the posts made at or before it (at the same instant the post comes
 * first).
 *
 * The cache does not rely on anyone saying a session ended: an entry no message has
 * touched for the late window (by message time) is dropped, and so is the least recently
 * used one beyond MAX_CACHED. A dropped session that gets a message again is rebuilt.
 */

/** A question post or the outro, as the attribution applies it. */
export interface Post {
  promptId: number;
  kind: 'question' | 'outro';
  questionNumber: number | null;
  messageId: string;
  postedAt: number;
}

/**
 * The per-message read: the session's posted questions and outro, in posted order. It is
 * its own function so a batch of messages (group commit) can read it once per session.
 */
export async function readPosts(tx: Pick<Repositories, 'prompts'>, sessionId: number): Promise<Post[]> {
  const posts: Post[] = [];
  for (const p of await tx.prompts.listBySession(sessionId)) {
    const post = asPost(p);
    if (post) posts.push(post);
  }
  // Stable: prompts posted at the same instant keep their planned order.
  return posts.sort((a, b) => a.postedAt - b.postedAt);
}

function asPost(p: Prompt): Post | null {
  if (p.state !== 'posted' || !p.postedAt || !p.messageId) return null;
  if (p.kind !== 'question' && p.kind !== 'outro') return null;
  return { promptId: p.id, kind: p.kind, questionNumber: p.questionNumber, messageId: p.messageId, postedAt: p.postedAt.getTime() };
}

/** One session's attributor and the posts it has applied. */
export class SessionAttribution {
  readonly attributor = new Attributor({ questionPostsBy: 'moderators' });
  private readonly applied = new Set<number>();
  /** The latest message time seen (for the cache's eviction). */
  lastAt = 0;

  /** Applies, in posted order, every post made at or before `at` not applied yet. */
  catchUp(posts: readonly Post[], at: number): void {
    for (const p of posts) {
      if (p.postedAt > at) break;
      if (this.applied.has(p.promptId)) continue;
      this.applied.add(p.promptId);
      if (p.kind === 'question') this.attributor.questionPosted(p.questionNumber!, p.messageId);
      else this.attributor.outroPostedNow();
    }
    this.lastAt = Math.max(this.lastAt, at);
  }

  /**
   * Rebuilt from the database: the stored messages in time order, each after the posts before
   * it, and a moderator's correction of one applied after it (corrections.ts).
   */
  static async rebuild(tx: Pick<Repositories, 'messages' | 'corrections'>, sessionId: number, posts: readonly Post[]): Promise<SessionAttribution> {
    const state = new SessionAttribution();
    const corrections = new Map((await tx.corrections.listBySession(sessionId)).map((c) => [c.messageId, c.target]));
    for (const m of await tx.messages.listBySession(sessionId)) {
      if (m.fromSelf || m.deletedAt) continue;
      state.catchUp(posts, m.postedAt?.getTime() ?? 0);
      state.attributor.ingest(toChatMessage(m));
      const corrected = corrections.get(m.id);
      if (corrected !== undefined) state.attributor.corrected(m.platformId, corrected);
    }
    return state;
  }
}

/** Sessions held at once; beyond it the least recently used is dropped (and rebuilt if needed). */
export const MAX_CACHED = 64;

/** The attributors of the sessions this process has seen messages of, least recently used first. */
export class AttributorCache {
  private readonly entries = new Map<number, SessionAttribution>();

  constructor(private readonly idleMs: number, private readonly max = MAX_CACHED) {}

  /**
   * The session's attributor caught up to `at`, built from the database on first use.
   * `posts` is readPosts' answer in the transaction the message is handled in.
   */
  async at(tx: Pick<Repositories, 'messages' | 'corrections'>, sessionId: number, posts: readonly Post[], at: Date): Promise<Attributor> {
    return (await this.session(tx, sessionId, posts, at)).attributor;
  }

  /**
   * The same, as the session's state: a batch of the ingest holds it for a run of messages
   * (stored before they are attributed), so that it is not dropped and rebuilt from rows
   * that already hold them.
   */
  async session(tx: Pick<Repositories, 'messages' | 'corrections'>, sessionId: number, posts: readonly Post[], at: Date): Promise<SessionAttribution> {
    let state = this.entries.get(sessionId);
    if (state) this.entries.delete(sessionId);
    else state = await SessionAttribution.rebuild(tx, sessionId, posts);
    this.entries.set(sessionId, state); // now the most recently used
    state.catchUp(posts, at.getTime());
    this.evict(at.getTime());
    return state;
  }

  /** Drops a session's entry (a moderator corrected one of its messages): rebuilt, corrections included, on next use. */
  forget(sessionId: number): void {
    this.entries.delete(sessionId);
  }

  /** Drops every entry (a write failed after they took in its messages): each is rebuilt on next use. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    for (const [id, state] of this.entries) {
      if (this.entries.size <= this.max && state.lastAt + this.idleMs >= now) break;
      this.entries.delete(id);
    }
  }
}

export function toChatMessage(m: StoredMessage): ChatMessage {
  return {
    id: m.platformId, author: m.authorName, moderator: m.isModerator, text: m.text,
    replyToId: m.replyToId, threadOfId: m.threadId, quote: m.quote,
  };
}
