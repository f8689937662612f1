import { describe, expect, it } from 'vitest';
import { at, collect, liveSession, message, T0, type ContractContext } from './support.ts';

/** store.messages: ingest, edits, attributions, answers and iterators. */
export function messagesContract({ open }: ContractContext): void {
  describe('messages and answers', () => {
    it('stores answers given through the platform (button, command) and set by a correction, and counts them', async () => {
      const store = await open();
      const s = await liveSession(store);
      const vias = ['button', 'command', 'correction'] as const;
      for (const [i, via] of vias.entries()) {
        const { message: m } = await store.messages.ingest(message(s.id, `p${i}`, `answer ${i}`, { postedAt: at(i) }));
        await store.messages.recordAttribution(m, { kind: 'answer', question: i + 1, via, label: null, text: `answer ${i}` });
      }
      expect((await store.messages.answers(s.id)).map((a) => [a.question, a.via])).toEqual([[1, 'button'], [2, 'command'], [3, 'correction']]);
    });

    it('enforces the session: a message of an unknown session is refused', async () => {
      const store = await open();
      await expect(store.messages.ingest(message(42, 'm1', 'orphan'))).rejects.toThrow();
    });

    it('ingests the same platform message id once (idempotent), even when both arrive at once', async () => {
      const store = await open();
      const s = await liveSession(store);
      const first = await store.messages.ingest(message(s.id, 'm1', 'A1: hi', { quote: { author: 'amy', text: 'A1: x' }, inReplyTo: ['p1'] }));
      const second = await store.messages.ingest(message(s.id, 'm1', 'A1: hi (again)'));
      expect(first.inserted).toBe(true);
      expect(second.inserted).toBe(false);
      expect(second.message).toEqual(first.message);
      expect(await store.messages.get('m1')).toEqual(first.message);
      expect(first.message).toMatchObject({ text: 'A1: hi', late: false, fromSelf: false, editedAt: null, deletedAt: null, quote: { author: 'amy', text: 'A1: x' }, inReplyTo: ['p1'] });
      const both = await Promise.all([store.messages.ingest(message(s.id, 'm2', 'x')), store.messages.ingest(message(s.id, 'm2', 'x'))]);
      expect(both.map((r) => r.inserted).sort()).toEqual([false, true]);
      expect(await store.messages.count(s.id)).toBe(2);
      expect(await store.messages.get('nope')).toBeNull();
    });

    it('keeps the old texts of an edited message, and ignores an edit that changes nothing', async () => {
      const store = await open();
      const s = await liveSession(store);
      await store.messages.ingest(message(s.id, 'm1', 'A1: first'));
      expect(await store.messages.edit('m1', 'A1: second', at(1))).toMatchObject({ text: 'A1: second', editedAt: at(1) });
      expect(await store.messages.edit('m1', 'A1: second', at(2))).toMatchObject({ text: 'A1: second', editedAt: at(1) });
      await store.messages.edit('m1', 'A1: third', at(3));
      expect(await store.messages.previousTexts('m1')).toEqual(['A1: first', 'A1: second']);
      expect(await store.messages.edit('nope', 'x', at(3))).toBeNull();
      expect(await store.messages.previousTexts('nope')).toEqual([]);
    });

    it('records attributions, keeps inferred apart, and leaves deleted messages out of answers', async () => {
      const store = await open();
      const s = await liveSession(store);
      const a = (await store.messages.ingest(message(s.id, 'm1', 'A1: yes'))).message;
      const b = (await store.messages.ingest(message(s.id, 'm2', 'unlabelled', { postedAt: at(1) }))).message;
      const c = (await store.messages.ingest(message(s.id, 'm3', 'TA: learned', { postedAt: at(2), late: true }))).message;
      await store.messages.recordAttribution(a, { kind: 'answer', question: 1, via: 'label', label: 'A1:', text: a.text });
      await store.messages.recordAttribution(b, { kind: 'inferred', question: 1 });
      await store.messages.recordAttribution(c, { kind: 'answer', question: 'TA', via: 'label', label: 'TA:', text: c.text });
      expect((await store.messages.answers(s.id)).map((x) => [x.question, x.via, x.late])).toEqual([[1, 'label', false], ['TA', 'label', true]]);
      expect(await store.messages.answers(s.id, { inferred: true })).toHaveLength(3);
      expect((await store.messages.answers(s.id))[0]).toEqual({
        messageId: a.id, sessionId: s.id, question: 1, via: 'label', label: 'A1:', text: 'A1: yes', authorName: 'kyle',
        archiveIndex: null, postedAt: T0, platformId: 'm1', channelId: 'c1', threadId: null, late: false,
      });

      await store.messages.recordAttribution(a, { kind: 'answer', question: 2, via: 'label', label: 'A2:', text: 'A2: yes' });
      expect((await store.messages.answers(s.id))[0]).toMatchObject({ question: 2, label: 'A2:' });
      await store.messages.recordAttribution(c, { kind: 'none', reason: 'empty' });
      expect((await store.messages.answers(s.id)).map((x) => x.question)).toEqual([2]);

      expect(await store.messages.delete('m1', T0)).toBe(true);
      expect(await store.messages.delete('m1', T0)).toBe(false);
      expect(await store.messages.answers(s.id)).toEqual([]);
      expect(await store.messages.get('m1')).toMatchObject({ deletedAt: T0 });
    });

    it('iterators stream every message and answer in chat order (by time, archive position, arrival), past page boundaries', async () => {
      const store = await open();
      const s = await liveSession(store);
      const n = 1234;
      // Written out of order: posted times descend with the platform id.
      for (let i = 0; i < n; i++) {
        const m = (await store.messages.ingest(message(s.id, `m${i}`, `A1: ${i}`, { postedAt: new Date(T0.getTime() + (n - i) * 1000) }))).message;
        if (i % 2 === 0) await store.messages.recordAttribution(m, { kind: 'answer', question: 1, via: 'label', label: 'A1:', text: m.text });
        else if (i % 3 === 0) await store.messages.recordAttribution(m, { kind: 'inferred', question: 1 });
      }
      const list = await store.messages.listBySession(s.id);
      expect(list).toHaveLength(n);
      expect(list[0]!.platformId).toBe(`m${n - 1}`);
      expect(await collect(store.messages.iterate(s.id))).toEqual(list);
      expect(await collect(store.messages.iterateAnswers(s.id))).toEqual(await store.messages.answers(s.id));
      expect(await collect(store.messages.iterateAnswers(s.id, { inferred: true }))).toEqual(await store.messages.answers(s.id, { inferred: true }));
      expect(await collect(store.messages.iterate(999))).toEqual([]);
    });

    it('an iterator lets other calls run between items, even writes', async () => {
      const store = await open();
      const s = await liveSession(store);
      for (let i = 0; i < 3; i++) await store.messages.ingest(message(s.id, `m${i}`, `x${i}`, { postedAt: at(i) }));
      const seen: string[] = [];
      for await (const m of store.messages.iterate(s.id)) {
        seen.push(m.text);
        await store.messages.ingest(message(s.id, `late-${m.platformId}`, 'y', { postedAt: at(10) }));
      }
      expect(seen).toEqual(['x0', 'x1', 'x2']);
      expect(await store.messages.count(s.id)).toBe(6);
    });

    it('archive order: messages without time sort by archive position', async () => {
      const store = await open();
      const s = await liveSession(store);
      for (const i of [2, 0, 1]) await store.messages.ingest(message(s.id, `archive:${i}`, `m${i}`, { postedAt: null, archiveIndex: i }));
      expect((await store.messages.listBySession(s.id)).map((m) => m.archiveIndex)).toEqual([0, 1, 2]);
      expect((await collect(store.messages.iterate(s.id))).map((m) => m.archiveIndex)).toEqual([0, 1, 2]);
    });

    it('lastSeenId: the newest snowflake of a channel or one thread (longer is later)', async () => {
      const store = await open();
      const s = await liveSession(store);
      await store.messages.ingest(message(s.id, '999', 'a'));
      await store.messages.ingest(message(s.id, '1000', 'b'));
      await store.messages.ingest(message(s.id, '2000', 'c', { threadId: 't1' }));
      expect(await store.messages.lastSeenId(s.id, 'c1', null)).toBe('1000');
      expect(await store.messages.lastSeenId(s.id, 'c1', 't1')).toBe('2000');
      expect(await store.messages.lastSeenId(s.id, 'c2', null)).toBeNull();
    });

    it('authorsBefore: who wrote in the series\' earlier sessions (not the bot, not deleted)', async () => {
      const store = await open();
      const earlier = await liveSession(store, { startsAt: at(-60 * 24 * 7) });
      const now = await liveSession(store, { startsAt: T0 });
      await store.messages.ingest(message(earlier.id, 'e1', 'hi', { authorName: 'amy' }));
      await store.messages.ingest(message(earlier.id, 'e2', 'hi', { authorName: 'bot', fromSelf: true }));
      await store.messages.ingest(message(earlier.id, 'e3', 'hi', { authorName: 'gone' }));
      await store.messages.delete('e3', T0);
      await store.messages.ingest(message(now.id, 'n1', 'hi', { authorName: 'new' }));
      expect(await store.messages.authorsBefore(now.seriesId, T0)).toEqual(new Set(['amy']));
    });
  });
}
