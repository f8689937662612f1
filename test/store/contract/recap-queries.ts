import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../../src/domain/attribution.ts';
import type { AnswerTarget } from '../../../src/domain/labels.ts';
import { tallyAnswers } from '../../../src/domain/tally.ts';
import type { StoredMessage } from '../../../src/store/port.ts';
import { at, collect, liveSession, message, T0, type ContractContext } from './support.ts';

/**
 * store.recap: the recap's counts by the database, which must be the tally's
 * (src/domain/tally.ts) and a pass over every message's, on the same data; and each
 * question's answers in chat order.
 */
export function recapQueriesContract({ open }: ContractContext): void {
  describe('recap queries', () => {
    it('counts messages per author (first writer first) and per minute, without the bot, deleted messages, or minutes outside the first day', async () => {
      const store = await open();
      const s = await liveSession(store);
      const say = async (id: string, authorName: string | null, postedAt: Date | null, extra: Partial<Parameters<typeof message>[3]> = {}) =>
        (await store.messages.ingest(message(s.id, id, `hi ${id}`, { authorName, postedAt, ...extra }))).message;
      await say('m1', 'zoe', at(3));
      await say('m2', 'amy', new Date(T0.getTime() + 59_999));
      await say('m3', null, at(1)); // "anonymous"
      await say('m4', 'mod', at(0), { isModerator: true });
      await say('m5', 'mod', at(2));
      await say('m6', 'zoe', at(-1)); // before the start: counted, no minute
      await say('m7', 'zoe', null); // no time: counted, no minute (first in chat order)
      await say('m8', 'Emcee', at(1), { fromSelf: true });
      await say('m9', 'zoe', at(24 * 60 + 1)); // the second day: no minute
      await say('m10', 'ben', at(1));
      await store.messages.delete('m10', at(2));
      const counts = await store.recap.messageCounts(s.id, T0);
      expect(counts.authors).toEqual([
        { name: 'zoe', messages: 4, moderatorMessages: 0 },
        { name: 'mod', messages: 2, moderatorMessages: 1 },
        { name: 'amy', messages: 1, moderatorMessages: 0 },
        { name: 'anonymous', messages: 1, moderatorMessages: 0 },
      ]);
      expect(counts.perMinute).toEqual([{ minute: 0, messages: 2 }, { minute: 1, messages: 1 }, { minute: 2, messages: 1 }, { minute: 3, messages: 1 }]);
      // Counted from another instant (a session that starts at a second past a minute).
      expect((await store.recap.messageCounts(s.id, new Date(T0.getTime() + 30_000))).perMinute).toEqual([
        { minute: 0, messages: 2 }, { minute: 1, messages: 1 }, { minute: 2, messages: 1 },
      ]);
      expect(await store.recap.messageCounts(999, T0)).toEqual({ authors: [], perMinute: [] });
    });

    it('counts answers as the tally does, and streams each question in chat order past page boundaries, on random data', async () => {
      const store = await open();
      const s = await liveSession(store);
      const other = await liveSession(store, { channelId: 'c2', startsAt: at(60) });
      const random = seeded(13);
      const authors = ['amy', 'ben', 'cy', null];
      await store.transaction(async (tx) => {
        for (let i = 0; i < 800; i++) {
          const sessionId = i % 50 === 7 ? other.id : s.id;
          // Q1 gets most of them (more than a page); times collide and some have none.
          const postedAt = i % 97 === 0 ? null : at(Math.floor(random() * 40));
          const m = (await tx.messages.ingest(message(sessionId, `r${i}`, `text ${i}`, {
            authorName: authors[Math.floor(random() * authors.length)]!, postedAt, late: random() < 0.1, fromSelf: i % 89 === 0,
          }))).message;
          const roll = random();
          const question: AnswerTarget = roll < 0.85 ? 1 : roll < 0.93 ? 2 : 'TA';
          const via = random() < 0.1 ? 'inferred' : (['label', 'reply', 'thread', 'quote'] as const)[Math.floor(random() * 4)]!;
          const attribution: Attribution = via === 'inferred' ? { kind: 'inferred', question: question === 'TA' ? 1 : question } : { kind: 'answer', question, via, label: null, text: m.text };
          if (random() < 0.95) await tx.messages.recordAttribution(m, attribution);
        }
      });
      for (const id of ['r3', 'r40', 'r41', 'r300']) await store.messages.delete(id, at(50));

      // The counts are the tally's on the same answers.
      const answers = await store.messages.answers(s.id);
      const tally = tallyAnswers(answers);
      const counts = await store.recap.answerCounts(s.id);
      // Questions ascending, then the takeaways (as the tally lists them).
      expect(counts.questions.map((q) => [q.question, q.answers])).toEqual(tally.entries().map((q) => [q.question, q.answers]));
      expect(counts.questions.reduce((n, q) => n + q.answers, 0)).toBe(tally.total);
      expect(counts.questions.map((q) => [q.question, q.late])).toEqual(counts.questions.map((q) => [q.question, answers.filter((a) => a.question === q.question && a.late).length]));
      const names = ['amy', 'ben', 'cy'];
      expect(Object.fromEntries(counts.authors.map((a) => [a.name, a.answers]))).toEqual(Object.fromEntries(names.map((n) => [n, tally.answersBy(n)]).filter(([, n]) => n)));
      expect(tally.of(1).answers).toBeGreaterThan(500);

      // Each question's stream is that question's answers, in chat order.
      for (const question of [1, 2, 'TA', 3] as const) {
        expect(await collect(store.recap.answersTo(s.id, question))).toEqual(answers.filter((a) => a.question === question));
      }

      // The per-author counts match a pass over every message.
      const pass = new Map<string, [number, number]>();
      for await (const m of store.messages.iterate(s.id)) {
        if (m.fromSelf || m.deletedAt) continue;
        const [n, mod] = pass.get(m.authorName ?? 'anonymous') ?? [0, 0];
        pass.set(m.authorName ?? 'anonymous', [n + 1, mod + (m.isModerator ? 1 : 0)]);
      }
      expect((await store.recap.messageCounts(s.id, T0)).authors.map((a) => [a.name, [a.messages, a.moderatorMessages]])).toEqual([...pass]);
    });

    it('finds the first answer at or after a question went out; the same queries run inside a transaction', async () => {
      const store = await open();
      const s = await liveSession(store);
      const answer = async (id: string, postedAt: Date, question: AnswerTarget, via: 'label' | 'inferred' = 'label') => {
        const m: StoredMessage = (await store.messages.ingest(message(s.id, id, 'x', { postedAt }))).message;
        await store.messages.recordAttribution(m, via === 'inferred' ? { kind: 'inferred', question: question as number } : { kind: 'answer', question, via, label: null, text: 'x' });
      };
      await answer('early', at(4), 1); // before the post: not a "first answer"
      await answer('inferred', at(5), 1, 'inferred');
      await answer('first', new Date(at(5).getTime() + 1_500), 1);
      await answer('later', at(9), 1);
      await answer('gone', at(5), 1);
      await store.messages.delete('gone', at(6));
      await answer('q2', at(2), 2);
      expect(await store.recap.firstAnswerSince(s.id, 1, at(5))).toEqual(new Date(at(5).getTime() + 1_500));
      expect(await store.recap.firstAnswerSince(s.id, 1, at(4))).toEqual(at(4));
      expect(await store.recap.firstAnswerSince(s.id, 2, at(5))).toBeNull();
      expect(await store.recap.firstAnswerSince(s.id, 3, at(0))).toBeNull();
      await store.transaction(async (tx) => {
        expect((await collect(tx.recap.answersTo(s.id, 1))).map((a) => a.platformId)).toEqual(['early', 'first', 'later']);
        expect((await tx.recap.answerCounts(s.id)).questions).toEqual([{ question: 1, answers: 3, late: 0 }, { question: 2, answers: 1, late: 0 }]);
        expect(await tx.recap.firstAnswerSince(s.id, 2, at(2))).toEqual(at(2));
      });
      expect(await store.recap.answerCounts(999)).toEqual({ questions: [], authors: [] });
    });
  });
}

/** A small deterministic generator (mulberry32): the same data on every store. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
