import { describe, expect, it } from 'vitest';
import {
  findAnswerLabel, findQuestionAnnouncement, findQuestionPost, isTagsOnly, looksLikeOutro, questionBody, repeatKey,
} from '../../src/domain/labels.ts';

describe('findAnswerLabel', () => {
  // [text, expected target, letter, position]
  const answers: [string, number | 'TA', 'A' | 'Q' | 'TA', 'lead' | 'inline' | 'trailing'][] = [
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
    // Other chats' conventions (issue 17).
    ['A1a: the first part of my answer', 1, 'A', 'lead'],
    ['A1.b) and the second part', 1, 'A', 'lead'],
    ['A1b: sub-answers count for their question', 1, 'A', 'lead'],
    ['A2b I think so too', 2, 'A', 'lead'],
    ['Answer 1: spelled out', 1, 'A', 'lead'],
    ['Ans 2: abbreviated', 2, 'A', 'lead'],
    ['ans. 3 - with a period', 3, 'A', 'lead'],
    ['Answer #4: with a number sign', 4, 'A', 'lead'],
    ['#txeduchat Answer 2: after the tag', 2, 'A', 'lead'],
    ['A 1: with a space', 1, 'A', 'lead'],
    ['Ａ１： full-width label', 1, 'A', 'lead'],
    ['A1️⃣ an emoji keycap', 1, 'A', 'lead'],
    ['a1️⃣: keycap and colon', 1, 'A', 'lead'],
    ['Q２: a participant, full-width digit', 2, 'Q', 'lead'],
    ['Sorry I am late! Answer 3: inline spelled out', 3, 'A', 'inline'],
    ['Hi all, A1b: inline sub-answer', 1, 'A', 'inline'],
    ['Badges open doors for learners #txeduchat A1', 1, 'A', 'trailing'],
    ['Badges open doors for learners A2 #sschat', 2, 'A', 'trailing'],
    ['Badges open doors for learners A3. #NGSSchat #edchat', 3, 'A', 'trailing'],
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
    // Near-misses of the new forms.
    'A1f: only a to e are sub-answers',
    'A1ab: one sub-answer letter at most',
    'Answer 2 questions and win a prize', // spelled out needs punctuation
    'Answers are welcome anytime',
    'I love my new vitamin A1', // at the end but no hashtag beside it
    'Badges open doors #txeduchat A1 and more', // not at the end
    'the HbA1c test #health',
    'A 1 day workshop', // the spaced form needs punctuation
  ];
  it.each(nearMisses)('GIVEN near miss %j THEN no label', (text) => {
    expect(findAnswerLabel(text)).toBeNull();
  });

  it.each([
    ['A2/A3: one answer to two questions', 2, [3]],
    ['A2 & A3: both', 2, [3]],
    ['a2, a3: lower case', 2, [3]],
    ['A2 and A3: spelled', 2, [3]],
    ['A1/2: bare second number', 1, [2]],
    ['#sschat A2/A3/A4: three', 2, [3, 4]],
    ['Late! A2 & A3: inline', 2, [3]],
    ['A1/A1: the same twice', 1, []],
  ] as const)('GIVEN multi-answer %j THEN it answers %i and also %j', (text, target, also) => {
    expect(findAnswerLabel(text)).toMatchObject({ target, also });
  });

  it('GIVEN "A1/2 of the class" THEN a fraction is no second question', () => {
    expect(findAnswerLabel('A1/2 of the class agreed')?.also ?? []).toEqual([]);
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
    // Other chats' conventions (issue 17).
    ['Question 1: What does PBL look like in your class?', 1],
    ['Question #2: What tools do you use?', 2],
    ['QUESTION 3. How do you assess?', 3],
    ['Q 1: spaced', 1],
    ['Q1 - What is a good first step? #txeduchat', 1],
    ['Q2) How do you start?', 2],
    ['#satchat Q1 What does leadership look like?', 1],
    ['#sschat #edchat Q3 Which primary sources work?', 3],
    ['Ｑ１： full-width', 1],
    ['Q1️⃣ What is your why?', 1],
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
    // Near-misses of the new forms.
    'Question 2 was my favourite',
    'Question #1 is the hardest one tonight',
    'the Q1 answers were great.',
    'Q3 will be posted in five minutes', // no punctuation, no leading hashtag, real words follow
  ];
  it.each(notPosts)('GIVEN %j THEN it is not a question post', (text) => {
    expect(findQuestionPost(text)).toBeNull();
  });
});

describe('findQuestionAnnouncement: a question that was an image', () => {
  it.each([
    ['Q1 #txeduchat pic.twitter.com/AbC123', 1],
    ['Here is Q2! 👇 #sschat https://t.co/xyz', 2],
    ['Q3 #NGSSchat', 3],
    ['Q4:', 4],
    ['#TLAP Question 5 📷', 5],
  ] as const)('GIVEN %j THEN question %i with no text', (text, number) => {
    expect(findQuestionAnnouncement(text)).toEqual({ number, body: '' });
  });

  it('keeps the text of a question that has one', () => {
    expect(findQuestionAnnouncement('Question 1: What is PBL? #txeduchat')).toEqual({ number: 1, body: 'What is PBL? #txeduchat' });
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
