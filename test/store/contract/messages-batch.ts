import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../../src/domain/attribution.ts';
import { at, liveSession, message, type ContractContext } from './support.ts';

/** store.messages.ingestMany and recordAttributions (the ingest's group commit), and store.changeMark. */
export function messagesBatchContract(ctx: ContractContext): void {
  const { open, target, opened } = ctx;
  describe('messages in batches, and the change mark', () => {
    it('ingestMany: each message as ingest would, in order; an id twice in one call is stored once', async () => {
      const store = await open();
      const s = await liveSession(store);
      const before = await store.messages.ingest(message(s.id, 'm0', 'stored before'));
      const results = await store.messages.ingestMany([
        message(s.id, 'm1', 'A1: one', { postedAt: at(1), quote: { author: 'amy', text: 'q' }, inReplyTo: ['p1'] }),
        message(s.id, 'm0', 'stored before, again'),
        message(s.id, 'm2', 'mine', { postedAt: at(2), late: true, fromSelf: true }),
        message(s.id, 'm1', 'A1: one, replayed'),
      ]);
      expect(results.map((r) => [r.message.platformId, r.inserted])).toEqual([['m1', true], ['m0', false], ['m2', true], ['m1', false]]);
      expect(results[1]!.message).toEqual(before.message);
      expect(results[3]!.message).toEqual(results[0]!.message);
      expect(results[0]!.message).toEqual(await store.messages.get('m1'));
      expect(results[2]!.message).toEqual(await store.messages.get('m2'));
      expect(results[2]!.message).toMatchObject({ late: true, fromSelf: true, editedAt: null, deletedAt: null });
      expect(await store.messages.count(s.id)).toBe(3);
      expect(await store.messages.ingestMany([])).toEqual([]);
      // Many at once (more than one statement's worth on a server).
      const many = await store.messages.ingestMany(Array.from({ length: 1_200 }, (_, i) => message(s.id, `b${i}`, `text ${i}`, { postedAt: at(3) })));
      expect(many.every((r, i) => r.inserted && r.message.platformId === `b${i}`)).toBe(true);
      expect(new Set(many.map((r) => r.message.id)).size).toBe(1_200);
      expect(await store.messages.count(s.id)).toBe(1_203);
    });

    it('ingestMany and recordAttributions take hostile text whole: quotes, backslashes, JSON, NUL-free controls, emoji, a lone surrogate', async () => {
      const store = await open();
      const s = await liveSession(store);
      const texts = [
        'A1: "quoted" \\ back\\slash \'single\' $1 ${x} %s',
        '{"json": [1, 2], "nested": {"a": null}}',
        'line\nbreak\ttab\r\u0007bell \u001b[31mred\u001b[0m',
        'emoji 🎉👩🏽‍🏫 and ünïcödé',
        'lone \ud800 surrogate and \udfff another',
      ];
      const stored = await store.messages.ingestMany(texts.map((t, i) => message(s.id, `h${i}`, t, { postedAt: at(i), authorName: t.slice(0, 12), quote: { author: t, text: t } })));
      expect(stored.every((r) => r.inserted)).toBe(true);
      await store.messages.recordAttributions(stored.map((r, i) => [r.message, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: texts[i]! }]));
      for (const [i, t] of texts.entries()) {
        // What a store can hold of a string: a lone surrogate has no UTF-8 form and becomes U+FFFD.
        const expected = t.toWellFormed();
        const got = (await store.messages.get(`h${i}`))!;
        expect([got.text, got.quote?.text, got.quote?.author, got.authorName]).toEqual([expected, expected, expected, t.slice(0, 12).toWellFormed()]);
      }
      expect((await store.messages.answers(s.id)).map((a) => a.text)).toEqual(texts.map((t) => t.toWellFormed()));
    });

    it('ingestMany in a transaction that fails stores none of them', async () => {
      const store = await open();
      const s = await liveSession(store);
      await expect(store.transaction(async (tx) => {
        await tx.messages.ingestMany([message(s.id, 'm1', 'one'), message(s.id, 'm2', 'two')]);
        await tx.messages.ingestMany([message(s.id, 'm3', null as unknown as string)]);
      })).rejects.toThrow();
      expect(await store.messages.count(s.id)).toBe(0);
    });

    it('recordAttributions: as recordAttribution for each pair, the later pair for a message winning', async () => {
      const store = await open();
      const s = await liveSession(store);
      const [a, b, c] = (await store.messages.ingestMany(['m1', 'm2', 'm3'].map((id, i) => message(s.id, id, `text ${i}`, { postedAt: at(i) })))).map((r) => r.message);
      const answer = (question: number, text: string): Attribution => ({ kind: 'answer', question, via: 'label', label: `A${question}`, text });
      await store.messages.recordAttributions([[a!, answer(1, 'one')], [b!, { kind: 'inferred', question: 2 }], [c!, answer(3, 'three')], [a!, answer(2, 'one, again')], [c!, { kind: 'none', reason: 'repeat' }]]);
      expect((await store.messages.answers(s.id, { inferred: true })).map((x) => [x.platformId, x.question, x.via, x.text])).toEqual([
        ['m1', 2, 'label', 'one, again'], ['m2', 2, 'inferred', 'text 1'],
      ]);
      await store.messages.recordAttributions([[b!, { kind: 'none', reason: 'moderator' }], [c!, answer(1, 'now')]]);
      expect((await store.messages.answers(s.id, { inferred: true })).map((x) => x.platformId)).toEqual(['m1', 'm3']);
      await store.messages.recordAttributions([]);
    });

    it('changeMark moves when this store writes a series or a session or marks a prompt posted, not when it writes messages or reads', async () => {
      const store = await open();
      const mark = async () => store.changeMark();
      let m = await mark();
      expect(await mark()).toBe(m);
      const s = await liveSession(store, { state: 'planned' }); // a series and a session
      expect(await mark()).not.toBe(m);
      m = await mark();
      await store.messages.ingestMany([message(s.id, 'm1', 'x')]);
      await store.sessions.get(s.id);
      await store.series.list();
      expect(await mark()).toBe(m);
      await store.transaction(async (tx) => void (await tx.sessions.setState(s.id, 'running')));
      expect(await mark()).not.toBe(m);
      m = await mark();
      await store.sessions.replan(s.id, at(5), null);
      expect(await mark()).not.toBe(m);
      // A prompt marked posted moves it (the ingest caches each session's posts on it). (Other
      // prompt writes may move it too: on PostgreSQL every commit to the prompts table notifies.)
      const q1 = await store.prompts.create({ sessionId: s.id, kind: 'question', questionNumber: 1, plannedAt: at(6), text: 'Q1', state: 'planned', postedAt: null, messageId: null });
      await store.prompts.markPosting(q1.id, 'n1');
      m = await mark();
      await store.prompts.markPosted(q1.id, 'q1-msg', at(6), false);
      expect(await mark()).not.toBe(m);
    });

    it('changeMark moves when another store on the same database writes a session', async () => {
      if (!target.second) return;
      const store = await open();
      const other = await target.second(store, ctx.clock);
      opened.push(other);
      const s = await liveSession(store, { state: 'planned' });
      const m = await store.changeMark();
      await other.sessions.setState(s.id, 'running');
      expect(await store.changeMark()).not.toBe(m);
    });
  });
}
