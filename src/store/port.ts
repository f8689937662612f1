/**
 * The store as a port: what the rest of Emcee may ask of the database. Every method returns
 * a Promise, exports are async iterators, and transactions are explicit:
 *
 *   await store.transaction(async (tx) => { await tx.sessions.create(…); await tx.prompts.create(…); });
 *
 * `tx` offers the same repositories, bound to the transaction: all of their writes land, or
 * none (a throw rolls it back). Nothing here names a database engine, a connection or SQL;
 * the SQLite implementation (src/store/sqlite.ts) is the embedded default, and the contract
 * suite in test/store/contract.ts is what any other implementation must pass.
 */
import type { Attribution } from '../domain/attribution.ts';
import type { NewcomerRepository } from './newcomers.ts';
import type { BankViewer, NewQuestionSet, QuestionSet } from './bank.ts';
import type { ControlEntry } from './control-log.ts';
import type { CorrectionRepository, ReactionRepository } from './corrections.ts';
import type { NewMessage, StoredAnswer, StoredMessage } from './messages.ts';
import type { NewPrompt, Prompt } from './prompts.ts';
import type { PrivacyRepository } from './privacy.ts';
import type { RecapQueryRepository } from './recap-queries.ts';
import type { ScheduledEventRepository } from './scheduled-events.ts';
import type { Series, SeriesInput } from '../domain/series.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { NewSession, Session, SessionState } from './sessions.ts';

export type { BankViewer, NewQuestionSet, QuestionSet } from './bank.ts';
export type { ControlEntry } from './control-log.ts';
export type { Correction, CorrectionRepository, ReactedAnswer, Reaction, ReactionRepository } from './corrections.ts';
export type { AnswerVia, NewMessage, StoredAnswer, StoredMessage } from './messages.ts';
export type { NewPrompt, Prompt, PromptKind, PromptState } from './prompts.ts';
export type { ForgetCounts, PrivacyRepository } from './privacy.ts';
export type { RecapAnswerCounts, RecapMessageCounts, RecapQueryRepository } from './recap-queries.ts';
export type { ScheduledEventRepository, SessionEvent, SessionEventChange, SessionEventState } from './scheduled-events.ts';
export type { Series, SeriesInput } from '../domain/series.ts';
export type { NewSession, Session, SessionState } from './sessions.ts';
export type { ShardSet } from '../domain/shard.ts';

export interface SeriesRepository {
  /** The series of a channel (one per channel). */
  getByChannel(guildId: string, channelId: string): Promise<Series | null>;
  /** Creates the channel's series, or updates it in place (same id, sessions kept). */
  saveForChannel(input: SeriesInput): Promise<Series>;
  /** Series with a recurring schedule and a channel, by id. */
  listScheduled(): Promise<Series[]>;
  get(id: number): Promise<Series | null>;
  /** Every series, by id. */
  list(): Promise<Series[]>;
  /** The series archives with this tag are imported into (tags compare case-insensitively). */
  findOrCreateForArchive(tag: string): Promise<Series>;
}

export interface BankRepository {
  /** A set by id; with a viewer, null unless that viewer may see it (exactly as for an unknown id). */
  get(id: number, viewer?: BankViewer): Promise<QuestionSet | null>;
  findBySourceHash(hash: string): Promise<QuestionSet | null>;
  /** Every set a viewer may see (null: the operator, every set), by id, with its questions. */
  list(viewer?: BankViewer): Promise<QuestionSet[]>;
  /** Shares operator sets with every server; a server's own set is left as it is. Returns how many changed. */
  setShared(ids: number[]): Promise<number>;
  /** The set a server gets for an archive it imported (see BankStore.adoptImported). */
  adoptImported(setId: number, guildId: string, justImported: boolean): Promise<{ set: QuestionSet; copied: boolean }>;
  /** A set and its questions, in one write. */
  create(set: NewQuestionSet): Promise<QuestionSet>;
}

export interface SessionRepository {
  get(id: number): Promise<Session | null>;
  findBySourceHash(hash: string): Promise<Session | null>;
  /** A series' sessions, by start. */
  listBySeries(seriesId: number): Promise<Session[]>;
  /** A new session; its guild is its series' guild. */
  create(s: NewSession): Promise<Session>;
  /** Sessions not over yet (planned, running or paused), soonest first; with shards, only their guilds' (src/domain/shard.ts). */
  listActive(shards?: ShardSet | null): Promise<Session[]>;
  /** The session that finished most recently (by start), live or imported. */
  latestFinished(): Promise<Session | null>;
  /** The session a channel's messages go to: running or paused, else one ended since `endedSince`. */
  collectingIn(channelId: string, endedSince: Date): Promise<Session | null>;
  /** Live sessions that collect messages: running, paused, or ended since `endedSince`; with shards, only their guilds'. */
  listCollecting(endedSince: Date, shards?: ShardSet | null): Promise<Session[]>;
  /** The live session of a series that starts at exactly this instant. */
  findOccurrence(seriesId: number, startsAt: Date): Promise<Session | null>;
  /** Live sessions of a channel, newest first. */
  listInChannel(channelId: string): Promise<Session[]>;
  /** A planned session re-planned: its start (its occurrence) and question set. */
  replan(id: number, startsAt: Date, questionSetId: number | null): Promise<Session>;
  setState(id: number, state: SessionState, at?: { endedAt?: Date | null; pausedAt?: Date | null }): Promise<Session>;
  /**
   * Claims the post of a session's recap for owner until leaseUntil, so that one process
   * posts it: the session, or null when the recap is posted already or another owner's
   * lease has not expired by `now`. The same owner may claim again (renewing its lease).
   */
  claimRecap(id: number, owner: string, leaseUntil: Date, now: Date): Promise<Session | null>;
  /**
   * Live sessions that ended since `endedSince` and whose recap is not posted and not
   * claimed under a lease still running at `now` (never claimed: the process that ended the
   * session died first; or its claimant's lease ran out): the recaps to catch up on, oldest
   * end first; with shards, only their guilds'.
   */
  recapsDue(endedSince: Date, now: Date, shards?: ShardSet | null): Promise<Session[]>;
  /** Records the recap's post; false (nothing written) unless owner still holds the claim. */
  recapPosted(id: number, owner: string, messageId: string, at: Date): Promise<boolean>;
}

export interface PromptRepository {
  /** A session's prompts, by planned time. */
  listBySession(sessionId: number): Promise<Prompt[]>;
  get(id: number): Promise<Prompt | null>;
  /**
   * Open prompts (planned, or posting with an outcome not yet known) planned at or before
   * `now`, of sessions that are planned or running (not paused, not over), by planned time,
   * each with its session's guildId; with shards, only their guilds'. What the engine has
   * to act on: an indexed read by time, whose cost does not grow with the finished or
   * far-future prompts in the database.
   */
  listDue(now: Date, shards?: ShardSet | null): Promise<Prompt[]>;
  /** The earliest planned time after `after` of such an open prompt (the engine's next wake-up), or null. */
  nextDueAfter(after: Date, shards?: ShardSet | null): Promise<Date | null>;
  /**
   * Claims an open (planned or posting) prompt for owner until leaseUntil, before acting on
   * it (posting, reconciling, skipping): one conditional update, so of several processes
   * only one wins. Returns the prompt as claimed (its state tells whether an earlier post's
   * outcome is unknown), or null: settled, or another owner's lease has not ended by
   * `now` (it ends at its leaseUntil). The same owner may claim again (renewing its lease).
   *
   * Fencing: the writes below take the claimant as `owner`; given, they change nothing
   * (and return false) unless owner still holds the claim, so a process whose lease
   * expired and was taken over cannot overwrite the new claimant's result. Without an
   * owner (moderator controls) they write unconditionally, as before.
   */
  claim(id: number, owner: string, leaseUntil: Date, now: Date): Promise<Prompt | null>;
  /** Written before the post is sent: if the process dies now, the outcome is "unknown". Counts an attempt. */
  markPosting(id: number, nonce: string, owner?: string): Promise<boolean>;
  markPosted(id: number, messageId: string, postedAt: Date, late: boolean, owner?: string): Promise<boolean>;
  markSkipped(id: number, reason: string, owner?: string): Promise<boolean>;
  markFailed(id: number, reason: string, owner?: string): Promise<boolean>;
  retryLater(id: number, at: Date, owner?: string): Promise<boolean>;
  /** Counts a try that failed before anything was sent, and when to try again (null: not again). */
  attemptFailed(id: number, nextAttemptAt: Date | null, owner?: string): Promise<boolean>;
  reschedule(id: number, plannedAt: Date): Promise<void>;
  setText(id: number, text: string): Promise<void>;
  create(p: NewPrompt): Promise<Prompt>;
}

export interface MessageRepository {
  /** Stores a message once: the same platform id again changes nothing (and says so). */
  ingest(m: NewMessage): Promise<{ message: StoredMessage; inserted: boolean }>;
  get(platformId: string): Promise<StoredMessage | null>;
  /**
   * ingest for each message, in order, in one call (the ingest's group commit): the same
   * platform id twice stores the first and says the second was seen before.
   */
  ingestMany(ms: readonly NewMessage[]): Promise<{ message: StoredMessage; inserted: boolean }[]>;
  /** recordAttribution for each pair, in order, in one call: a later pair for the same message wins. */
  recordAttributions(pairs: readonly (readonly [StoredMessage, Attribution])[]): Promise<void>;
  /** The newest platform id seen in a session's channel (threadId null) or one of its threads. */
  lastSeenId(sessionId: number, channelId: string, threadId: string | null): Promise<string | null>;
  /** Every message of a session, oldest first. */
  listBySession(sessionId: number): Promise<StoredMessage[]>;
  count(sessionId: number): Promise<number>;
  /** Records a new text, keeping the old one; an edit that changes nothing is ignored. */
  edit(platformId: string, text: string, at: Date): Promise<StoredMessage | null>;
  /** The texts a message had before its edits, oldest first. */
  previousTexts(platformId: string): Promise<string[]>;
  /** Marks a message deleted (kept, left out of answers); false when unknown or already deleted. */
  delete(platformId: string, at: Date): Promise<boolean>;
  /** Stores what a message answers, replacing an earlier attribution; any other kind removes it. */
  recordAttribution(message: StoredMessage, a: Attribution): Promise<void>;
  /** Every message of a session, oldest first, a page at a time (flat memory for huge sessions). */
  iterate(sessionId: number): AsyncIterable<StoredMessage>;
  /** Answers of a session in chat order, deleted messages left out, a page at a time. */
  iterateAnswers(sessionId: number, options?: { inferred?: boolean }): AsyncIterable<StoredAnswer>;
  /** Authors of the series' sessions that started before `before` (who is returning). */
  authorsBefore(seriesId: number, before: Date): Promise<Set<string>>;
  /** Answers of a session in chat order, deleted messages left out. */
  answers(sessionId: number, options?: { inferred?: boolean }): Promise<StoredAnswer[]>;
}

export interface ControlLogRepository {
  record(sessionId: number, action: string, actor: string, at: Date, details?: Record<string, unknown>): Promise<ControlEntry>;
  /** A session's controls, oldest first. */
  list(sessionId: number): Promise<ControlEntry[]>;
}

export interface Repositories {
  series: SeriesRepository;
  bank: BankRepository;
  sessions: SessionRepository;
  prompts: PromptRepository;
  messages: MessageRepository;
  /** A session's first-timers and whether anyone replied to them (issue 15, /chat status). */
  newcomers: NewcomerRepository;
  controls: ControlLogRepository;
  /** Each session's Scheduled Event (issue 14). */
  scheduledEvents: ScheduledEventRepository;
  /** What recaps read: counts by the database, and each question's answers as a stream. */
  recap: RecapQueryRepository;
  /** Moderators' corrections of what a message is (issue 14). */
  corrections: CorrectionRepository;
  /** Reactions on session messages (issue 14). */
  reactions: ReactionRepository;
  /** Forget-me: a participant's stored text erased (issue 15). */
  privacy: PrivacyRepository;
}

/** The repositories bound to one open transaction. */
export interface Transaction extends Repositories {
  /** Nested: runs inside this transaction; a throw undoes only the nested part (a savepoint). */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

/** The store or an open transaction: what code that may run in either takes. */
export type StoreScope = Repositories & { transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> };

export interface StorePort extends Repositories {
  /**
   * Runs fn in one transaction: all of its writes land, or none (fn throws: rolled back, and
   * the error passes through). Transactions run one at a time.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * A number that moves when another process commits a change (the CLI next to the bot);
   * the bot polls it to look again. Changes made through this store may or may not move it.
   */
  externalChangeMark(): Promise<number>;
  /**
   * A number that moves whenever a series, a session or a session's posts may have changed:
   * another process committed (as externalChangeMark), or this store saved a series,
   * created, re-planned or set the state of a session, or marked a prompt posted (see
   * change-mark.ts). Caches of which series or session owns a channel, and of a session's
   * posts (the ingest's), are keyed on it. Cheap: it reads no table.
   */
  changeMark(): Promise<number>;
  /**
   * For a long-running process (the bot): moves housekeeping that would otherwise stall a
   * commit off the calling thread (SQLite: WAL checkpoints in a worker). Stores without such
   * work leave it out.
   */
  checkpointInBackground?(onError: (err: unknown) => void): void;
  /** Waits for the transaction in progress, then closes. Calls after close fail. */
  close(): Promise<void>;
}
