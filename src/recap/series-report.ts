/**
 * A series across its sessions (issue 15): `emcee series report`, one row per finished
 * session (date, topic, participants, first-timers, returning, answers), a chart of
 * participants split into first-timers and returning, the retention of first-timers, the
 * participants' attendance streaks, and the words the answers use most. Markdown, a
 * self-contained HTML page (no script, nothing external), or JSON (fields only ever added).
 */
import type { Series } from '../domain/series.ts';
import { md } from './markdown.ts';
import type { Repositories } from '../store/port.ts';
import type { SessionState } from '../store/sessions.ts';
import { escapeHtml, htmlPage, relativeHref } from './html.ts';
import { buildRecap, formatDate } from './model.ts';
import { retention, sessionRows, streaks, topWords, type Retention, type SeriesSessionInput, type SeriesSessionRow, type Streak } from './series-insights.ts';
import { escapeXml, niceMax } from './svg.ts';

/** Sessions worth a page (and a row): the ones that are over. Planned, running and cancelled ones are left out. */
export const LISTED_STATES: readonly SessionState[] = ['archived', 'ended'];

export interface SeriesReport {
  series: Series;
  rows: SeriesSessionRow[];
  retention: Retention;
  /** Participants who came to more than one session in a row, longest first (at most 10). */
  streaks: Streak[];
  words: { word: string; count: number }[];
}

/** The finished sessions of the series, read through the store's iterators (flat memory). */
export async function buildSeriesReport(store: Repositories, series: Series): Promise<SeriesReport> {
  const sessions = (await store.sessions.listBySeries(series.id)).filter((s) => LISTED_STATES.includes(s.state));
  const inputs: SeriesSessionInput[] = [];
  const texts: string[] = [];
  for (const session of sessions) {
    let answers = 0;
    for await (const a of store.messages.iterateAnswers(session.id)) {
      answers++;
      texts.push(a.text);
    }
    const recap = await buildRecap(store, session.id, { keepAnswers: false, takeaways: 0 });
    const topic = recap.questions.find((q) => q.text !== null)?.text ?? '(no questions)';
    // The recap's participants, so that a row agrees with its session's recap.
    const authors = recap.participants.map((p) => p.name);
    const moderators = recap.participants.filter((p) => p.moderator).map((p) => p.name);
    inputs.push({ sessionId: session.id, startsAt: session.startsAt, topic, authors, moderators, answers });
  }
  return {
    series,
    rows: sessionRows(inputs),
    retention: retention(inputs),
    streaks: streaks(inputs).filter((s) => s.longest > 1).slice(0, 10),
    words: topWords(texts, 20),
  };
}

const percent = (r: Retention) => (r.share === null ? 'n/a' : `${Math.round(r.share * 100)}%`);

/** The report as Markdown: user text escaped, nothing that can ping. */
export function seriesReportMarkdown(report: SeriesReport): string {
  const { series, rows } = report;
  const date = (d: Date) => formatDate(d, series.timezone);
  const out = [
    `# ${md(series.tag)}: ${rows.length} session${rows.length === 1 ? '' : 's'}`,
    '',
    '| # | date | topic | participants | first-timers | returning | answers |',
    '|---|---|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.sessionId} | ${date(r.startsAt)} | ${md(r.topic)} | ${r.participants} | ${r.firstTimers} | ${r.returning} | ${r.answers} |`),
    '',
    `**Retention of first-timers:** ${percent(report.retention)} came back within the next 3 sessions (${report.retention.cameBack} of ${report.retention.firstTimers}).`,
    '',
    '**Attendance streaks** (sessions in a row):',
    '',
    ...(report.streaks.length ? report.streaks.map((s) => `- ${md(s.author)}: ${s.longest} (now ${s.current})`) : ['- none longer than one session']),
    '',
    `**Most-used words in answers:** ${report.words.map((w) => `${md(w.word)} (${w.count})`).join(', ') || 'none'}`,
    '',
  ];
  return out.join('\n');
}

/** The report as JSON (dates ISO 8601 UTC). */
export function seriesReportJson(report: SeriesReport): string {
  const { series, ...rest } = report;
  return `${JSON.stringify({ series: { id: series.id, tag: series.tag, guildId: series.guildId, channelId: series.channelId, timezone: series.timezone }, ...rest }, null, 2)}\n`;
}

/** Participants per session as stacked bars: first-timers, then returning. */
export function participantsTrendChart(rows: readonly SeriesSessionRow[], timezone = 'UTC', id = 'chart-trend'): string {
  if (rows.length === 0) return '<p class="chart-note">No finished sessions yet.</p>';
  const W = 360, left = 28, bottom = 18, top = 8, height = 160;
  const plotH = height - top - bottom, plotW = W - left - 8;
  const max = niceMax(Math.max(...rows.map((r) => r.participants)));
  const slot = plotW / rows.length, barW = Math.max(2, Math.min(28, slot * 0.7));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const r2 = (v: number) => String(Math.round(v * 100) / 100);
  const desc = rows.map((r) => `session ${r.sessionId}: ${r.firstTimers} first-timer${r.firstTimers === 1 ? '' : 's'}, ${r.returning} returning`).join('; ') + '.';
  const out = [
    `<svg class="chart" id="${id}" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="system-ui, sans-serif" font-size="11">`,
    `<title id="${id}-title">Participants per session</title><desc id="${id}-desc">${escapeXml(desc)}</desc>`,
    `<text x="${left - 4}" y="${r2(y(max) + 4)}" text-anchor="end" fill="#5b616b">${max}</text>`,
    `<text x="${left - 4}" y="${r2(y(0))}" text-anchor="end" fill="#5b616b">0</text>`,
  ];
  rows.forEach((r, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    out.push(`<rect class="chart-first" x="${r2(x)}" y="${r2(y(r.firstTimers))}" width="${r2(barW)}" height="${r2(y(0) - y(r.firstTimers))}" fill="#c2410c"/>`);
    if (rows.length <= 12 || i % Math.ceil(rows.length / 12) === 0) {
      const day = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: timezone }).format(r.startsAt);
      out.push(`<text x="${r2(x + barW / 2)}" y="${height - 4}" text-anchor="middle" fill="#5b616b">${escapeXml(day)}</text>`);
    }
    out.push(`<rect class="chart-returning" x="${r2(x)}" y="${r2(y(r.participants))}" width="${r2(barW)}" height="${r2(y(r.firstTimers) - y(r.participants))}" fill="#3a6fe0"/>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** The report as a self-contained HTML page; `back` links to where it was reached from (the site's index). */
export function seriesReportHtml(report: SeriesReport, back?: { href: string; text: string }): string {
  const { series, rows } = report;
  const body = [
    ...(back ? [`<p class="back"><a href="${relativeHref(back.href)}">${escapeHtml(back.text)}</a></p>`] : []),
    `<header><h1>${escapeHtml(series.tag)}</h1><p class="meta">${rows.length} session${rows.length === 1 ? '' : 's'} · times in ${escapeHtml(series.timezone)}</p></header>`,
    '<section><h2>Participants</h2>',
    participantsTrendChart(rows, series.timezone),
    '<p class="note"><span style="color:#c2410c">■</span> first-timers <span style="color:#3a6fe0">■</span> returning</p></section>',
    '<section><h2>Sessions</h2><div style="overflow-x:auto"><table><thead><tr><th>#</th><th>Date</th><th>Topic</th><th>Participants</th><th>First-timers</th><th>Returning</th><th>Answers</th></tr></thead><tbody>',
    ...rows.map((r) => `<tr><td>${r.sessionId}</td><td>${escapeHtml(formatDate(r.startsAt, series.timezone))}</td><td>${escapeHtml(r.topic)}</td><td>${r.participants}</td><td>${r.firstTimers}</td><td>${r.returning}</td><td>${r.answers}</td></tr>`),
    '</tbody></table></div></section>',
    `<section><h2>Retention</h2><p>${escapeHtml(`${percent(report.retention)} of first-timers came back within the next 3 sessions (${report.retention.cameBack} of ${report.retention.firstTimers}).`)}</p></section>`,
    '<section><h2>Attendance streaks</h2>',
    report.streaks.length ? `<ul>${report.streaks.map((s) => `<li>${escapeHtml(s.author)}: ${s.longest} in a row (now ${s.current})</li>`).join('')}</ul>` : '<p class="note">None longer than one session.</p>',
    '</section>',
    `<section><h2>Most-used words in answers</h2><p>${escapeHtml(report.words.map((w) => `${w.word} (${w.count})`).join(', ') || 'none')}</p></section>`,
  ];
  return htmlPage(`${series.tag}: series report`, body.join('\n'));
}
