import { describe, expect, it } from 'vitest';
import { fold, isFormatReminder, isRetweet, isTemplate } from '../../src/domain/label-forms.ts';
import { hasLeadLabel } from '../../src/domain/labels.ts';

const reminder = (text: string) => isFormatReminder(text, hasLeadLabel(text));

describe('format examples: labels shown, not used (issue 17)', () => {
  it.each([
    'A1: [your answer] #txeduchat',
    'Reply template → A1: [your answer] #txeduchat',
    'Q1: <question> then A1: <answer>',
    'TA: your takeaway here',
    'Answer 1: {text}',
    'Use this: A2: ... #sschat',
    'Format → A1: ___ #chat',
  ])('GIVEN template %j THEN it is a template', (text) => {
    expect(isTemplate(text)).toBe(true);
  });

  it.each([
    'A1: your answer is great, @bo', // "your answer" with words after it: a real answer
    'A1: ...and that is why badges matter',
    'A1: [my blog](https://example.org/post) has more', // a Markdown link
    'A1: <@123456789012345678> said it best', // a Discord mention
    'A1: <:badge:123456789012345678> all the way',
    'A2: answer here is simple: ask them',
  ])('GIVEN real answer %j THEN it is no template', (text) => {
    expect(isTemplate(text)).toBe(false);
  });

  it.each([
    "Welcome to #txeduchat! Tonight's format: questions come as Question 1, Question 2…; answer with A1, A2 and include #txeduchat",
    'Format reminder: Q1, Q2, Q3 come every 10 minutes; label your answers A1, A2, A3.',
    'How tonight works: Q1-Q4 on the quarter hour. Respond with A1, A2… and the hashtag',
    'Welcome! Label answers like "A1:" or "a1)" and add #TLAP',
    'Reminder: Q1/A1, Q2/A2 keeps it easy to follow',
  ])('GIVEN reminder %j THEN it is a format reminder', (text) => {
    expect(reminder(text)).toBe(true);
  });

  it.each([
    'Q1: What is your why? Reminder: answer with A1 and use the hashtag', // a real question post
    'A2: like I said in A1, use badges', // a real answer
    'Welcome everyone, we start in five minutes!', // no labels
    'Loved Q1 and Q2 tonight', // labels but no word about the format
  ])('GIVEN %j THEN it is no format reminder', (text) => {
    expect(reminder(text)).toBe(false);
  });

  it('retweets and folding', () => {
    expect(isRetweet('RT @sschat: Q1 👇')).toBe(true);
    expect(isRetweet('Great RT @sschat')).toBe(false);
    expect(fold('Ａ１：')).toBe('A1:');
    expect(fold('A1\uFE0F\u20E3 x')).toBe('A1:  x');
    expect(fold('A1\uFE0F\u20E3 x')).toHaveLength('A1\uFE0F\u20E3 x'.length);
  });
});
