import { describe, expect, it } from 'vitest';
import { tallyAnswers } from '../../src/domain/tally.ts';

const a = (question: number | 'TA', authorName: string | null, via = 'label') => ({ question, authorName, via });

describe('the answer tally (one count for status, recaps, the demo and the embeds)', () => {
  const tally = tallyAnswers([
    a(1, 'kyle'), a(1, 'noah'), a(1, 'kyle', 'quote'), a(2, null), a(2, 'ann', 'inferred'), a(3, 'ann', 'inferred'), a('TA', 'noah'), a(10, 'kyle', 'reply'),
  ]);

  it('counts answers per question, inferred ones apart and never in the totals', () => {
    expect(tally.of(1)).toEqual({ question: 1, answers: 3, inferred: 0, authors: ['kyle', 'noah'] });
    expect(tally.of(2)).toEqual({ question: 2, answers: 1, inferred: 1, authors: [null] });
    expect(tally.of(3)).toEqual({ question: 3, answers: 0, inferred: 1, authors: [] });
    expect(tally.of(4)).toEqual({ question: 4, answers: 0, inferred: 0, authors: [] });
    expect(tally.total).toBe(6);
  });

  it('orders questions numerically (Q10 after Q3), takeaways last', () => {
    expect(tally.numbers()).toEqual([1, 2, 3, 10]);
    expect(tally.entries().map((q) => q.question)).toEqual([1, 2, 3, 10, 'TA']);
  });

  it('counts answers per author (inferred left out) and gives a comparable signature', () => {
    expect(tally.answersBy('kyle')).toBe(3);
    expect(tally.answersBy('ann')).toBe(0);
    expect(tally.signature()).toBe('Q1: 3, Q2: 1, Q10: 1, TA: 1');
    expect(tallyAnswers([a(10, 'x'), a('TA', 'y'), a(1, 'z'), a(1, 'z'), a(2, 'q'), a(2, 'q'), a(2, 'q')]).signature()).not.toBe(tally.signature());
  });

  it('hands out copies: a caller cannot change the counts', () => {
    tally.of(1).authors.push('mallory');
    expect(tally.of(1).authors).toEqual(['kyle', 'noah']);
  });
});
