/**
 * The PostgreSQL implementation of the store port, with the SQLite store's semantics
 * (src/store/sqlite.ts), so that code above the port cannot tell them apart:
 * - Work runs one call at a time, in the order asked, each on a session taken from the
 *   pool for its turn: a call never interleaves with another's statements. (Processes, not
 *   one store's calls, are what run side by side against one server.)
 * - Transactions run one at a time too: `BEGIN` when a transaction's turn comes, `COMMIT`
 *   (or `ROLLBACK`, when fn throws) when its async fn settles, all on one pooled session.
 * - While a transaction is open, a call made outside it waits until it has ended. Calls made
 *   on `tx`, or on the store itself from within the transaction's own async flow (tracked
 *   with AsyncLocalStorage), run in the transaction at once, one after another.
 * - `tx.transaction(fn)` nests with a SAVEPOINT: a throw undoes only the nested part.
 * - A repository call of several statements (a question set and its questions, an edit)
 *   runs in a transaction of its own, or in a savepoint inside the open one.
 * - Iterators page in chat order by keyset, a call per page (see messages.ts).
 * - externalChangeMark() counts the change notifications of this schema (LISTEN; the tables
 *   NOTIFY on commit, see migrations/001_initial.ts); a lost listening session moves it too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../domain/clock.ts';
import { countingWrites } from '../change-mark.ts';
import type { Migration } from '../migrations/index.ts';
import type {
  BankRepository, ControlLogRepository, MessageRepository, PromptRepository, Repositories, SeriesRepository,
  SessionRepository, StorePort, Transaction,
} from '../port.ts';
import { bankRepository, seriesRepository } from './catalog.ts';
import type { Connection, Driver, Listener } from './driver.ts';
import { messageRepository } from './messages.ts';
import { correctionRepositories } from './corrections.ts';
import { newcomerRepository } from './newcomers.ts';
import type { NewcomerRepository } from '../newcomers.ts';
import type { CorrectionRepository, ReactionRepository } from '../corrections.ts';
import { migrate } from './migrations/index.ts';
import type { RecapQueryRepository } from '../recap-queries.ts';
import { recapQueryRepository } from './recap-queries.ts';
import type { Db, Run } from './run.ts';
import { controlLogRepository, promptRepository, sessionRepository } from './sessions.ts';
import { scheduledEventRepository } from './scheduled-events.ts';
import type { ScheduledEventRepository } from '../scheduled-events.ts';
import { privacyRepositories } from './privacy.ts';
import type { PrivacyRepository } from '../privacy.ts';

export const CHANGES_CHANNEL = 'emcee_changes';

interface TxContext {
  open: boolean;
  conn: Connection;
  savepoints: number;
  /** The calls of this transaction, one after another. */
  calls: Promise<unknown>;
  /** The statements failed with the session lost: discard it. */
  broken: boolean;
}

export interface PostgresStoreOptions {
  /** The schema to bring the database up to (default: every migration). */
  migrations?: readonly Migration[];
}

export class PostgresStore implements StorePort {
  // The repositories of calls from outside a transaction: set in the constructor.
  declare readonly series: SeriesRepository;
  declare readonly scheduledEvents: ScheduledEventRepository;
  declare readonly bank: BankRepository;
  declare readonly sessions: SessionRepository;
  declare readonly prompts: PromptRepository;
  declare readonly messages: MessageRepository;
  declare readonly newcomers: NewcomerRepository;
  declare readonly controls: ControlLogRepository;
  declare readonly recap: RecapQueryRepository;
  declare readonly corrections: CorrectionRepository;
  declare readonly reactions: ReactionRepository;
  declare readonly privacy: PrivacyRepository;

  private readonly context = new AsyncLocalStorage<TxContext>();
  private active: TxContext | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private listener: Promise<Listener> | null = null;
  private mark = 0;
  private marking: Promise<number> | null = null;

  private constructor(private readonly driver: Driver, private readonly clock: Clock, private readonly schema: string) {
    Object.assign(this, countingWrites(this.repositories((fn) => this.outside(fn)), () => this.mark++));
  }

  /** Migrates the database behind driver (tables in schema, when given) and opens a store on it. */
  static async open(driver: Driver, clock: Clock, schema: string | null, { migrations }: PostgresStoreOptions = {}): Promise<PostgresStore> {
    try {
      await migrate(driver, clock, schema, migrations);
      const conn = await driver.connect();
      let current: string;
      try {
        current = (await conn.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
      } finally {
        conn.release();
      }
      const store = new PostgresStore(driver, clock, current);
      store.listener = store.listen();
      await store.listener;
      return store;
    } catch (err) {
      await driver.end().catch(() => {});
      throw err;
    }
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const mine = this.context.getStore();
    if (mine && mine === this.active) return this.nested(mine, fn);
    return this.enqueue(() => this.run(fn));
  }

  async externalChangeMark(): Promise<number> {
    this.assertOpen();
    try {
      await (await (this.listener ??= this.listen())).flush();
    } catch {
      this.lost();
    }
    return this.mark;
  }

  /**
   * The notifications counted (every commit of this schema, this process's too) and own
   * series and session writes at once. Calls while one is in flight share it (one query at a
   * time on the listening session).
   */
  changeMark(): Promise<number> {
    return (this.marking ??= this.externalChangeMark().finally(() => (this.marking = null)));
  }

  /** Waits for the calls and transactions asked for so far, then ends the pool. */
  async close(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    const listener = this.listener;
    this.listener = null;
    await listener?.then((l) => l.close()).catch(() => {});
    await this.driver.end();
  }

  private listen(): Promise<Listener> {
    const listening = this.driver.listen(CHANGES_CHANNEL, (payload) => {
      if (payload === this.schema) this.mark++;
    }, () => this.lost());
    listening.catch(() => this.lost());
    return listening;
  }

  /** The listening session is gone: changes may have been missed, so the mark moves; the next call listens again. */
  private lost(): void {
    this.mark++;
    this.listener = null;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(task);
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async run<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    const conn = await this.driver.connect();
    const ctx: TxContext = { open: true, conn, savepoints: 0, calls: Promise.resolve(), broken: false };
    try {
      await this.exec(ctx, 'BEGIN');
      this.active = ctx;
      const result = await this.context.run(ctx, () => fn(this.bound(ctx)));
      await ctx.calls.catch(() => {});
      await this.exec(ctx, 'COMMIT');
      return result;
    } catch (err) {
      await ctx.calls.catch(() => {});
      if (!ctx.broken) await this.exec(ctx, 'ROLLBACK').catch(() => (ctx.broken = true));
      throw err;
    } finally {
      ctx.open = false;
      if (this.active === ctx) this.active = null;
      conn.release(ctx.broken);
    }
  }

  private async nested<T>(ctx: TxContext, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const name = `emcee_sp${++ctx.savepoints}`;
    await this.call(ctx, () => this.exec(ctx, `SAVEPOINT ${name}`));
    try {
      const result = await fn(this.bound(ctx));
      await this.call(ctx, () => this.exec(ctx, `RELEASE SAVEPOINT ${name}`));
      return result;
    } catch (err) {
      if (ctx.open) await this.call(ctx, () => this.exec(ctx, `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)).catch(() => {});
      throw err;
    }
  }

  /** The repositories of one transaction: they run at once, and fail once it has ended. */
  private bound(ctx: TxContext): Transaction {
    const inside: Run = (fn) => this.call(ctx, () => fn(this.db(ctx)));
    return { ...countingWrites(this.repositories(inside), () => this.mark++), transaction: (fn) => this.context.run(ctx, () => this.nested(ctx, fn)) };
  }

  /** One call in a transaction, after the calls before it. */
  private call<T>(ctx: TxContext, fn: () => Promise<T>): Promise<T> {
    if (!ctx.open) return Promise.reject(new Error('this transaction has ended: use the store, not a transaction kept after it'));
    const result = ctx.calls.then(fn);
    ctx.calls = result.catch(() => {});
    return result;
  }

  /** A call from outside: joins the open transaction from its own flow, else waits its turn on a pooled session. */
  private outside<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const mine = this.context.getStore();
    if (mine && mine === this.active) return this.call(mine, () => fn(this.db(mine)));
    return this.enqueue(async () => {
      this.assertOpen();
      const conn = await this.driver.connect();
      const ctx: TxContext = { open: true, conn, savepoints: 0, calls: Promise.resolve(), broken: false };
      try {
        return await fn(this.db(ctx, false));
      } finally {
        conn.release(ctx.broken);
      }
    });
  }

  /** Statements on a session: in an open transaction (inTx), or each on its own, autocommitted. */
  private db(ctx: TxContext, inTx = true): Db {
    const query = async <R>(text: string, params?: unknown[]) => {
      try {
        return await ctx.conn.query<R>(text, params);
      } catch (err) {
        if (!isServerError(err)) ctx.broken = true;
        throw err;
      }
    };
    return {
      rows: async (text, params) => (await query(text, params)).rows as never,
      one: async (text, params) => ((await query(text, params)).rows[0] ?? null) as never,
      run: async (text, params) => (await query(text, params)).rowCount,
      atomic: async (fn) => {
        const name = inTx ? `emcee_sp${++ctx.savepoints}` : null;
        await this.exec(ctx, name ? `SAVEPOINT ${name}` : 'BEGIN');
        try {
          const result = await fn();
          await this.exec(ctx, name ? `RELEASE SAVEPOINT ${name}` : 'COMMIT');
          return result;
        } catch (err) {
          if (!ctx.broken) await this.exec(ctx, name ? `ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}` : 'ROLLBACK').catch(() => (ctx.broken = true));
          throw err;
        }
      },
    };
  }

  private async exec(ctx: TxContext, sql: string): Promise<void> {
    try {
      await ctx.conn.exec(sql);
    } catch (err) {
      if (!isServerError(err)) ctx.broken = true;
      throw err;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  private repositories(run: Run): Repositories {
    return {
      series: seriesRepository(run, this.clock),
      bank: bankRepository(run, this.clock),
      sessions: sessionRepository(run, this.clock),
      prompts: promptRepository(run),
      messages: messageRepository(run),
      newcomers: newcomerRepository(run),
      controls: controlLogRepository(run),
      scheduledEvents: scheduledEventRepository(run),
      recap: recapQueryRepository(run),
      ...correctionRepositories(run),
      ...privacyRepositories(run),
    };
  }
}

/**
 * An error the server reported for a statement (it has a severity): the session is fine.
 * Anything else (a lost connection, a terminated backend) leaves the session unusable.
 */
function isServerError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'severity' in err && !String((err as { code?: unknown }).code).startsWith('57P');
}
