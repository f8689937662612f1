import { describe, expect, it } from 'vitest';
import { T0, type ContractContext } from './support.ts';

/** store.bank: question sets, their tenancy, sharing and adoption. */
export function bankContract({ open }: ContractContext): void {
  describe('bank', () => {
    it('stores a set with its questions in order, stamped with the clock', async () => {
      const store = await open();
      const set = await store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?', 'How to fail well?'], welcomeText: 'Hi', outroText: 'Bye' });
      expect(set).toMatchObject({ title: 'Failure', source: 'moderator', sourceHash: null, welcomeText: 'Hi', outroText: 'Bye', guildId: null, shared: false, createdAt: T0 });
      expect(await store.bank.get(set.id)).toEqual(set);
      expect((await store.bank.list()).map((s) => s.questions)).toEqual([['Why fail?', 'How to fail well?']]);
      expect(await store.bank.get(999)).toBeNull();
    });

    it('refuses a second set from the same archive, writing nothing', async () => {
      const store = await open();
      const a = await store.bank.create({ title: 'a', source: 'archive', sourceHash: 'h', questions: ['q'] });
      await expect(store.bank.create({ title: 'b', source: 'archive', sourceHash: 'h', questions: ['q'] })).rejects.toThrow();
      expect(await store.bank.list()).toEqual([a]);
      expect(await store.bank.findBySourceHash('h')).toEqual(a);
      expect(await store.bank.findBySourceHash('other')).toBeNull();
    });

    it('tenancy: a server sees its own sets and shared ones; the operator (null) sees every set', async () => {
      const store = await open();
      const operator = await store.bank.create({ title: 'operator', source: 'archive', questions: ['q'] });
      const shared = await store.bank.create({ title: 'shared', source: 'archive', questions: ['q'], shared: true });
      const g1 = await store.bank.create({ title: 'g1', source: 'moderator', questions: ['q'], guildId: 'G1' });
      const g2 = await store.bank.create({ title: 'g2', source: 'moderator', questions: ['q'], guildId: 'G2' });
      expect((await store.bank.list()).map((s) => s.title)).toEqual(['operator', 'shared', 'g1', 'g2']);
      expect((await store.bank.list(null)).map((s) => s.title)).toEqual(['operator', 'shared', 'g1', 'g2']);
      expect((await store.bank.list({ guildId: 'G1' })).map((s) => s.title)).toEqual(['shared', 'g1']);
      expect(await store.bank.get(g2.id, { guildId: 'G1' })).toBeNull();
      expect(await store.bank.get(operator.id, { guildId: 'G1' })).toBeNull();
      expect(await store.bank.get(shared.id, { guildId: 'G1' })).toEqual(shared);
      expect(await store.bank.get(g1.id, { guildId: 'G1' })).toEqual(g1);

      // Sharing: only operator sets change; a server's own set stays its own.
      expect(await store.bank.setShared([operator.id, g2.id, 999])).toBe(1);
      expect(await store.bank.get(operator.id, { guildId: 'G1' })).toMatchObject({ shared: true });
      expect(await store.bank.get(g2.id)).toMatchObject({ shared: false, guildId: 'G2' });
      // An operator set counts whether or not it was shared already (rows matched).
      expect(await store.bank.setShared([operator.id])).toBe(1);
    });

    it('adoptImported: a new set becomes the server\'s; an earlier one is copied once per server', async () => {
      const store = await open();
      const made = await store.bank.create({ title: 'T', source: 'archive', sourceHash: 'hash', questions: ['q1', 'q2'] });
      expect(await store.bank.adoptImported(made.id, 'G1', true)).toEqual({ set: { ...made, guildId: 'G1' }, copied: false });
      // Already visible to G1: nothing changes.
      expect(await store.bank.adoptImported(made.id, 'G1', false)).toEqual({ set: { ...made, guildId: 'G1' }, copied: false });
      // Another server imports the same archive: its own copy, made once.
      const copy = await store.bank.adoptImported(made.id, 'G2', false);
      expect(copy.copied).toBe(true);
      expect(copy.set).toMatchObject({ title: 'T', guildId: 'G2', sourceHash: 'hash@G2', questions: ['q1', 'q2'] });
      expect(copy.set.id).not.toBe(made.id);
      expect(await store.bank.adoptImported(made.id, 'G2', false)).toEqual({ set: copy.set, copied: false });
      expect(await store.bank.get(made.id, { guildId: 'G1' })).not.toBeNull();
      await expect(store.bank.adoptImported(999, 'G1', true)).rejects.toThrow(/does not exist/);
    });
  });
}
