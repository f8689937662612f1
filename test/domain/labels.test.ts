import { describe, expect, it } from 'vitest';
import {
  findAnswerLabel, findQuestionPost, isTagsOnly, looksLikeOutro, questionBody, repeatKey,
} from '../../src/domain/labels.ts';

describe('findAnswerLabel', () => {
  // [text, expected target or null, letter, position]
  const answers: [string, number | 'TA', 'A' | 'Q' | 'TA', 'lead' | 'inline'][] = [
    ['A1: Starts w asking, not telling.', 1, 'A', 'lead'],
    ['a1) Arriving late Terri Cullen', 1, 'A', 'lead'],
    ['A1 - Important to include all stakeholders', 1, 'A', 'lead'],
    ['A1-State history project.', 1, 'A', 'lead'],
    ['A1 -State history project.', 1, 'A', 'lead'],
    ['A2. Skills valued within and between communities', 2, 'A', 'lead'],
    ['A2 I go with on this.', 2, 'A', 'lead'],
    ['A3:Multiple "roads" w/in the badge system', 3, 'A', 'lead'],
    ['A3) Great question!', 3, 'A', 'lead'],
    ['a4: lower case works too', 4, 'A', 'lead'],
    ['A10: two-digit question numbers', 10, 'A', 'lead'],
    ['#badgechat A2: encouragement toward exploration', 2, 'A', 'lead'],
    ['#BadgeChat A2 I would say the teacher', 2, 'A', 'lead'],
    ['#BadgeChat #k12 @SenorG A3 great way for pupils', 3, 'A', 'lead'],
    ['#badgechat Q1: Trust & willingness to allow others to take risks.', 1, 'Q', 'lead'],
    ['Q1: a participant labelling an answer with Q', 1, 'Q', 'lead'],
    ['Hi there. Kerri Lemoie from @openworksgrp Q1: Badges provide evidence of learning', 1, 'Q', 'inline'],
    ['Hi #Badgechat -ers! Kim here. Sorry to pop in late! Jumping right in, A3: I like the idea', 3, 'A', 'inline'],
    ['Late again, sorry! a2) for me it is the teacher', 2, 'A', 'inline'],
    ['TA: For all the talk about failure', 'TA', 'TA', 'lead'],
    ['ta: lower-case takeaway', 'TA', 'TA', 'lead'],
    ['Takeaway: Lots of really smart people', 'TA', 'TA', 'lead'],
    ['#BadgeChat TA: I love the idea', 'TA', 'TA', 'lead'],
    ['Great chat everyone. My takeaway: start small', 'TA', 'TA', 'inline'],
  ];
  it.each(answers)('GIVEN %j THEN it answers %s', (text, target, letter, position) => {
    expect(findAnswerLabel(text)).toMatchObject({ target, letter, position });
  });

  const nearMisses: string[] = [
    'A1A1 is not a label',
    'AA1: not a label either',
    'A100: is not A1',
    'A100 is not A1',
    'Q1 is a great question.',
    "I'm Tammy Blalock. Q1 is a great question. that The majority…",
    'see https://example.com/a1) for details',
    'see https://t.co/xA1:b and http://x.org/A2:',
    'DATA1: a label glued to a word',
    'the form of Q1, Q2, etc and you are encouraged to respond w A1, A2, etc.',
    'Feel free to linger on q2, also consider…',
    'Q2 clarifying question what skills', // no colon right after the number
    'Intro: I work with PD Learning Network',
    'Takeaways are coming at the end',
    '#A1: a hashtag, not a label',
    '@A1: a mention, not a label',
    'Data: not a takeaway',
    'A0: there is no question zero',
    '',
  ];
  it.each(nearMisses)('GIVEN near miss %j THEN no label', (text) => {
    expect(findAnswerLabel(text)).toBeNull();
  });

  it('GIVEN a leading and an inline label THEN the leading one wins', () => {
    expect(findAnswerLabel('A2: building on my Q1: answer')).toMatchObject({ target: 2, position: 'lead' });
  });

  it('GIVEN a label inside the text without colon or parenthesis THEN it is not a label', () => {
    expect(findAnswerLabel('Jumping right in, A3 I like the idea')).toBeNull();
  });

  it('keeps the label as written', () => {
    expect(findAnswerLabel('a1) Arriving late')?.raw).toBe('a1)');
    expect(findAnswerLabel('#badgechat A2: hi')?.raw).toBe('A2:');
  });
});

describe('findQuestionPost', () => {
  const posts: [string, number][] = [
    ['Q1: Why is it important to be asking what happens after a Badge is issued? #BadgeChat', 1],
    ['Q2. Who sees/cares about K-5 Badges?', 2],
    ['q3: lower case', 3],
    ['Here we go ! Q1: How do you get buy-in from teachers re: using badges for PD?', 1],
    ['Ok, here comes Q2: What professional development might lend itself to a teacher badging system?', 2],
    ['#BadgeChat Q4: Talk is cheap. (yes, I skipped Q3)', 4],
    ['Q4: Let’s reflect! What are your takeaways from this week’s chat?', 4],
  ];
  it.each(posts)('GIVEN %j THEN it posts question %i', (text, n) => {
    expect(findQuestionPost(text)).toBe(n);
  });

  const notPosts: string[] = [
    'Q2 clarifying question: What skills are badgeworthy?)',
    'Extra context to Q2: ss in HS can show their Badges to colleges',
    'Feel free to linger on q2, also consider how do we explain Badges',
    'Having connection issues... Please jump ahead to Q4!! #BadgeChat',
    'Question 2 coming up... #badgechat',
    'First question coming up... #badgechat',
    'Q1 is a great question.',
    'Loving the variety of directions that people are taking on this one Q1: nope', // lead too long
    'A1: an answer is not a question post',
    'Q100: out of range',
    'Q0: no question zero',
  ];
  it.each(notPosts)('GIVEN %j THEN it is not a question post', (text) => {
    expect(findQuestionPost(text)).toBeNull();
  });
});

describe('helpers', () => {
  it.each([
    ['#BadgeChat', true],
    ['', true],
    ['#badgechat @SenorG', true],
    ['#BadgeChat!', true],
    ['#BadgeChat great', false],
    ['A2: #BadgeChat', false],
  ] as const)('isTagsOnly(%j) is %s', (text, expected) => {
    expect(isTagsOnly(text)).toBe(expected);
  });

  it('repeatKey ignores whitespace only', () => {
    expect(repeatKey('A1:  Starts w\tasking ')).toBe(repeatKey('A1: Starts w asking'));
    expect(repeatKey('A1: Starts')).not.toBe(repeatKey('a1: Starts'));
  });

  it.each([
    ['Wrapping up… What have been some of your major takeaways from tonight’s ?', true],
    ['As an outro, please do share a takeaway before leaving.', true],
    ["No time for planned fourth question so let's skip to the outro: What's a takeaway for you", true],
    ['Thanks for the small and mighty #BadgeChat tonight!', false],
  ] as const)('looksLikeOutro(%j) is %s', (text, expected) => {
    expect(looksLikeOutro(text)).toBe(expected);
  });

  it('questionBody strips the lead, the label and the trailing chat tag', () => {
    expect(questionBody('Here we go ! Q1: How do you get buy-in? #BadgeChat', '#badgechat')).toBe('How do you get buy-in?');
    expect(questionBody('Q4: Talk is cheap. (yes, I skipped Q3) #BadgeChat', '#badgechat')).toBe('Talk is cheap. (yes, I skipped Q3)');
  });
});
