/**
 * The planner plans a batch of series (PLAN_BATCH by default) to a transaction (issue 13:
 * one commit per session made planning 10,000 series cost 13× 1,000), each session in a
 * savepoint of its own. On SQLite and on PostgreSQL (PGlite), where a refused insert aborts
 * the transaction unless a savepoint undoes it: an occurrence another process planned, or an
 * unexpected error, undoes only its own session.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SeriesPlanner } from '../../src/live/planner.ts';
import type { StorePort, Transaction } from '../../src/store/port.ts';
import { openPgliteStore } from '../../src/store/postgres/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { FakeTime, silentLog } from '../helpers/live.ts';

vi.setConfig({ testTimeout: 120_000 });

const NOW = new Date('2026-11-20T12:00:00Z');
/** Series per transaction here (the default, PLAN_BATCH, is larger). */
const BATCH = 5;

let pglite: Promise<PGlite> | null = null;
let schemas = 0;
const backends: { name: string; open(time: FakeTime): Promise<StorePort> }[] = [
  { name: 'SQLite', open: (time) => openSqliteStore(`${mkdtempSync(`${tmpdir()}/emcee-plan-batch-`)}/emcee.sqlite`, time) },
  { name: 'PostgreSQL on PGlite', open: async (time) => openPgliteStore(await (pglite ??= PGlite.create()), time, { schema: `plan_batch_${process.pid}_${++schemas}` }) },
];

const opened: StorePort[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
});
afterAll(async () => {
  await (await pglite)?.close();
});

/** The store with every transaction's repositories (savepoints too) passed through `change`. */
function intercepted(store: StorePort, change: (tx: Transaction) => Partial<Transaction>): StorePort & { transactions: number } {
  const wrap = (tx: Transaction): Transaction => ({ ...tx, ...change(tx), transaction: (fn) => tx.transaction((inner) => fn(wrap(inner))) });
  const counted = { transactions: 0 };
  return new Proxy(store, {
    get(target, key) {
      if (key === 'transactions') return counted.transactions;
      if (key === 'transaction') {
        return <T>(fn: (tx: Transaction) => Promise<T>) => {
          counted.transactions++;
          return target.transaction((tx) => fn(wrap(tx)));
        };
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as StorePort & { transactions: number };
}

/** n weekly or daily UTC series (one per channel) on one question set; `schedule(i)` gives each its cron. */
async function seriesOn(store: StorePort, n: number, schedule: (i: number) => string) {
  const set = await store.bank.create({ title: 'Weekly', source: 'moderator', questions: ['One?', 'Two?'] });
  const series = [];
  for (let i = 0; i < n; i++) {
    series.push(await store.series.saveForChannel({ guildId: 'g1', channelId: `c${i}`, tag: `#Chat${i}`, timezone: 'UTC', schedule: schedule(i), settings: { questionSetId: set.id } }));
  }
  return { set, series };
}

for (const backend of backends) {
  describe(`the planner plans in batches (${backend.name})`, () => {
    const open = async () => {
      const store = await backend.open(new FakeTime(NOW));
      opened.push(store);
      return store;
    };

    it(`plans ${2 * BATCH + 3} series in 3 transactions, soonest first; planned again, nothing and no transaction`, async () => {
      const store = await open();
      const n = 2 * BATCH + 3;
      const { series } = await seriesOn(store, n, (i) => `${i % 60} ${i % 24} * * ${i % 7}`);
      const counting = intercepted(store, () => ({}));
      const planner = new SeriesPlanner({ store: counting, log: silentLog, batch: BATCH });
      const planned = await planner.planUpcoming(NOW);
      expect(counting.transactions).toBe(3);
      expect(planned).toHaveLength(n);
      const starts = planned.map((s) => s.startsAt.getTime());
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(new Set(planned.map((s) => s.seriesId))).toEqual(new Set(series.map((s) => s.id)));
      expect(await store.sessions.listActive()).toHaveLength(n);
      expect((await store.prompts.listBySession(planned[0]!.id)).map((p) => p.kind)).toContain('welcome');

      expect(await planner.planUpcoming(NOW)).toEqual([]);
      expect(counting.transactions).toBe(3); // every occurrence known to be planned: no database work
      expect(await new SeriesPlanner({ store, log: silentLog }).planUpcoming(NOW)).toEqual([]); // a restart plans nothing twice
      expect(await store.sessions.listActive()).toHaveLength(n);
    });

    it('an occurrence another process planned between the check and the insert: only that insert is undone, the batch commits', async () => {
      const store = await open();
      const { set, series } = await seriesOn(store, 3, (i) => `0 ${13 + i} * * *`);
      const theirs = await store.sessions.create({
        seriesId: series[1]!.id, questionSetId: set.id, state: 'planned', startsAt: new Date('2026-11-20T14:00:00Z'), source: 'live', channelId: 'c1',
      });
      let lied = false;
      const racing = intercepted(store, (tx) => ({
        sessions: {
          ...tx.sessions,
          // The other process commits just after this one looked: the first look misses it.
          findOccurrence: async (seriesId, startsAt) => (seriesId === theirs.seriesId && !lied ? ((lied = true), null) : tx.sessions.findOccurrence(seriesId, startsAt)),
        },
      }));
      const planner = new SeriesPlanner({ store: racing, log: silentLog, batch: BATCH });
      expect((await planner.planUpcoming(NOW)).map((s) => s.seriesId)).toEqual([series[0]!.id, series[2]!.id]);
      expect(lied).toBe(true);
      expect((await store.sessions.listBySeries(series[1]!.id)).map((s) => s.id)).toEqual([theirs.id]);
      expect(await store.prompts.listBySession(theirs.id)).toEqual([]); // the refused session's prompts were undone with it
      for (const s of [series[0]!, series[2]!]) expect(await store.sessions.listBySeries(s.id)).toHaveLength(1);
      expect(await planner.planUpcoming(NOW)).toEqual([]);
    });

    it('an unexpected error keeps the sessions planned before it, is thrown after the commit, and the next pass plans the rest', async () => {
      const store = await open();
      const { series } = await seriesOn(store, 3, (i) => `0 ${13 + i} * * *`);
      let failures = 1;
      const failing = intercepted(store, (tx) => ({
        sessions: {
          ...tx.sessions,
          create: async (s) => {
            if (s.seriesId === series[1]!.id && failures-- > 0) throw new Error('disk full');
            return tx.sessions.create(s);
          },
        },
      }));
      const planner = new SeriesPlanner({ store: failing, log: silentLog, batch: BATCH });
      await expect(planner.planUpcoming(NOW)).rejects.toThrow('disk full');
      expect((await store.sessions.listActive()).map((s) => s.seriesId)).toEqual([series[0]!.id]);
      expect((await planner.planUpcoming(NOW)).map((s) => s.seriesId)).toEqual([series[1]!.id, series[2]!.id]);
      for (const s of series) expect(await store.sessions.listBySeries(s.id)).toHaveLength(1);
    });
  });
}
