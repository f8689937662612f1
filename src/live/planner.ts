import type { Logger } from '../logger.ts';
import { persistSession } from './persist.ts';
import type { QuestionSet, StorePort, Transaction } from '../store/port.ts';
import type { Series } from '../domain/series.ts';
import type { Session } from '../store/sessions.ts';
import { nextOccurrence } from '../domain/recurrence.ts';
import { ownsGuild, type ShardSet } from '../domain/shard.ts';

/**
 * Series planned per transaction (by default). A commit costs more than planning a session:
 * SQLite writes every page the transaction touched to its WAL, and checkpoints copy them into
 * the database. With one commit per session, the pages of the sessions' and prompts' indexes
 * were written again for every session, and the larger the database, the fewer of them two
 * commits shared: planning 10,000 series took 13× the time of 1,000, most of the excess in
 * COMMIT. A batch shares those pages, and planning soonest first keeps the prompts' time
 * indexes (prompts_open, prompts_due) written in order instead of all over. Bounded, because
 * another flow's store call waits while a batch is open: about a quarter of a second for 200
 * sessions on a 2-core machine, and only when that many are to plan at once (the first pass
 * over many series, or many sessions starting in the same minute).
 */
export const PLAN_BATCH = 200;

/** A series whose next occurrence is to be made sure of, and that occurrence. */
interface Due {
  series: Series;
  key: string;
  startsAt: Date;
}

/** What one batch did, applied once its transaction has committed. */
interface BatchOutcome {
  planned: { due: Due; session: Session }[];
  ensured: Due[];
  failure: { error: unknown } | null;
}

/**
 * Keeps the next occurrence of every recurring series planned: the session and all its
 * prompts in the database, well before its preview. Instants come from recurrence.ts
 * (exact across DST changes), never from node-cron; planning the same occurrence twice
 * is a no-op (one session per series and start instant). A process plans only the series
 * of the guilds it owns (`owns`); two processes planning one occurrence at once (an overlap)
 * make one session: the second's insert is refused and it finds the first's.
 *
 * The engine plans at the start of every cycle, so a series whose next occurrence is known
 * to be planned costs nothing more until that occurrence starts or the series' schedule or
 * time zone changes (`ensured`): no recurrence computed, no database read.
 *
 * The series still to plan go soonest first, `batch` of them (PLAN_BATCH) to a transaction,
 * each session in a savepoint of its own: an occurrence another process planned first undoes
 * only that session's insert. A session counts as planned (returned, logged, `ensured`) only
 * once its batch committed; an unexpected error keeps the batch's sessions before it, and is
 * thrown after the commit.
 */
export class SeriesPlanner {
  private readonly warned = new Set<number>();
  /** Per series: the occurrence known to be planned, for which schedule and time zone. */
  private readonly ensured = new Map<number, { key: string; startsAt: number }>();

  constructor(private readonly deps: { store: StorePort; log: Logger; owns?: ShardSet | null; batch?: number }) {}

  async planUpcoming(now: Date): Promise<Session[]> {
    const { store, log } = this.deps;
    const due: Due[] = [];
    for (const series of await store.series.listScheduled()) {
      if (!ownsGuild(this.deps.owns, series.guildId)) continue;
      // The next occurrence after `now` is the one planned, as long as it has not started.
      const key = `${series.schedule}\u0000${series.timezone}`;
      const known = this.ensured.get(series.id);
      if (known && known.key === key && now.getTime() < known.startsAt) continue;
      due.push({ series, key, startsAt: nextOccurrence(series.schedule!, series.timezone, now) });
    }
    due.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.series.id - b.series.id);
    const planned: Session[] = [];
    const size = this.deps.batch ?? PLAN_BATCH;
    for (let i = 0; i < due.length; i += size) {
      const outcome = await store.transaction((tx) => this.planBatch(tx, due.slice(i, i + size)));
      for (const d of outcome.ensured) this.ensured.set(d.series.id, { key: d.key, startsAt: d.startsAt.getTime() });
      for (const { due: d, session } of outcome.planned) {
        log.info({ seriesId: d.series.id, sessionId: session.id, startsAt: d.startsAt }, 'session planned');
        planned.push(session);
      }
      if (outcome.failure) throw outcome.failure.error;
    }
    return planned;
  }

  private async planBatch(tx: Transaction, batch: readonly Due[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { planned: [], ensured: [], failure: null };
    const sets = new Map<number, QuestionSet | null>(); // series of one batch often share a set
    for (const d of batch) {
      const { series, startsAt } = d;
      if (await tx.sessions.findOccurrence(series.id, startsAt)) {
        outcome.ensured.push(d);
        continue;
      }
      const setId = series.settings.questionSetId;
      let set = setId === null ? null : sets.get(setId);
      if (set === undefined) sets.set(setId!, (set = await tx.bank.get(setId!)));
      if (!set || set.questions.length === 0) {
        this.warnNoQuestions(series);
        continue;
      }
      this.warned.delete(series.id);
      try {
        // persistSession's transaction on tx is a savepoint: a refused insert undoes only it.
        const session = await persistSession(tx, { series, startsAt, questions: set.questions, questionSetId: set.id });
        outcome.planned.push({ due: d, session });
        outcome.ensured.push(d);
      } catch (error) {
        if (await tx.sessions.findOccurrence(series.id, startsAt)) {
          outcome.ensured.push(d); // another process planned it just now
          continue;
        }
        outcome.failure = { error }; // the sessions planned before it still commit
        break;
      }
    }
    return outcome;
  }

  private warnNoQuestions(series: Series): void {
    if (this.warned.has(series.id)) return;
    this.deps.log.warn({ seriesId: series.id, tag: series.tag, questionSetId: series.settings.questionSetId }, 'recurring series has no question set with questions: next session not planned');
    this.warned.add(series.id);
  }
}
