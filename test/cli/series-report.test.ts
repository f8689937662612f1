/**
 * `emcee series report` (issue 15) on a hand-made series of three finished sessions; every
 * expected figure is worked out by hand from this table (the bot never counts; a moderator
 * is a participant but never a first-timer, and moderating is not attendance for streaks):
 *   S1 Nov 2 "Why badges?":  amy "A1: badges motivate learners", bo "A1: learners love badges", mod
 *   S2 Nov 9 "Who issues?":  amy "A1: schools issue badges", cy "just saying hi" (no answer)
 *   S3 Nov 16 "What next?":  amy "A1: portfolios", cy "A1: portfolios and badges", di "A1: resumes"
 * Rows: S1 3 participants (2 new, mod returning), 2 answers; S2 2 (1 new: cy, 1 returning), 1 answer;
 * S3 3 (1 new: di, 2 returning), 3 answers. Retention (S3 not judged): amy back, bo not, cy
 * back: 2 of 3 = 67%. Streaks over one session: amy 3 (now 3), cy 2 (now 2).
 * Words: badges 4, learners 2, portfolios 2, then love, motivate, resumes, schools, issue 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { persistSession } from '../../src/live/persist.ts';
import { openStore } from '../../src/store/index.ts';
import { emcee } from '../helpers/emcee-cli.ts';

let dir = '';
let db = '';
let seriesId = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emcee-series-report-'));
  db = join(dir, 'emcee.sqlite');
  const store = openStore(db, new ManualClock(new Date('2026-11-20T00:00:00Z')));
  const series = await store.series.saveForChannel({ guildId: '10', channelId: '20', tag: '#Report<Chat>', timezone: 'UTC', schedule: null, settings: {} });
  seriesId = series.id;
  let seq = 0;
  const sessionOf = async (day: number, question: string, messages: [string, string, number | null, boolean?][]) => {
    const s = await persistSession(store, { series, startsAt: new Date(`2026-11-${String(day).padStart(2, '0')}T18:00:00Z`), questions: [question], questionSetId: null, state: 'ended' });
    for (const [author, text, answers, moderator] of messages) {
      const { message } = await store.messages.ingest({
        sessionId: s.id, platformId: `m${++seq}`, channelId: '20', threadId: null, authorId: `id-${author}`, authorName: author, isModerator: moderator ?? false,
        postedAt: new Date(s.startsAt.getTime() + seq * 60_000), text, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
      });
      if (answers !== null) await store.messages.recordAttribution(message, { kind: 'answer', question: answers, via: 'label', label: 'A1:', text });
    }
  };
  await sessionOf(2, 'Why badges?', [['amy', 'A1: badges motivate learners', 1], ['bo', 'A1: learners love badges', 1], ['mod', 'Welcome all!', null, true]]);
  await sessionOf(9, 'Who issues?', [['amy', 'A1: schools issue badges', 1], ['cy', 'just saying hi', null]]);
  await sessionOf(16, 'What next?', [['amy', 'A1: portfolios', 1], ['cy', 'A1: portfolios and badges', 1], ['di', 'A1: resumes', 1]]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('emcee series report', () => {
  it('json: one row per session, retention, streaks and words, as worked out by hand', async () => {
    const run = await emcee('series', 'report', String(seriesId), '--format', 'json', '--db', db);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(run.stdout) as {
      rows: { topic: string; participants: number; firstTimers: number; returning: number; answers: number }[];
      retention: unknown; streaks: unknown; words: { word: string; count: number }[];
    };
    expect(report.rows.map((r) => [r.topic, r.participants, r.firstTimers, r.returning, r.answers])).toEqual([
      ['Why badges?', 3, 2, 1, 2],
      ['Who issues?', 2, 1, 1, 1],
      ['What next?', 3, 1, 2, 3],
    ]);
    expect(report.retention).toEqual({ firstTimers: 3, cameBack: 2, share: 2 / 3 });
    expect(report.streaks).toEqual([{ author: 'amy', longest: 3, current: 3 }, { author: 'cy', longest: 2, current: 2 }]);
    expect(report.words.slice(0, 3)).toEqual([{ word: 'badges', count: 4 }, { word: 'learners', count: 2 }, { word: 'portfolios', count: 2 }]);
    expect(report.words.slice(3).map((w) => w.word).sort()).toEqual(['issue', 'love', 'motivate', 'resumes', 'schools']);
  });

  it('md by tag (without #, any case), html with the chart and escaped text, to a file', async () => {
    const md = await emcee('series', 'report', 'report<chat>', '--db', db);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# #Report&lt;Chat>: 3 sessions');
    expect(md.stdout).toContain('**Retention of first-timers:** 67% came back within the next 3 sessions (2 of 3).');
    const out = join(dir, 'report.html');
    const html = await emcee('series', 'report', String(seriesId), '--format', 'html', '--out', out, '--db', db);
    expect(html).toMatchObject({ code: 0, stdout: '' });
    expect(html.stderr).toContain(`wrote the html report of series #${seriesId}`);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('<h1>#Report&lt;Chat&gt;</h1>');
    expect(page).toContain('<desc id="chart-trend-desc">');
    expect(page.match(/class="chart-first"/g)).toHaveLength(3);
    expect(page).not.toMatch(/<script|https?:\/\/(?!discord\.com)/);
  });

  it('refuses an unknown series, a bad format, and no series at all, in one line', async () => {
    expect(await emcee('series', 'report', '99', '--db', db)).toMatchObject({ code: 1, stderr: 'emcee: there is no series #99 (emcee series list shows them)\n' });
    expect(await emcee('series', 'report', '#Nope', '--db', db)).toMatchObject({ code: 1, stderr: 'emcee: there is no series tagged #Nope (emcee series list shows them)\n' });
    expect((await emcee('series', 'report', String(seriesId), '--format', 'pdf', '--db', db)).stderr).toBe('emcee: --format must be one of md, html, json\n');
    expect((await emcee('series', 'report', '--db', db)).code).toBe(2);
    expect((await emcee('series', 'list', 'extra', '--db', db)).code).toBe(2);
  });
});
