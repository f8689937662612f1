import { describe, expect, it } from 'vitest';
import type { ContractContext } from './support.ts';

/** Opening and closing a store, and a reopen where the target has one. */
export function openContract(ctx: ContractContext): void {
  describe('open', () => {
    it('a new store is empty and ready: every repository answers', async () => {
      const store = await ctx.open();
      expect(await store.series.list()).toEqual([]);
      expect(await store.bank.list()).toEqual([]);
      expect(await store.sessions.listActive()).toEqual([]);
      expect(await store.sessions.latestFinished()).toBeNull();
      expect(typeof (await store.externalChangeMark())).toBe('number');
    });

    // Only targets that can reopen (a file, a server) register this case: an in-memory
    // store has nothing to reopen, and a case that is always skipped there proves nothing.
    if (ctx.target.reopen) it('keeps what was written across a reopen (the schema is migrated once)', async () => {
      const store = await ctx.open();
      const set = await store.bank.create({ title: 'Kept', source: 'moderator', questions: ['Q?'] });
      const again = await ctx.target.reopen!(store, ctx.clock);
      ctx.opened.push(again);
      expect(await again.bank.get(set.id)).toEqual(set);
    });

    it('fails every call after close', async () => {
      const store = await ctx.open();
      await store.close();
      await expect(store.series.list()).rejects.toThrow(/closed/);
    });
  });
}
