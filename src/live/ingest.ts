import type { Attribution } from '../domain/attribution.ts';
import type { Logger } from '../logger.ts';
import type { StorePort } from '../store/port.ts';
import { AttributorCache, type Post } from './attributors.ts';
import { applyBatch, type IngestEvent, type Outcome } from './ingest-batch.ts';
import { MarkCache } from './mark-cache.ts';
import type { Session } from '../store/port.ts';
import { noTelemetry, type Telemetry, type TelemetryDeps } from './telemetry.ts';
import { realTimers } from './timers.ts';

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
  /** The session's server (null for a session without one). */
  guildId: string | null;
  inserted: boolean;
  late: boolean;
  attribution: Attribution | null;
}

export interface IngestDeps extends TelemetryDeps {
  store: StorePort;
  log: Logger;
  /** After a session closes, its channel's messages still count (flagged late) this long. */
  lateWindowMs?: number;
  /** Group commit: at most this many events in one transaction (default MAX_BATCH). */
  maxBatch?: number;
  /**
   * Group commit: how long (real time) an idle pipeline waits for more events after the
   * first one before it writes. Default 0: until the end of the event-loop turn, so that
   * what arrives together is written together and a lone message waits for nothing.
   */
  maxWaitMs?: number;
}

export const DEFAULT_LATE_WINDOW_MS = 24 * 60 * 60_000;
export const MAX_BATCH = 256;

/**
 * Events (creates, edits, deletes) go through one ordered pipeline, in the order they are
 * handed over: the attributor of a session is in-memory state that each message changes, so
 * two messages are never attributed concurrently, and an edit never overtakes its create.
 *
 * Group commit: the events that arrive while a batch is being written (or, when the pipeline
 * is idle, within one event-loop turn or maxWaitMs) are written in ONE store transaction, at
 * most maxBatch of them (ingest-batch.ts: the session's posts read once per batch, the
 * messages stored and their attributions recorded a run at a time). An event's promise
 * settles only after its transaction has committed, so whatever awaits it (the listeners,
 * backfill, the tests; its log line) sees its row in the database. A crash before the commit
 * loses nothing that backfill does not fetch again at the next start.
 *
 * A failed batch is retried event by event, each in its own transaction, so that one bad
 * message fails alone (its promise rejects with its error) and the others are stored. The
 * attributors are rebuilt from the database after a failure (they had run ahead of it).
 */
export class LiveIngest {
  private readonly attributors: AttributorCache;
  /** Which session collects a channel's messages, per channel (see mark-cache.ts). */
  private readonly sessions: MarkCache<{ since: number; session: Session | null }>;
  /** Each session's posts (what the attribution applies), on the same mark. */
  private readonly posts: MarkCache<Post[]>;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private pending: IngestEvent[] = [];
  private writing = false;
  private scheduled: 'turn' | 'timer' | null = null;
  private timer: unknown = null;
  private readonly telemetry: Telemetry;

  constructor(private readonly deps: IngestDeps) {
    this.telemetry = deps.telemetry ?? noTelemetry;
    this.attributors = new AttributorCache(deps.lateWindowMs ?? DEFAULT_LATE_WINDOW_MS);
    this.sessions = new MarkCache(() => deps.store.changeMark());
    this.posts = new MarkCache(() => deps.store.changeMark());
    this.maxBatch = Math.max(1, deps.maxBatch ?? MAX_BATCH);
    this.maxWaitMs = Math.max(0, deps.maxWaitMs ?? 0);
  }

  /** Stores and attributes a new message; null when no session owns the channel. */
  messageCreated(m: IncomingMessage): Promise<IngestResult | null> {
    return this.enqueue<IngestResult | null>((done) => ({ kind: 'create', m, done }));
  }

  /**
   * An edit: the new text is stored (the old one kept) and the attribution re-run. Null when
   * the message is unknown (or the bot's own); with `orCreate`, an unknown message (posted
   * while the bot was away) is taken in whole instead, in the same turn of the pipeline.
   */
  messageUpdated(id: string, text: string, at: Date, orCreate: IncomingMessage | null = null): Promise<Attribution | null> {
    return this.enqueue<Attribution | null>((done) => ({ kind: 'edit', id, text, at, orCreate, done }));
  }

  /** A delete: the message stays as a tombstone, hidden from recaps and exports. */
  messageDeleted(id: string, at: Date): Promise<boolean> {
    return this.enqueue<boolean>((done) => ({ kind: 'delete', id, at, done }));
  }

  /**
   * A moderator corrected a message of the session (corrections.ts): its attribution is
   * rebuilt from the database on its next message, so replies follow the correction. After
   * the events handed over so far, so that no batch in flight keeps the old reading.
   */
  async corrected(sessionId: number): Promise<void> {
    await this.whenIdle();
    this.attributors.forget(sessionId);
  }

  /** Resolves once every event handed over so far is handled (committed). */
  whenIdle(): Promise<void> {
    return this.enqueue<void>((done) => ({ kind: 'idle', done }));
  }

  private enqueue<T>(event: (done: { resolve(v: T): void; reject(err: unknown): void }) => IngestEvent): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push(event({ resolve, reject }));
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing) return; // the writer takes what is pending when its batch has committed
    if (this.scheduled === 'timer' && this.pending.length >= this.maxBatch) {
      realTimers.clearTimeout(this.timer);
      this.scheduled = null;
    }
    if (this.scheduled) return;
    if (this.maxWaitMs > 0 && this.pending.length < this.maxBatch) {
      this.scheduled = 'timer';
      this.timer = realTimers.setTimeout(() => void this.drain(), this.maxWaitMs);
    } else {
      this.scheduled = 'turn';
      setImmediate(() => void this.drain());
    }
  }

  /** Writes batches until nothing is pending; events that arrive meanwhile join the next batch. */
  private async drain(): Promise<void> {
    if (this.writing) return;
    this.scheduled = null;
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.length <= this.maxBatch ? this.pending : this.pending.slice(0, this.maxBatch);
        this.pending = batch === this.pending ? [] : this.pending.slice(this.maxBatch);
        await this.write(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  /** One batch in one transaction, then each event's promise settled in order; on failure, each alone. */
  private async write(batch: IngestEvent[]): Promise<void> {
    const { store, log } = this.deps;
    let outcomes: Outcome[];
    const timed = this.telemetry.ingestCommitTimer();
    try {
      outcomes = await store.transaction(async (tx) => {
        const mark = await store.changeMark();
        this.sessions.saw(mark);
        this.posts.saw(mark);
        return applyBatch(tx, batch, {
          attributors: this.attributors, sessions: this.sessions, posts: this.posts, lateWindowMs: this.deps.lateWindowMs ?? DEFAULT_LATE_WINDOW_MS,
        });
      });
      timed();
    } catch (err) {
      // The attributors took in messages that were rolled back: rebuilt from the database.
      this.attributors.clear();
      this.sessions.clear();
      this.posts.clear();
      if (batch.length === 1) {
        batch[0]!.done.reject(err);
        return;
      }
      log.warn({ err, events: batch.length }, 'a batch of messages failed to be stored: storing them one by one');
      for (const event of batch) await this.write([event]);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      const outcome = outcomes[i];
      if (event.kind === 'create' && outcome && (outcome as IngestResult).attribution) {
        const { sessionId, guildId, inserted, attribution } = outcome as IngestResult;
        log.debug({ sessionId, messageId: event.m.id, attribution }, 'message attributed');
        if (inserted) this.counted(guildId, attribution!);
      }
      (event.done.resolve as (v: Outcome) => void)(outcome);
    }
  }

  /** A new participant's message, committed: counted, with its answer (the answers table's via) if it is one. */
  private counted(guildId: string | null, attribution: Attribution): void {
    this.telemetry.ingested(1, guildId);
    if (attribution.kind === 'answer') this.telemetry.answers(attribution.via, 1, guildId);
    else if (attribution.kind === 'inferred') this.telemetry.answers('inferred', 1, guildId);
  }
}
