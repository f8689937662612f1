import { describe, expect, it } from 'vitest';
import { at, liveSession, message, type ContractContext } from './support.ts';

/** store.corrections and store.reactions (migration 011, issue 14). */
export function correctionsContract(ctx: ContractContext): void {
  const { open, target } = ctx;
  describe('corrections', () => {
    it('records one correction per message (the latest wins), by session', async () => {
      const store = await open();
      const s = await liveSession(store);
      const other = await liveSession(store, { channelId: 'c2', startsAt: at(60) });
      const m1 = (await store.messages.ingest(message(s.id, 'm1', 'hello'))).message;
      const m2 = (await store.messages.ingest(message(s.id, 'm2', 'hi'))).message;
      const m3 = (await store.messages.ingest(message(other.id, 'm3', 'hey', { channelId: 'c2' }))).message;
      expect(await store.corrections.get(m1.id)).toBeNull();
      expect(await store.corrections.set({ messageId: m1.id, sessionId: s.id, target: 2, actor: 'mod1', at: at(1) }))
        .toEqual({ messageId: m1.id, sessionId: s.id, target: 2, actor: 'mod1', at: at(1) });
      await store.corrections.set({ messageId: m2.id, sessionId: s.id, target: null, actor: 'mod1', at: at(2) });
      await store.corrections.set({ messageId: m3.id, sessionId: other.id, target: 'TA', actor: 'mod2', at: at(2) });
      await store.corrections.set({ messageId: m1.id, sessionId: s.id, target: 'TA', actor: 'mod2', at: at(3) });
      expect(await store.corrections.get(m1.id)).toEqual({ messageId: m1.id, sessionId: s.id, target: 'TA', actor: 'mod2', at: at(3) });
      expect(await store.corrections.listBySession(s.id)).toEqual([
        { messageId: m1.id, sessionId: s.id, target: 'TA', actor: 'mod2', at: at(3) },
        { messageId: m2.id, sessionId: s.id, target: null, actor: 'mod1', at: at(2) },
      ]);
      expect((await store.corrections.listBySession(other.id)).map((c) => c.target)).toEqual(['TA']);
    });

    it('a correction written with the answer it makes lands or rolls back with it', async () => {
      const store = await open();
      const s = await liveSession(store);
      const m = (await store.messages.ingest(message(s.id, 'm1', 'my answer'))).message;
      await expect(store.transaction(async (tx) => {
        await tx.corrections.set({ messageId: m.id, sessionId: s.id, target: 1, actor: 'mod', at: at(1) });
        await tx.messages.recordAttribution(m, { kind: 'answer', question: 1, via: 'correction', label: null, text: m.text });
        throw new Error('undo');
      })).rejects.toThrow('undo');
      expect(await store.corrections.get(m.id)).toBeNull();
      await store.transaction(async (tx) => {
        await tx.corrections.set({ messageId: m.id, sessionId: s.id, target: 1, actor: 'mod', at: at(1) });
        await tx.messages.recordAttribution(m, { kind: 'answer', question: 1, via: 'correction', label: null, text: m.text });
      });
      expect((await store.messages.answers(s.id)).map((a) => [a.question, a.via])).toEqual([[1, 'correction']]);
      expect((await store.corrections.get(m.id))?.target).toBe(1);
    });
  });

  describe('reactions', () => {
    const r = (messageId: string, emoji: string, userId: string, burst = false) => ({ messageId, emoji, userId, burst });

    it('counts rows per message: a repeated add, an unseen remove, remove-emoji and remove-all leave the count right', async () => {
      const store = await open();
      const s = await liveSession(store);
      const m1 = (await store.messages.ingest(message(s.id, 'm1', 'a'))).message;
      const m2 = (await store.messages.ingest(message(s.id, 'm2', 'b'))).message;
      expect(await store.reactions.add(r('m1', '👍', 'u1'))).toBe(true);
      expect(await store.reactions.add(r('m1', '👍', 'u1'))).toBe(false); // a replayed event
      expect(await store.reactions.add(r('m1', '👍', 'u1', true))).toBe(true); // a super reaction is its own
      expect(await store.reactions.add(r('m1', 'party:123', 'u2'))).toBe(true);
      expect(await store.reactions.add(r('m2', '👍', 'u2'))).toBe(true);
      expect(await store.reactions.add(r('unknown', '👍', 'u2'))).toBe(false); // never stored: ignored
      expect(await store.reactions.remove(r('m2', '🎉', 'u9'))).toBe(false); // an add never seen
      expect(await store.reactions.countsBySession(s.id)).toEqual(new Map([[m1.id, 3], [m2.id, 1]]));
      expect(await store.reactions.removeEmoji('m1', '👍')).toBe(2);
      expect(await store.reactions.countsBySession(s.id)).toEqual(new Map([[m1.id, 1], [m2.id, 1]]));
      expect(await store.reactions.remove(r('m2', '👍', 'u2'))).toBe(true);
      expect(await store.reactions.removeAll('m1')).toBe(1);
      expect(await store.reactions.removeAll('m1')).toBe(0);
      expect(await store.reactions.countsBySession(s.id)).toEqual(new Map());
    });

    it('reactedAnswers: counted answers with a reaction, most reacted first, then chat order; deleted and inferred left out', async () => {
      const store = await open();
      const s = await liveSession(store);
      const say = async (id: string, minute: number) => (await store.messages.ingest(message(s.id, id, `A1 ${id}`, { postedAt: at(minute) }))).message;
      const [a, b, c, d, e] = [await say('a', 1), await say('b', 2), await say('c', 3), await say('d', 4), await say('e', 5)];
      for (const m of [a, b, c, d]) await store.messages.recordAttribution(m, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: m.text });
      await store.messages.recordAttribution(e, { kind: 'inferred', question: 1 });
      for (const [id, users] of [['a', 1], ['b', 2], ['c', 2], ['d', 5], ['e', 9]] as const) {
        for (let u = 0; u < users; u++) await store.reactions.add(r(id, '❤️', `u${u}`));
      }
      await store.messages.delete('d', at(6));
      const got = await store.reactions.reactedAnswers(s.id);
      expect(got.map((x) => [x.answer.platformId, x.reactions, x.answer.question])).toEqual([['b', 2, 1], ['c', 2, 1], ['a', 1, 1]]);
      expect(got[0]!.answer).toMatchObject({ text: 'A1 b', authorName: 'kyle', via: 'label' });
    });

    if (target.reopen) {
      it('counts survive a restart, and a remove-all after it clears what was added before', async () => {
        const store = await open();
        const s = await liveSession(store);
        const m = (await store.messages.ingest(message(s.id, 'm1', 'a'))).message;
        await store.reactions.add(r('m1', '👍', 'u1'));
        await store.reactions.add(r('m1', '👍', 'u2'));
        const again = await target.reopen!(store, ctx.clock);
        expect(await again.reactions.countsBySession(s.id)).toEqual(new Map([[m.id, 2]]));
        await again.reactions.add(r('m1', '👍', 'u1')); // replayed after the restart
        expect(await again.reactions.countsBySession(s.id)).toEqual(new Map([[m.id, 2]]));
        expect(await again.reactions.removeAll('m1')).toBe(2);
        await again.close();
      });
    }
  });
}
