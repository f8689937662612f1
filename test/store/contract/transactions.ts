import { describe, expect, it } from 'vitest';
import { collect, liveSession, message, T0, type ContractContext } from './support.ts';

/** store.transaction: commit, rollback, ordering, nesting and what waits for what. */
export function transactionsContract({ open }: ContractContext): void {
  describe('transactions', () => {
    it('commits every write of fn, and returns its result', async () => {
      const store = await open();
      const id = await store.transaction(async (tx) => {
        const set = await tx.bank.create({ title: 'a', source: 'moderator', questions: ['q'] });
        await tx.bank.create({ title: 'b', source: 'moderator', questions: ['q'] });
        return set.id;
      });
      expect((await store.bank.list()).map((s) => s.title)).toEqual(['a', 'b']);
      expect(await store.bank.get(id)).toMatchObject({ title: 'a' });
    });

    it('rolls back every write when fn throws, and passes the error on', async () => {
      const store = await open();
      await expect(store.transaction(async (tx) => {
        const series = await tx.series.findOrCreateForArchive('#Gone');
        await tx.sessions.create({ seriesId: series.id, questionSetId: null, state: 'archived', startsAt: T0, source: 'archive' });
        await tx.bank.create({ title: 'a', source: 'moderator', questions: ['q'] });
        throw new Error('changed my mind');
      })).rejects.toThrow('changed my mind');
      expect(await store.series.list()).toEqual([]);
      expect(await store.bank.list()).toEqual([]);
      // The store is usable afterwards.
      await store.transaction(async (tx) => { await tx.bank.create({ title: 'b', source: 'moderator', questions: ['q'] }); });
      expect((await store.bank.list()).map((s) => s.title)).toEqual(['b']);
    });

    it('a call outside the transaction waits for it: it never sees or joins a transaction in progress', async () => {
      const store = await open();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inside!: () => void;
      const entered = new Promise<void>((r) => (inside = r));
      const tx = store.transaction(async (t) => {
        await t.bank.create({ title: 'inside', source: 'moderator', questions: ['q'] });
        inside();
        await gate;
        throw new Error('rolled back');
      });
      await entered;
      const outside = store.bank.create({ title: 'outside', source: 'moderator', questions: ['q'] });
      const seen = store.bank.list();
      release();
      await expect(tx).rejects.toThrow('rolled back');
      await outside;
      // Asked after the write outside and served after it: never the rolled-back one inside.
      expect((await seen).map((s) => s.title)).toEqual(['outside']);
      expect((await store.bank.list()).map((s) => s.title)).toEqual(['outside']);
    });

    it('runs transactions one at a time, in the order they were asked for', async () => {
      const store = await open();
      const order: string[] = [];
      const run = (name: string, ms: number) => store.transaction(async (tx) => {
        order.push(`${name}:begin`);
        await new Promise((r) => setTimeout(r, ms));
        await tx.controls.list(0);
        order.push(`${name}:end`);
        return name;
      });
      expect(await Promise.all([run('a', 20), run('b', 1), run('c', 5)])).toEqual(['a', 'b', 'c']);
      expect(order).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
    });

    it('the store used inside fn joins the transaction (no deadlock) and rolls back with it', async () => {
      const store = await open();
      await expect(store.transaction(async () => {
        await store.bank.create({ title: 'via store', source: 'moderator', questions: ['q'] });
        expect(await store.bank.list()).toHaveLength(1);
        throw new Error('undo');
      })).rejects.toThrow('undo');
      expect(await store.bank.list()).toEqual([]);
    });

    it('nested: a throw undoes only the nested part; the outer one may go on and commit', async () => {
      const store = await open();
      await store.transaction(async (tx) => {
        await tx.bank.create({ title: 'outer', source: 'moderator', questions: ['q'] });
        await expect(tx.transaction(async (inner) => {
          await inner.bank.create({ title: 'inner', source: 'moderator', questions: ['q'] });
          throw new Error('inner fails');
        })).rejects.toThrow('inner fails');
        await tx.transaction(async (inner) => { await inner.bank.create({ title: 'inner ok', source: 'moderator', questions: ['q'] }); });
        // store.transaction from inside nests too.
        await store.transaction(async (inner) => { await inner.bank.create({ title: 'nested via store', source: 'moderator', questions: ['q'] }); });
      });
      expect((await store.bank.list()).map((s) => s.title)).toEqual(['outer', 'inner ok', 'nested via store']);
    });

    it('a transaction object kept after the end refuses to be used', async () => {
      const store = await open();
      const kept = await store.transaction(async (tx) => tx);
      await expect(kept.bank.list()).rejects.toThrow(/ended/);
    });

    it('iterators inside a transaction read its own writes', async () => {
      const store = await open();
      const s = await liveSession(store);
      const texts = await store.transaction(async (tx) => {
        await tx.messages.ingest(message(s.id, 'm1', 'in tx'));
        return (await collect(tx.messages.iterate(s.id))).map((m) => m.text);
      });
      expect(texts).toEqual(['in tx']);
    });
  });
}
