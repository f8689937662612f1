import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../src/archive/parse.ts';
import { findAnswerLabel, isLabelInstruction } from '../../src/domain/labels.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import { guidelinesText, previewText } from '../../src/domain/timetable.ts';

/**
 * Hardening #23: a host's message that tells people how to label ("answer with A1:",
 * "share your takeaways with TA:") mentions a label without answering anything.
 */
describe('isLabelInstruction', () => {
  it.each([
    guidelinesText(4),
    guidelinesText(1),
    "That's our last question! Before you go, share a takeaway from tonight's chat: start it with TA:",
    previewText('#BadgeChat', ['One?', 'Two?'], new Date('2026-11-23T23:30:00Z')),
    'share your takeaways with TA:',
    'Please answer with A1:, A2: … so we can find them',
    'Reminder: start your answers with A2: and use TA: for takeaways',
    'Use "TA:" for your takeaways',
    'Label your answers like A3: so they count',
  ])('GIVEN %j THEN it instructs', (text) => {
    expect(findAnswerLabel(text)).not.toBeNull();
    expect(isLabelInstruction(text)).toBe(true);
  });

  it.each([
    'A1: badges show skills',
    'TA: share your takeaways with friends',
    '#BadgeChat A2 I go with on this.',
    'Great chat everyone. My takeaway: start small',
    'Hi #Badgechat -ers! Kim here. Sorry to pop in late! Jumping right in, A3: I like the idea',
    'Hi there. Kerri Lemoie from @openworksgrp Q1: Badges provide evidence of learning',
    'no label at all',
  ])('GIVEN %j THEN it does not instruct', (text) => {
    expect(isLabelInstruction(text)).toBe(false);
  });
});

const HEADER = '#badgechat Archive\n\nblurb\n\nMonday October 22, 2018\n6:30 PM EDT\n\n';
const post = (author: string, minute: number, text: string, moderator = false) =>
  `  • ${author}${moderator ? ' - Moderator' : ''} Oct 22 @ 6:${String(30 + minute).padStart(2, '0')} PM EDT\n    ${text}\n`;

describe('a moderator\'s instructions in an archive', () => {
  const archive = HEADER
    + post('SenorG', 0, 'Welcome! Answer with A1:, A2: … and share your takeaways with TA: at the end', true)
    + post('SenorG', 5, 'Q1: Why badges? #badgechat', true)
    + post('amy', 6, 'A1: they show skills')
    + post('SenorG', 7, 'Nice! Remember to answer with A1: so we can find it', true)
    + post('SenorG', 8, 'A1: my own answer counts too', true)
    + post('SenorG', 25, 'Thanks all! Before you go, share your takeaways with TA:', true)
    + post('kyle', 26, 'TA: badges are evidence');
  const { result } = replayTranscript(parseArchive(archive, 'mod.txt'));

  it('are never answers; the moderator\'s own labelled answer still is', () => {
    expect(result.answers.map((a) => [a.question, a.index, a.author])).toEqual([
      [1, 2, 'amy'], [1, 4, 'SenorG'], ['TA', 6, 'kyle'],
    ]);
  });

  it('"share your takeaways with TA:" is recognised as the outro', () => {
    expect(result.outroIndex).toBe(5);
  });
});
