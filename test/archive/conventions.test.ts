/**
 * Archives of other chats (issue 17): synthetic transcripts written as realistic chats in
 * the conventions of #txeduchat, #sschat, #NGSSchat, #satchat and #TLAP, each replayed
 * against labels written by hand below (question posts, answers per question, the outro,
 * the messages the grammar should flag as ambiguous). The five real archives keep their own
 * exact test (ground-truth.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../src/archive/parse.ts';
import { replayTranscript } from '../../src/archive/replay.ts';

type Line = string | [author: string, text: string, moderator?: boolean];

/** A Participate archive (authors, moderators marked) of the given lines, a minute apart. */
function participate(tag: string, lines: [author: string, text: string, moderator?: boolean][]): string {
  return `${tag} Archive\n\nA chat for educators.\n\nMonday October 22, 2018\n7:00 PM CDT\n\n` + lines.map(([author, text, moderator], i) =>
    `  • ${author}${moderator ? ' - Moderator' : ''} Oct 22 @ 7:${String(i).padStart(2, '0')} PM CDT\n    ${text}\n`).join('');
}

/** A plain archive: a title, a blurb, the date line, then one message per line (no authors). */
function plain(tag: string, lines: string[]): string {
  return `${tag} Archive\nA chat for educators.\nSaturday October 20, 2018 7:30 AM EDT\n${lines.join('\n')}\n`;
}

interface Expected {
  questions: [number: number, index: number, body?: string][];
  answers: [question: number | 'TA', index: number][];
  inferred?: [question: number, index: number][];
  outro: number | null;
  ambiguous?: number[];
}

function check(archive: string, file: string, want: Expected) {
  const { result } = replayTranscript(parseArchive(archive, file));
  expect(result.questions.map((q) => [q.number, q.index])).toEqual(want.questions.map(([n, i]) => [n, i]));
  for (const [n, , body] of want.questions) if (body !== undefined) expect(result.questions.find((q) => q.number === n)?.body).toBe(body);
  expect(result.answers.map((a) => [a.question, a.index])).toEqual(want.answers);
  expect(result.inferred.map((a) => [a.question, a.index])).toEqual(want.inferred ?? []);
  expect(result.outroIndex).toBe(want.outro);
  expect(result.ambiguous.map((a) => a.index)).toEqual(want.ambiguous ?? []);
  return result;
}

const MOD = true;

describe('archives of other chats, against labels written by hand', () => {
  it('#txeduchat (Participate): a format reminder and a template, "Question 1:", "Answer 1:", "Ans 1:", sub-answers, a trailing label, "A2 & A3:", full-width', () => {
    const result = check(participate('#txeduchat', [
      ['TxMod', "Welcome to #txeduchat! Tonight's format: questions come as Question 1, Question 2…; answer with A1, A2 and include #txeduchat", MOD], // 0 format
      ['TxMod', 'Reply template → A1: [your answer] #txeduchat', MOD], // 1 template
      ['amy', 'Hi all, Amy from Austin, 5th grade science #txeduchat'], // 2 before Q1
      ['TxMod', 'Question 1: What does project-based learning look like in your classroom? #txeduchat', MOD], // 3 Q1
      ['amy', 'Answer 1: Students pick a real problem in our community and pitch solutions #txeduchat'], // 4
      ['bo', 'A1a: Kids design the driving question together'], // 5
      ['bo', 'A1b: then they present to a real audience #txeduchat'], // 6
      ['cy', 'Ans 1: messy but worth it #txeduchat'], // 7
      ['TxMod', 'Question 2: How do you assess collaboration? #txeduchat', MOD], // 8 Q2
      ['bo', 'Rubrics co-written with students #txeduchat A2'], // 9 trailing
      ['TxMod', 'Question 3: What tools help teams stay organized? #txeduchat', MOD], // 10 Q3
      ['amy', 'A2 & A3: peer check-ins on a shared board cover both #txeduchat'], // 11 one answer to each
      ['cy', 'Ａ３： Trello boards!'], // 12 full-width
      ['TxMod', 'Thanks all! Share your takeaways with TA: before you go #txeduchat', MOD], // 13 outro
      ['bo', 'TA: co-writing rubrics #txeduchat'], // 14
    ]), 'txeduchat.txt', {
      questions: [[1, 3, 'What does project-based learning look like in your classroom? #txeduchat'], [2, 8], [3, 10]],
      answers: [[1, 4], [1, 5], [1, 6], [1, 7], [2, 9], [2, 11], [3, 11], [3, 12], ['TA', 14]],
      outro: 13,
    });
    expect(result.answers.filter((a) => a.index === 9).map((a) => a.confidence)).toEqual(['medium']); // trailing
    expect(result.answers.filter((a) => a.index === 4).map((a) => a.confidence)).toEqual(['high']);
  });

  it('#sschat (plain, no authors): questions that were images, a retweet, a trailing label, a later "Q1:" is an answer', () => {
    const result = check(plain('#sschat', [
      'Welcome to #sschat! Tonight we talk primary sources. Format reminder: Q1, Q2, Q3 come every 10 minutes; label your answers A1, A2, A3.', // 0 format
      'Hi, Dana from Ohio, 8th grade US history #sschat', // 1 before Q1
      'Q1 👇 #sschat pic.twitter.com/Qone123', // 2 Q1, an image
      'A1: letters from soldiers, always #sschat', // 3
      'RT @sschat: Q1 👇 #sschat pic.twitter.com/Qone123', // 4 a retweet
      'Newspapers from the week of the event #sschat A1', // 5 trailing
      'Q1: I start with photographs, students love them #sschat', // 6 a later Q1: an answer
      'Q2 #sschat https://t.co/Qtwo456', // 7 Q2, an image
      'A2 we compare two accounts of the same day', // 8
      'a2) the Library of Congress site #sschat', // 9
      'Q3 #sschat pic.twitter.com/Qthree789', // 10 Q3, an image
      'A3: gallery walks', // 11
      'Thanks for joining #sschat! Drop a takeaway with TA: before you go', // 12 outro
      'TA: try the LOC site', // 13
    ]), 'sschat.txt', {
      questions: [[1, 2, ''], [2, 7, ''], [3, 10, '']],
      answers: [[1, 3], [1, 5], [1, 6], [2, 8], [2, 9], [3, 11], ['TA', 13]],
      outro: 12,
      ambiguous: [6],
    });
    expect(result.ambiguous[0]!.reason).toMatch(/later Q1/);
  });

  it('#NGSSchat (Participate): "Q1 -", "Q2)", "#NGSSchat Q3 …", emoji keycaps, "A2.b)", a participant\'s Q label, "A2 & A3:", a moderator\'s second Q3', () => {
    const result = check(participate('#NGSSchat', [
      ['NGSSmod', 'How tonight works: Q1-Q4 on the quarter hour. Respond with A1, A2… and the hashtag #NGSSchat', MOD], // 0 format
      ['NGSSmod', 'Q1 - What phenomenon hooked your students this year? #NGSSchat', MOD], // 1 Q1
      ['eve', 'A1️⃣ a melting ice cube race #NGSSchat'], // 2 keycap
      ['fay', '#NGSSchat A1 the mystery of the dented can'], // 3
      ['NGSSmod', 'Q2) How do you press students for evidence? #NGSSchat', MOD], // 4 Q2
      ['eve', 'Love that can! @fay I use it too #NGSSchat'], // 5 inferred
      ['fay', 'A2.b) claim-evidence-reasoning charts'], // 6 sub-answer
      ['NGSSmod', '#NGSSchat Q3 Where do models fit in your units?', MOD], // 7 Q3, no punctuation after a hashtag
      ['gus', 'Q3: physical models before any diagram'], // 8 a participant's Q label
      ['eve', 'A2 & A3: whiteboard models, revised after each lab #NGSSchat'], // 9 one answer to each
      ['NGSSmod', 'Q3: reminder for latecomers, where do models fit? #NGSSchat', MOD], // 10 a second Q3
      ['NGSSmod', "Wrapping up! What's one takeaway? Use TA: #NGSSchat", MOD], // 11 outro
      ['gus', 'TA: models first, vocabulary later'], // 12
    ]), 'ngsschat.txt', {
      questions: [[1, 1], [2, 4], [3, 7, 'Where do models fit in your units?']],
      answers: [[1, 2], [1, 3], [2, 6], [3, 8], [2, 9], [3, 9], ['TA', 12]],
      inferred: [[2, 5]],
      outro: 11,
      ambiguous: [10],
    });
    expect(result.inferred[0]!.confidence).toBe('low');
  });

  it('#satchat (plain): a template, "Question #1:", "Answer #1 -", "QUESTION 2.", "Ans 2:", "A 2:"', () => {
    check(plain('#satchat', [
      'Good morning #satchat! Template for answers: A1: [your answer] #satchat', // 0 template
      'Question #1: How do school leaders protect teacher time? #satchat', // 1 Q1
      'Answer 1: fewer meetings, more planning blocks #satchat', // 2
      'Answer #1 - we cut our staff email by half', // 3
      'QUESTION 2. What does good feedback look like? #satchat', // 4 Q2
      'Ans 2: timely and specific', // 5
      'A 2: and kind', // 6
      'Question 3: How do you celebrate wins? #satchat', // 7 Q3
      'A3: shout-outs at the start of every meeting #satchat', // 8
      'Thanks #satchat! Takeaways? Start yours with TA:', // 9 outro
      'TA: protect the time, then everything else follows', // 10
    ]), 'satchat.txt', {
      questions: [[1, 1, 'How do school leaders protect teacher time? #satchat'], [2, 4], [3, 7]],
      answers: [[1, 2], [1, 3], [2, 5], [2, 6], [3, 8], ['TA', 10]],
      outro: 9,
    });
  });

  it('#TLAP (Participate): a label explanation in quotes, "Q 1:", an inline label after a greeting, full-width Q labels, "A2/A3:"', () => {
    check(participate('#TLAP', [
      ['TLAPmod', 'Welcome to #TLAP! Label answers like "A1:" or "a1)" and add #TLAP', MOD], // 0 format
      ['TLAPmod', 'Q 1: What hook will you use on Monday? #TLAP', MOD], // 1 Q1
      ['hal', 'A1: a mystery box on my desk #TLAP'], // 2
      ['ivy', 'Hi! Ivy here, first #TLAP. A1: costume day'], // 3 inline
      ['TLAPmod', 'Q２: How do you keep energy high after lunch? #TLAP', MOD], // 4 Q2, full-width digit
      ['hal', '#TLAP A2 movement breaks every 15 minutes'], // 5
      ['ivy', 'Ｑ２： music!'], // 6 a participant's full-width Q label
      ['TLAPmod', 'Q3: What will you try this week? #TLAP', MOD], // 7 Q3
      ['hal', 'A2/A3: a new brain break, and trying it Monday #TLAP'], // 8 one answer to each
      ['ivy', 'TA: hooks matter #TLAP'], // 9
    ]), 'tlap.txt', {
      questions: [[1, 1], [2, 4], [3, 7]],
      answers: [[1, 2], [1, 3], [2, 5], [2, 6], [2, 8], [3, 8], ['TA', 9]],
      outro: null,
    });
  });
});

describe('ambiguous messages are listed with how they were read', () => {
  it('two labels, a participant\'s instruction, a participant\'s Q label before that question, an answer to a question never posted', () => {
    const { result } = replayTranscript(parseArchive(participate('#chat', [
      ['mod', 'Q1: First question? #chat', MOD], // 0
      ['amy', 'A1: yes, and see my A2: later'], // 1 two labels
      ['bo', 'Newbies: answer with A1: like this #chat'], // 2 a participant's instruction
      ['cy', 'Q2: what about assessment?'], // 3 Q2 not posted yet
      ['di', 'A5: wrong number'], // 4 never posted
    ] satisfies Line[] as [string, string, boolean?][]), 'ambiguous.txt'));
    expect(result.ambiguous.map((a) => [a.index, a.reason])).toEqual([
      [1, 'labels for Q1 and Q2: counted under Q1'],
      [2, 'reads as an answer to Q1 or as an instruction to label answers'],
      [3, "a participant's Q2 before Q2 was posted: counted as an answer"],
      [4, 'answers Q5, which was never posted'],
    ]);
  });
});
