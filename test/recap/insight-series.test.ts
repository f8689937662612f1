/**
 * Every figure of issue 15 on a seeded series of three sessions (test/fixtures/insight-
 * series.ts), checked against values worked out by hand there, then pinned in golden files:
 * a session's recap in every format and the series report in every format. The same pages
 * are opened in Chromium by test/recap/browser.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { exportCsv } from '../../src/recap/csv.ts';
import { renderHtml } from '../../src/recap/html.ts';
import { exportJson } from '../../src/recap/json.ts';
import { renderMarkdown } from '../../src/recap/markdown.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { buildSeriesReport, seriesReportHtml, seriesReportJson, seriesReportMarkdown } from '../../src/recap/series-report.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { Series } from '../../src/domain/series.ts';
import type { Session } from '../../src/store/sessions.ts';
import { EXPECTED_INSIGHTS, EXPECTED_REPORT, insightSeries } from '../fixtures/insight-series.ts';
import { expectGolden } from '../helpers/golden.ts';

let store: Store;
let series: Series;
let sessions: Session[];

const text = async (chunks: AsyncIterable<string>) => {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
};

beforeAll(async () => {
  store = openStore(':memory:', new ManualClock(new Date('2026-11-20T00:00:00Z')));
  ({ series, sessions } = await insightSeries(store));
  return () => store.close();
});

describe('issue 15 figures on a seeded series, by hand', () => {
  it.each([0, 1, 2])('session %i: conversation, first-timers and links', async (i) => {
    expect((await buildRecap(store, sessions[i]!.id)).insights).toEqual(EXPECTED_INSIGHTS[i]);
  });

  it("highlights: Q1's most-reacted answers of session 1, most first (cy 3, amy 2)", async () => {
    const recap = await buildRecap(store, sessions[0]!.id);
    expect(recap.questions[0]!.highlights.map((a) => [a.author, a.reactions])).toEqual([['cy', 3], ['amy', 2]]);
  });

  it('the live status names the same first-timers as the recap, and whether someone replied', async () => {
    const live = await Promise.all(sessions.map((s) => store.newcomers.firstTimers(s.id)));
    expect(live.map((l) => l.map((f) => [f.authorName, f.repliedTo]))).toEqual([
      [['amy', true], ['bo', true], ['cy', false]],
      [['di', false]],
      [['ed', true]],
    ]);
    for (const [i, s] of sessions.entries()) {
      const recap = await buildRecap(store, s.id);
      expect(recap.participants.filter((p) => p.firstTime).map((p) => p.name).sort()).toEqual(live[i]!.map((f) => f.authorName).sort());
    }
  });

  it('the series report: rows, retention, streaks and words', async () => {
    const report = await buildSeriesReport(store, series);
    expect(report.rows.map((r) => [r.topic, r.participants, r.firstTimers, r.returning, r.answers])).toEqual(EXPECTED_REPORT.rows);
    expect(report.retention).toEqual(EXPECTED_REPORT.retention);
    expect(report.streaks).toEqual(EXPECTED_REPORT.streaks);
    expect(report.words.map((w) => w.word)).toEqual(EXPECTED_REPORT.words);
    expect(report.words[0]).toEqual({ word: 'portfolios', count: 2 });
  });
});

describe('golden files of the seeded series', () => {
  it('session 1 recap in md, html, json and csv', async () => {
    const id = sessions[0]!.id;
    const recap = await buildRecap(store, id);
    expectGolden('insights/session-1.md', renderMarkdown(recap));
    expectGolden('insights/session-1.html', renderHtml(recap));
    expectGolden('insights/session-1.json', await text(exportJson(store, id)));
    expectGolden('insights/session-1.csv', await text(exportCsv(store, id)));
  });

  it('the series report in md, html and json', async () => {
    const report = await buildSeriesReport(store, series);
    expectGolden('insights/series.md', seriesReportMarkdown(report));
    expectGolden('insights/series.html', seriesReportHtml(report));
    expectGolden('insights/series.json', seriesReportJson(report));
  });
});
