import type { Attribution } from '../domain/attribution.ts';
import type { AnswerTarget } from '../domain/labels.ts';
import type { NewMessage, Session, StoredMessage, Transaction } from '../store/port.ts';
import { correctedAttribution } from './corrections.ts';
import { readPosts, toChatMessage, type AttributorCache, type Post, type SessionAttribution } from './attributors.ts';
import type { IncomingMessage, IngestResult } from './ingest.ts';
import type { MarkCache } from './mark-cache.ts';

/**
 * One batch of the ingest's group commit (see LiveIngest), applied inside its transaction:
 * the events in the order they came. Consecutive creates form a run: their sessions are
 * looked up (cached on the store's change mark), their attributors made ready before any of
 * them is stored (a rebuild from the database must not read them and take them for their
 * own repeats), the run stored in one call (ingestMany), attributed in order in memory and
 * its attributions recorded in one call. An edit or a delete ends a run, so it acts on what
 * came before it. A session's posts are read once per batch, not per message (at its start:
 * a post committed meanwhile is applied from the next batch on, as for a message that
 * arrived just before it), and kept for the batches after it while the store's change mark
 * stays put (a post marked posted moves it, here or in another process): a batch then reads
 * nothing but what it writes (on PostgreSQL, a round trip less per batch).
 */

interface Settle<T> {
  resolve(value: T): void;
  reject(err: unknown): void;
}

export type IngestEvent =
  | { kind: 'create'; m: IncomingMessage; done: Settle<IngestResult | null> }
  | { kind: 'edit'; id: string; text: string; at: Date; orCreate: IncomingMessage | null; done: Settle<Attribution | null> }
  | { kind: 'delete'; id: string; at: Date; done: Settle<boolean> }
  | { kind: 'idle'; done: Settle<void> };

export type Outcome = IngestResult | Attribution | boolean | null | undefined;

export interface BatchDeps {
  attributors: AttributorCache;
  sessions: MarkCache<{ since: number; session: Session | null }>;
  /** Each session's posts (readPosts), by session id, on the same mark. */
  posts: MarkCache<Post[]>;
  lateWindowMs: number;
}

/** Sessions whose attributors one run holds at most (a run with more is split). */
const RUN_SESSIONS = 16;

export async function applyBatch(tx: Transaction, batch: readonly IngestEvent[], deps: BatchDeps): Promise<Outcome[]> {
  const b = new Batch(tx, deps);
  const out: Outcome[] = new Array(batch.length);
  let i = 0;
  while (i < batch.length) {
    const event = batch[i]!;
    if (event.kind === 'create') {
      let j = i;
      while (j < batch.length && batch[j]!.kind === 'create') j++;
      const run = await b.create(batch.slice(i, j).map((e) => (e as Extract<IngestEvent, { kind: 'create' }>).m));
      for (let k = 0; k < run.length; k++) out[i + k] = run[k];
      i = j;
      continue;
    }
    if (event.kind === 'edit') out[i] = await b.edit(event.id, event.text, event.at, event.orCreate);
    else if (event.kind === 'delete') out[i] = await tx.messages.delete(event.id, event.at);
    i++;
  }
  return out;
}

class Batch {
  constructor(private readonly tx: Transaction, private readonly deps: BatchDeps) {}

  /** Stores and attributes a run of new messages; each one's result (null: no session owns its channel). */
  async create(ms: readonly IncomingMessage[]): Promise<(IngestResult | null)[]> {
    const out: (IngestResult | null)[] = new Array(ms.length).fill(null);
    let from = 0;
    while (from < ms.length) {
      // The sessions of the run, and where it ends: at RUN_SESSIONS distinct sessions.
      const rows: { k: number; session: Session; late: boolean }[] = [];
      const held = new Map<number, SessionAttribution>();
      let k = from;
      for (; k < ms.length; k++) {
        const m = ms[k]!;
        const session = await this.sessionFor(m.channelId, m.at);
        if (!session) continue;
        if (!m.fromSelf && !held.has(session.id)) {
          if (held.size === RUN_SESSIONS) break;
          // Ready (built from the database if need be) before any message of the run is stored.
          held.set(session.id, await this.deps.attributors.session(this.tx, session.id, await this.postsOf(session.id), m.at));
        }
        rows.push({ k, session, late: session.state === 'ended' && session.endedAt !== null && m.at > session.endedAt });
      }
      from = k;
      if (rows.length === 0) continue;
      const stored = await this.tx.messages.ingestMany(rows.map(({ k, session, late }) => newMessage(ms[k]!, session.id, late)));
      const attributions: [StoredMessage, Attribution][] = [];
      for (let r = 0; r < rows.length; r++) {
        const { k, session, late } = rows[r]!;
        const m = ms[k]!;
        const { message, inserted } = stored[r]!;
        let attribution: Attribution | null = null;
        // Seen before (gateway replay, backfill): already attributed, nothing changes.
        if (inserted && !m.fromSelf) {
          const state = held.get(session.id)!;
          state.catchUp(this.deps.posts.get(String(session.id))!, m.at.getTime());
          attribution = state.attributor.ingest(toChatMessage(message));
          attributions.push([message, attribution]);
        }
        out[k] = { sessionId: session.id, guildId: session.guildId, inserted, late, attribution };
      }
      if (attributions.length > 0) await this.tx.messages.recordAttributions(attributions);
    }
    return out;
  }

  /** An edit: the new text stored and the attribution re-run; an unknown message taken in whole with orCreate. */
  async edit(id: string, text: string, at: Date, orCreate: IncomingMessage | null): Promise<Attribution | null> {
    const message = await this.tx.messages.edit(id, text, at);
    if (!message) return orCreate ? ((await this.create([orCreate]))[0]?.attribution ?? null) : null;
    if (message.fromSelf) return null;
    // A moderator's correction outlives edits: the grammar is not asked again (one keyed read, edits only).
    const correction = await this.tx.corrections.get(message.id);
    if (correction) return this.keepCorrection(message, correction.target);
    const attributor = await this.deps.attributors.at(this.tx, message.sessionId, await this.postsOf(message.sessionId), at);
    const attribution = attributor.reattribute(toChatMessage(message));
    await this.tx.messages.recordAttribution(message, attribution);
    return attribution;
  }

  /** A corrected message's attribution after an edit: the correction's, with the new text. */
  private async keepCorrection(message: StoredMessage, target: AnswerTarget | null): Promise<Attribution> {
    const attribution = correctedAttribution(target, message.text);
    await this.tx.messages.recordAttribution(message, attribution);
    return attribution;
  }

  private async postsOf(sessionId: number): Promise<Post[]> {
    const key = String(sessionId);
    let posts = this.deps.posts.get(key);
    if (!posts) this.deps.posts.set(key, (posts = await readPosts(this.tx, sessionId)));
    return posts;
  }

  /**
   * The running or paused session of the channel, else one that closed recently (an ended
   * session takes only messages written within the late window after its end), cached per
   * channel while the store's change mark stays put.
   */
  private async sessionFor(channelId: string, at: Date): Promise<Session | null> {
    const since = at.getTime() - this.deps.lateWindowMs;
    const cached = this.deps.sessions.get(channelId);
    if (cached) {
      const s = cached.session;
      // Still the answer for this time: nothing was found from an earlier instant on; a
      // session still collecting; an ended session whose end is in the window.
      if (s === null ? since >= cached.since : s.state !== 'ended' || (s.endedAt !== null && s.endedAt.getTime() >= since)) return s;
    }
    const session = await this.tx.sessions.collectingIn(channelId, new Date(since));
    this.deps.sessions.set(channelId, { since, session });
    return session;
  }
}

function newMessage(m: IncomingMessage, sessionId: number, late: boolean): NewMessage {
  return {
    sessionId, platformId: m.id, channelId: m.channelId, threadId: m.threadId, authorId: m.authorId,
    authorName: m.authorName, isModerator: m.moderator, postedAt: m.at, text: m.text, replyToId: m.replyToId,
    inReplyTo: [], quote: m.quote ?? null, archiveIndex: null, late, fromSelf: m.fromSelf,
  };
}
