/**
 * The SQLite implementation of the store port (better-sqlite3, the embedded default).
 *
 * better-sqlite3 is synchronous and this store has one connection, so:
 * - Each repository call runs its statements synchronously, in one go: a call never
 *   interleaves with another's statements.
 * - Transactions run one at a time (a queue). `BEGIN IMMEDIATE` is issued when a
 *   transaction's turn comes and `COMMIT` (or `ROLLBACK`, when fn throws) when its async fn
 *   settles; in between, other work on the event loop goes on.
 * - While a transaction is open, a call made outside it waits until it has ended, so it
 *   never lands inside someone else's transaction. Calls made on `tx`, or on the store
 *   itself from within the transaction's own async flow (tracked with AsyncLocalStorage),
 *   run in the transaction at once: forgetting to use `tx` inside fn cannot deadlock.
 * - `tx.transaction(fn)` nests with a SAVEPOINT: a throw undoes only the nested part. Nested
 *   transactions of one transaction must run one after another, not in parallel.
 * - Iterators read the ordered ids first, then the rows a page at a time, so other calls
 *   may run between pages (better-sqlite3 cannot run statements while a cursor is open).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../domain/clock.ts';
import { BankStore } from './bank.ts';
import { countingWrites } from './change-mark.ts';
import { ControlLogStore } from './control-log.ts';
import { NewcomerStatements, newcomerRepository, type NewcomerRepository } from './newcomers.ts';
import { CorrectionStatements, correctionRepositories, type CorrectionRepository, type ReactionRepository } from './corrections.ts';
import { openDatabase, type Db, type OpenOptions } from './db.ts';
import { MessageStore, toAnswer, toMessage, type StoredAnswer, type StoredMessage } from './messages.ts';
import type { Migration } from './migrations/index.ts';
import type {
  BankRepository, ControlLogRepository, MessageRepository, PromptRepository, Repositories, SeriesRepository,
  SessionRepository, StorePort, Transaction,
} from './port.ts';
import { PromptStore } from './prompts.ts';
import { RecapQueryStatements, recapQueryRepository, type RecapQueryRepository } from './recap-queries.ts';
import { SeriesStore } from './series.ts';
import { ScheduledEventStore, type ScheduledEventRepository } from './scheduled-events.ts';
import { checkpointInWorker, type Checkpointer } from './checkpoints.ts';
import { privacyRepositories, type PrivacyRepository } from './privacy.ts';
import { SessionStore } from './sessions.ts';

/** Rows an iterator reads per page. */
export const PAGE_SIZE = 500;

export interface SqliteStoreOptions {
  /** The schema to bring the file up to (default: every migration). */
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
  /** Told where the copy went when one was written before migrating the file (backup.ts). */
  onMigrationBackup?: OpenOptions['onMigrationBackup'];
}

interface TxContext {
  open: boolean;
  ended: Promise<void>;
  end: () => void;
  savepoints: number;
}

type Runner = <T>(fn: () => T) => Promise<T>;

/** The synchronous statements behind the repositories, prepared once per connection. */
interface Statements {
  series: SeriesStore;
  bank: BankStore;
  sessions: SessionStore;
  prompts: PromptStore;
  messages: MessageStore;
  controls: ControlLogStore;
  events: ScheduledEventStore;
  edits: { all(platformId: string): string[] };
  messageIds: { all(sessionId: number): number[] };
  messagesByIds: { all(ids: string): unknown[] };
  answerIds: { all(sessionId: number): number[] };
  answersByIds: { all(ids: string): unknown[] };
}

export class SqliteStore implements StorePort {
  readonly series: SeriesRepository;
  readonly scheduledEvents: ScheduledEventRepository;
  readonly bank: BankRepository;
  readonly sessions: SessionRepository;
  readonly prompts: PromptRepository;
  readonly messages: MessageRepository;
  readonly newcomers: NewcomerRepository;
  readonly controls: ControlLogRepository;
  readonly recap: RecapQueryRepository;
  readonly corrections: CorrectionRepository;
  readonly reactions: ReactionRepository;
  readonly privacy: PrivacyRepository;

  private readonly s: Statements;
  private readonly correctionStatements: CorrectionStatements;
  private readonly recapStatements: RecapQueryStatements;
  private readonly newcomerStatements: NewcomerStatements;
  private readonly context = new AsyncLocalStorage<TxContext>();
  private checkpointer: Checkpointer | null = null;
  private active: TxContext | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Transactions open or waiting for their turn. */
  private transactions = 0;
  /** changeMark(): own series and session writes, plus moves of data_version seen. */
  private changes = 0;
  private dataVersion = -1;
  private dataVersionStatement: { get(): number | undefined } | null = null;

  constructor(private readonly db: Db, clock: Clock) {
    this.s = {
      series: new SeriesStore(db, clock),
      bank: new BankStore(db, clock),
      sessions: new SessionStore(db, clock),
      prompts: new PromptStore(db),
      messages: new MessageStore(db),
      controls: new ControlLogStore(db),
      events: new ScheduledEventStore(db),
      edits: db.prepare<[string], string>(
        'SELECT e.old_text FROM message_edits e JOIN messages m ON m.id = e.message_id WHERE m.platform_id = ? ORDER BY e.id',
      ).pluck() as never,
      messageIds: db.prepare<[number], number>('SELECT id FROM messages WHERE session_id = ? ORDER BY posted_at, archive_index, id').pluck() as never,
      messagesByIds: db.prepare<[string]>('SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?))') as never,
      // Answers by their rowid: a message may answer several questions (one row each).
      answerIds: db.prepare<[number], number>(
        `SELECT a.rowid FROM answers a JOIN messages m ON m.id = a.message_id
         WHERE a.session_id = ? AND m.deleted_at IS NULL ORDER BY m.posted_at, m.archive_index, m.id, a.takeaway, a.question`,
      ).pluck() as never,
      answersByIds: db.prepare<[string]>(
        `SELECT a.rowid AS answer_rowid, a.*, m.author_name, m.archive_index, m.posted_at, m.platform_id, m.channel_id, m.thread_id, m.late FROM answers a JOIN messages m ON m.id = a.message_id
         WHERE a.rowid IN (SELECT value FROM json_each(?)) AND m.deleted_at IS NULL`,
      ) as never,
    };
    this.recapStatements = new RecapQueryStatements(db);
    this.newcomerStatements = new NewcomerStatements(db);
    this.correctionStatements = new CorrectionStatements(db);
    const repositories = countingWrites(this.repositories((fn) => this.outside(fn)), () => this.changes++);
    this.series = repositories.series;
    this.scheduledEvents = repositories.scheduledEvents;
    this.bank = repositories.bank;
    this.sessions = repositories.sessions;
    this.prompts = repositories.prompts;
    this.messages = repositories.messages;
    this.newcomers = repositories.newcomers;
    this.controls = repositories.controls;
    this.recap = repositories.recap;
    this.corrections = repositories.corrections;
    this.reactions = repositories.reactions;
    this.privacy = repositories.privacy;
  }

  /** Opens (creating if needed) an SQLite file, or ':memory:', with the schema brought up to date. */
  static async open(path: string, clock: Clock, { migrations, busyTimeoutMs, onMigrationBackup }: SqliteStoreOptions = {}): Promise<SqliteStore> {
    return new SqliteStore(openDatabase(path, migrations, { ...busyTimeoutMs === undefined ? {} : { busyTimeoutMs }, onMigrationBackup }), clock);
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const mine = this.context.getStore();
    if (mine && mine === this.active) return this.nested(mine, fn);
    this.transactions++;
    const turn = this.queue.then(() => this.run(fn)).finally(() => this.transactions--);
    this.queue = turn.catch(() => {});
    return turn;
  }

  async externalChangeMark(): Promise<number> {
    return this.outside(() => this.db.pragma('data_version', { simple: true }) as number);
  }

  /**
   * Own series and session writes count (countingWrites), and a move of data_version (another
   * connection committed) counts once. Read at once, even while a transaction is open: a
   * PRAGMA read on this connection cannot land in anyone's transaction.
   */
  async changeMark(): Promise<number> {
    this.assertOpen();
    const version = (this.dataVersionStatement ??= this.db.prepare<[], number>('PRAGMA data_version').pluck()).get()!;
    if (version !== this.dataVersion) {
      this.dataVersion = version;
      this.changes++;
    }
    return this.changes;
  }

  /** The bot's store: WAL checkpoints in a worker thread, off the thread that ingests (see checkpoints.ts). */
  checkpointInBackground(onError: (err: unknown) => void): void {
    this.checkpointer ??= checkpointInWorker(this.db, onError);
  }

  /** Closes at once when no transaction is open or waiting (so a caller may reopen the file right away). */
  async close(): Promise<void> {
    if (this.transactions > 0) await this.queue;
    if (this.closed) return;
    this.closed = true;
    await this.checkpointer?.stop();
    this.db.close();
  }

  /**
   * Test and benchmark helper, SQLite only (not part of the port): every row of a table, in
   * rowid order, as stored. Used to prove that a refused command wrote nothing.
   */
  async dumpTable(table: 'series' | 'sessions' | 'prompts' | 'control_log' | 'question_sets' | 'questions' | 'messages' | 'answers' | 'message_edits'): Promise<Record<string, unknown>[]> {
    return this.outside(() => this.db.prepare<[], Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY rowid`).all());
  }

  /** Benchmark helper, SQLite only: sets a PRAGMA (e.g. 'synchronous = FULL'), or checkpoints the WAL. */
  async pragma(statement: string): Promise<unknown> {
    return this.outside(() => this.db.pragma(statement));
  }

  private async run<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    let end!: () => void;
    const ctx: TxContext = { open: true, ended: new Promise<void>((resolve) => (end = resolve)), end, savepoints: 0 };
    this.db.exec('BEGIN IMMEDIATE');
    this.active = ctx;
    try {
      const result = await this.context.run(ctx, () => fn(this.bound(ctx)));
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      ctx.open = false;
      this.active = null;
      ctx.end();
    }
  }

  private async nested<T>(ctx: TxContext, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const name = `emcee_sp${++ctx.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this.bound(ctx));
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      if (ctx.open) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw err;
    }
  }

  /** The repositories of one transaction: they run at once, and fail once it has ended. */
  private bound(ctx: TxContext): Transaction {
    const inside: Runner = async (fn) => {
      if (!ctx.open) throw new Error('this transaction has ended: use the store, not a transaction kept after it');
      return fn();
    };
    return { ...countingWrites(this.repositories(inside), () => this.changes++), transaction: (fn) => this.context.run(ctx, () => this.nested(ctx, fn)) };
  }

  /** A call from outside: waits while another flow's transaction is open. */
  private async outside<T>(fn: () => T): Promise<T> {
    while (this.active && this.context.getStore() !== this.active) await this.active.ended;
    this.assertOpen();
    return fn();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  private repositories(run: Runner): Repositories {
    const { series, bank, sessions, prompts, messages, controls } = this.s;
    const s = this.s;
    return {
      series: {
        getByChannel: (g, c) => run(() => series.getByChannel(g, c)),
        saveForChannel: (input) => run(() => series.saveForChannel(input)),
        listScheduled: () => run(() => series.listScheduled()),
        get: (id) => run(() => series.get(id)),
        list: () => run(() => series.list()),
        findOrCreateForArchive: (tag) => run(() => series.findOrCreateForArchive(tag)),
      },
      bank: {
        get: (id, viewer) => run(() => bank.get(id, viewer)),
        findBySourceHash: (hash) => run(() => bank.findBySourceHash(hash)),
        list: (viewer) => run(() => bank.list(viewer)),
        setShared: (ids) => run(() => bank.setShared(ids)),
        adoptImported: (setId, guildId, justImported) => run(() => bank.adoptImported(setId, guildId, justImported)),
        create: (set) => run(() => bank.create(set)),
      },
      sessions: {
        get: (id) => run(() => sessions.get(id)),
        findBySourceHash: (hash) => run(() => sessions.findBySourceHash(hash)),
        listBySeries: (id) => run(() => sessions.listBySeries(id)),
        create: (x) => run(() => sessions.create(x)),
        listActive: (shards) => run(() => sessions.listActive(shards)),
        latestFinished: () => run(() => sessions.latestFinished()),
        collectingIn: (c, since) => run(() => sessions.collectingIn(c, since)),
        listCollecting: (since, shards) => run(() => sessions.listCollecting(since, shards)),
        findOccurrence: (id, at) => run(() => sessions.findOccurrence(id, at)),
        listInChannel: (c) => run(() => sessions.listInChannel(c)),
        replan: (id, at, set) => run(() => sessions.replan(id, at, set)),
        setState: (id, state, at) => run(() => sessions.setState(id, state, at)),
        recapsDue: (since, now, shards) => run(() => sessions.recapsDue(since, now, shards)),
        claimRecap: (id, owner, lease, now) => run(() => sessions.claimRecap(id, owner, lease, now)),
        recapPosted: (id, owner, m, at) => run(() => sessions.recapPosted(id, owner, m, at)),
      },
      prompts: {
        listBySession: (id) => run(() => prompts.listBySession(id)),
        get: (id) => run(() => prompts.get(id)),
        listDue: (now, shards) => run(() => prompts.listDue(now, shards)),
        nextDueAfter: (after, shards) => run(() => prompts.nextDueAfter(after, shards)),
        claim: (id, owner, lease, now) => run(() => prompts.claim(id, owner, lease, now)),
        markPosting: (id, nonce, owner) => run(() => prompts.markPosting(id, nonce, owner)),
        markPosted: (id, m, at, late, owner) => run(() => prompts.markPosted(id, m, at, late, owner)),
        markSkipped: (id, r, owner) => run(() => prompts.markSkipped(id, r, owner)),
        markFailed: (id, r, owner) => run(() => prompts.markFailed(id, r, owner)),
        retryLater: (id, at, owner) => run(() => prompts.retryLater(id, at, owner)),
        attemptFailed: (id, at, owner) => run(() => prompts.attemptFailed(id, at, owner)),
        reschedule: (id, at) => run(() => prompts.reschedule(id, at)),
        setText: (id, t) => run(() => prompts.setText(id, t)),
        create: (p) => run(() => prompts.create(p)),
      },
      messages: {
        ingest: (m) => run(() => messages.ingest(m)),
        get: (id) => run(() => messages.get(id)),
        ingestMany: (ms) => run(() => ms.map((m) => messages.ingest(m))),
        recordAttributions: (pairs) => run(() => {
          for (const [m, a] of pairs) messages.recordAttribution(m, a);
        }),
        lastSeenId: (sid, c, t) => run(() => messages.lastSeenId(sid, c, t)),
        listBySession: (sid) => run(() => messages.listBySession(sid)),
        count: (sid) => run(() => messages.count(sid)),
        edit: (id, text, at) => run(() => messages.edit(id, text, at)),
        previousTexts: (id) => run(() => s.edits.all(id)),
        delete: (id, at) => run(() => messages.delete(id, at)),
        recordAttribution: (m, a) => run(() => messages.recordAttribution(m, a)),
        iterate: (sid) => paged(run, () => s.messageIds.all(sid), (ids) => s.messagesByIds.all(ids), (row) => {
          const m = toMessage(row as never);
          return [m.id, m] as const;
        }),
        iterateAnswers: (sid, { inferred = false } = {}) =>
          filter(paged(run, () => s.answerIds.all(sid), (ids) => s.answersByIds.all(ids), (row) => {
            const a = toAnswer(row as never);
            return [(row as { answer_rowid: number }).answer_rowid, a] as const;
          }), (a: StoredAnswer) => inferred || a.via !== 'inferred'),
        authorsBefore: (id, before) => run(() => messages.authorsBefore(id, before)),
        answers: (sid, options) => run(() => messages.answers(sid, options)),
      },
      newcomers: newcomerRepository(this.newcomerStatements, run),
      scheduledEvents: {
        get: (id) => run(() => s.events.get(id)),
        begin: (id, guild, marker, at) => run(() => s.events.begin(id, guild, marker, at)),
        update: (id, change, at) => run(() => s.events.update(id, change, at)),
        listOpen: () => run(() => s.events.listOpen()),
      },
      controls: {
        record: (sid, action, actor, at, details) => run(() => controls.record(sid, action, actor, at, details)),
        list: (sid) => run(() => controls.list(sid)),
      },
      recap: recapQueryRepository(this.recapStatements, run),
      ...correctionRepositories(this.correctionStatements, run),
      ...privacyRepositories(this.db, run),
    };
  }
}

/**
 * Reads the ordered ids in one query, then the rows a page at a time, yielded in that order.
 * A row gone from the query's view between pages (a message deleted meanwhile) is left out.
 */
async function* paged<T extends StoredMessage | StoredAnswer>(
  run: Runner,
  ids: () => number[],
  rows: (ids: string) => unknown[],
  key: (row: unknown) => readonly [number, T],
): AsyncGenerator<T> {
  const order = await run(ids);
  for (let i = 0; i < order.length; i += PAGE_SIZE) {
    const page = order.slice(i, i + PAGE_SIZE);
    const found = new Map(await run(() => rows(JSON.stringify(page)).map(key)));
    for (const id of page) {
      const item = found.get(id);
      if (item) yield item;
    }
  }
}

async function* filter<T>(items: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of items) if (keep(item)) yield item;
}

/** The embedded default: an SQLite file (or ':memory:'), migrated on open. */
export function openSqliteStore(path: string, clock: Clock, options?: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(path, clock, options);
}
