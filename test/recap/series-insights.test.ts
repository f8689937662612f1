import { describe, expect, it } from 'vitest';
import { retention, sessionRows, streaks, topWords, type SeriesSessionInput } from '../../src/recap/series-insights.ts';

// Expected values computed by hand from this attendance table (not by the code under test);
// (mod) moderated that session, so it is never their first-timer session nor attendance:
//   S1 Nov 2: amy bo cy mo(mod)   S2 Nov 9: amy di mo(mod)   S3 Nov 16: bo di ed   S4 Nov 23: amy di fay mo
const session = (sessionId: number, day: number, authors: string[], answers: number, moderators: string[] = []): SeriesSessionInput =>
  ({ sessionId, startsAt: new Date(`2026-11-${String(day).padStart(2, '0')}T18:00:00Z`), topic: `Topic ${sessionId}`, authors, moderators, answers });
// Given out of order, with a name twice: both must not matter.
const SERIES = [
  session(3, 16, ['bo', 'di', 'ed'], 5),
  session(1, 2, ['mo', 'amy', 'bo', 'cy', 'amy'], 4, ['mo']),
  session(4, 23, ['amy', 'di', 'fay', 'mo'], 6),
  session(2, 9, ['amy', 'mo', 'di'], 2, ['mo']),
];

describe('series insights', () => {
  it('one row per session, oldest first: participants, first-timers and returning (a moderator is never a first-timer)', () => {
    // S1: mo moderates, so returning; S4: mo writes as a participant, but wrote before (S1, S2).
    expect(sessionRows(SERIES).map((r) => [r.sessionId, r.participants, r.firstTimers, r.returning, r.answers])).toEqual([
      [1, 4, 3, 1, 4],
      [2, 3, 1, 2, 2],
      [3, 3, 1, 2, 5],
      [4, 4, 1, 3, 6],
    ]);
  });

  it('retention: first-timers who came back within the next 3 sessions (the last session\'s not judged yet)', () => {
    // S1: amy (S2) and bo (S3) came back, cy did not; S2: di (S3); S3: ed did not. 3 of 5.
    expect(retention(SERIES)).toEqual({ firstTimers: 5, cameBack: 3, share: 0.6 });
    // Within the next session only: amy (S1 → S2) and di (S2 → S3). 2 of 5.
    expect(retention(SERIES, 1)).toEqual({ firstTimers: 5, cameBack: 2, share: 0.4 });
    expect(retention([SERIES[1]!])).toEqual({ firstTimers: 0, cameBack: 0, share: null });
  });

  it('streaks: the longest run of sessions in a row, and the run up to the latest (moderating is not attending)', () => {
    expect(streaks(SERIES)).toEqual([
      { author: 'di', longest: 3, current: 3 },
      { author: 'amy', longest: 2, current: 1 },
      { author: 'fay', longest: 1, current: 1 },
      { author: 'mo', longest: 1, current: 1 },
      { author: 'bo', longest: 1, current: 0 },
      { author: 'cy', longest: 1, current: 0 },
      { author: 'ed', longest: 1, current: 0 },
    ]);
  });

  it('top words: no stop words, links, mentions, hashtags or labels', () => {
    expect(topWords([
      'A1: Badges motivate learners! https://x.io/?utm_source=1 #BadgeChat',
      'a2) Learners share badges with @amy and <@123456>',
      'TA: badges, badges everywhere — motivate!',
    ])).toEqual([
      { word: 'badges', count: 4 },
      { word: 'learners', count: 2 },
      { word: 'motivate', count: 2 },
      { word: 'everywhere', count: 1 },
      { word: 'share', count: 1 },
    ]);
    expect(topWords(['one two three four five six'], 2)).toEqual([{ word: 'five', count: 1 }, { word: 'four', count: 1 }]);
  });
});
