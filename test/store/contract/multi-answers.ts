import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../../src/domain/attribution.ts';
import { buildRecap } from '../../../src/recap/model.ts';
import { at, collect, liveSession, message, type ContractContext } from './support.ts';

const multi = (text: string, question: number, also: number[]): Attribution => ({ kind: 'answer', question, also, via: 'label', label: text.split(' ')[0]!, text });

/**
 * A message that answers several questions ("A2/A3: …", issue 17) is one answer to each: one
 * row per question, counted, streamed and paged under each, re-recorded as a whole.
 */
export function multiAnswersContract({ open }: ContractContext): void {
  describe('a message answering several questions', () => {
    it('is one answer to each: counted, listed and streamed under each question, once per question', async () => {
      const store = await open();
      const s = await liveSession(store);
      const { message: m1 } = await store.messages.ingest(message(s.id, 'm1', 'A2/A3: both', { authorName: 'amy', postedAt: at(1) }));
      const { message: m2 } = await store.messages.ingest(message(s.id, 'm2', 'A2: only two', { authorName: 'bo', postedAt: at(2) }));
      await store.messages.recordAttribution(m1, multi('A2/A3: both', 2, [3]));
      await store.messages.recordAttribution(m2, multi('A2: only two', 2, []));
      expect((await store.messages.answers(s.id)).map((a) => [a.platformId, a.question])).toEqual([['m1', 2], ['m1', 3], ['m2', 2]]);
      expect((await collect(store.messages.iterateAnswers(s.id))).map((a) => [a.platformId, a.question])).toEqual([['m1', 2], ['m1', 3], ['m2', 2]]);
      expect((await collect(store.recap.answersTo(s.id, 3))).map((a) => [a.platformId, a.question])).toEqual([['m1', 3]]);
      expect((await collect(store.recap.answersTo(s.id, 2))).map((a) => [a.platformId, a.question])).toEqual([['m1', 2], ['m2', 2]]);
      const counts = await store.recap.answerCounts(s.id);
      expect(counts.questions.map((q) => [q.question, q.answers])).toEqual([[2, 2], [3, 1]]);
      expect(counts.authors).toEqual(expect.arrayContaining([{ name: 'amy', answers: 2 }, { name: 'bo', answers: 1 }]));
      expect((await buildRecap(store, s.id)).stats.answersPerQuestion).toMatchObject({ 2: 2, 3: 1 });

      // Recorded again as a whole: an edit to "A3: …" leaves one answer, to Q3; nothing removes all.
      await store.messages.recordAttribution(m1, multi('A3: just three', 3, []));
      expect((await store.messages.answers(s.id)).map((a) => [a.platformId, a.question, a.text])).toEqual([['m1', 3, 'A3: just three'], ['m2', 2, 'A2: only two']]);
      await store.messages.recordAttribution(m1, { kind: 'none', reason: 'empty' });
      expect((await store.messages.answers(s.id)).map((a) => a.platformId)).toEqual(['m2']);
    });

    it('in batches too, and paged in order when many messages answer two questions', async () => {
      const store = await open();
      const s = await liveSession(store);
      const ingested = await store.messages.ingestMany(Array.from({ length: 600 }, (_, i) => message(s.id, `b${String(i).padStart(3, '0')}`, `A1/A2: ${i}`, { postedAt: at(1 + i / 1000) })));
      await store.messages.recordAttributions(ingested.map((r) => [r.message, multi(r.message.text, 1, [2])] as const));
      const streamed = (await collect(store.messages.iterateAnswers(s.id))).map((a) => `${a.platformId}:${a.question}`);
      expect(streamed).toHaveLength(1_200);
      expect(new Set(streamed).size).toBe(1_200);
      expect(streamed.slice(0, 4)).toEqual(['b000:1', 'b000:2', 'b001:1', 'b001:2']);
      expect((await collect(store.recap.answersTo(s.id, 2)))).toHaveLength(600);
      // The batch path re-records: the last pair per message wins, whole.
      await store.messages.recordAttributions([[ingested[0]!.message, multi('A2: x', 2, [])], [ingested[1]!.message, { kind: 'none', reason: 'empty' }]]);
      expect((await store.recap.answerCounts(s.id)).questions.map((q) => [q.question, q.answers])).toEqual([[1, 598], [2, 599]]);
    });
  });
}
