import { stripControls } from '../domain/text.ts';
import type { Repositories } from '../store/port.ts';
import { joinElements, streamElements, type Element } from './compose.ts';
import { answersIn, buildRecap, formatDate, formatTime, recapAnswers, type Participant, type Recap, type RecapAnswer, type RecapQuestion } from './model.ts';
import { insightsHtml } from './insights-render.ts';
import { answersPerQuestionChart, hasTimeline, messagesPerMinuteChart } from './svg.ts';

/**
 * The HTML recap: one self-contained page (inline CSS and SVG, no script, no external
 * request; a Content-Security-Policy forbids any), readable on a phone and on a desktop,
 * light or dark. Every piece of user text goes through escapeHtml, and the only links out
 * are http(s) links to the Discord messages (safeHref).
 */

/**
 * Escapes text for HTML content and (quoted) attribute values: & < > " '. Controls and bidi
 * overrides are dropped first (src/domain/text.ts): an author "\u202eevil" cannot show as
 * "live", nor reorder the page around it (#28). User text elements also carry dir="auto"
 * (or are <bdi>), which isolates their direction from what surrounds them.
 */
export function escapeHtml(text: string): string {
  return stripControls(text).replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]!};`);
}

/** An absolute http(s) URL, escaped for an attribute; null for anything else (javascript:, data:, …). */
export function safeHref(url: string | null): string | null {
  if (!url || !/^https?:\/\//i.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? escapeHtml(parsed.href) : null;
  } catch {
    return null;
  }
}

/** A relative link (no scheme, no host, no leading slash), escaped for an attribute; throws otherwise. */
export function relativeHref(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || path.startsWith('\\') || /\s/.test(path)) {
    throw new Error(`not a relative link: ${path}`);
  }
  return escapeHtml(path);
}

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#fbfbfa;--fg:#1c1e22;--muted:#575d67;--card:#f1f3f6;--border:#d9dde3;--accent:#1f4fbf;--bar:#3a6fe0;--mark:#c2410c;--badge:#e6ebf5;--badge-fg:#2b3a55;--new:#d9f2e1;--new-fg:#135c2e;--warn:#fdebd3;--warn-fg:#7a3a05}
@media (prefers-color-scheme:dark){:root{--bg:#14161a;--fg:#e7e9ed;--muted:#a4abb6;--card:#1e2229;--border:#363c47;--accent:#93b6ff;--bar:#6d9bff;--mark:#fb923c;--badge:#2a3242;--badge-fg:#cbd6ee;--new:#173d27;--new-fg:#a6e7bb;--warn:#45290d;--warn-fg:#fcc98f}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji"}
main{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
a{color:var(--accent)}
h1,h2,h3{line-height:1.25}
h1{font-size:1.75rem;margin:.2rem 0 .5rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2.2rem 0 .8rem;padding-bottom:.3rem;border-bottom:1px solid var(--border)}
h3{font-size:1.05rem;margin:0 0 .3rem}
.back{margin:0 0 1rem;font-size:.95rem}
.kicker{margin:0;color:var(--muted);font-size:.8rem;font-weight:600;letter-spacing:.08em;text-transform:uppercase}
h1 .when{display:block;font-size:1.05rem;font-weight:500;color:var(--muted);margin-top:.25rem}
.meta,.note,.qmeta{color:var(--muted);margin:.2rem 0}
.qmeta{font-size:.9rem}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.6rem;margin:0}
.stat{background:var(--card);border:1px solid var(--border);border-radius:.5rem;padding:.55rem .75rem;min-width:0}
.stat dt{font-size:.8rem;color:var(--muted)}
.stat dd{margin:0;font-size:1.2rem;font-weight:650;overflow-wrap:anywhere}
.stat dd small{font-size:.8rem;font-weight:400;color:var(--muted)}
figure{margin:0 0 1.2rem}
figcaption{font-size:.9rem;color:var(--muted);margin-bottom:.3rem}
svg.chart{display:block;width:100%;max-width:36rem;height:auto;overflow:visible}
svg.chart .chart-bar{fill:var(--bar)}
svg.chart .chart-bar-skipped{fill:var(--muted)}
svg.chart .chart-label,svg.chart .chart-value{fill:var(--muted)}
svg.chart .chart-grid,svg.chart .chart-track{fill:var(--border);stroke:var(--border)}
svg.chart .chart-axis{stroke:var(--muted)}
svg.chart .chart-marker{stroke:var(--mark)}
svg.chart .chart-marker-label{fill:var(--mark);font-weight:600}
.chart-note{color:var(--muted);font-style:italic}
.question{margin:0 0 1.8rem}
.qnum{display:inline-block;min-width:2.2em;color:var(--accent)}
.qtext{white-space:pre-wrap;overflow-wrap:anywhere}
.unasked{color:var(--muted);font-style:italic}
ol.answers,ul.list{list-style:none;margin:.6rem 0 0;padding:0}
.answer{background:var(--card);border:1px solid var(--border);border-radius:.5rem;padding:.55rem .8rem;margin:0 0 .5rem;min-width:0}
.byline{margin-bottom:.25rem;display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .55rem;font-size:.9rem}
[dir=auto],bdi{unicode-bidi:isolate}
.author{font-weight:650;overflow-wrap:anywhere}
.byline time{color:var(--muted)}
.text{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.75rem;line-height:1.5;padding:0 .45em;border-radius:999px;background:var(--badge);color:var(--badge-fg);white-space:nowrap;font-weight:500}
.badge.new{background:var(--new);color:var(--new-fg)}
.badge.warn{background:var(--warn);color:var(--warn-fg)}
.open{margin-left:auto;white-space:nowrap}
.people{width:100%;border-collapse:collapse;font-size:.95rem}
.people th,.people td{text-align:left;padding:.35rem .4rem;border-bottom:1px solid var(--border);vertical-align:baseline}
.people th{font-size:.8rem;color:var(--muted);font-weight:600}
.people td.num,.people th.num{text-align:right;font-variant-numeric:tabular-nums;width:5.5rem}
.people .name{overflow-wrap:anywhere}
.series{margin:0 0 2.5rem}
.session{background:var(--card);border:1px solid var(--border);border-radius:.5rem;padding:.75rem .9rem;margin:0 0 .75rem}
.session h3{margin:0 0 .2rem}
.session h3 a{text-decoration:none}
.session h3 a:hover{text-decoration:underline}
.topic{margin:.2rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
.counts{font-size:.9rem;color:var(--muted);margin:.2rem 0}
.takeaways{margin:.4rem 0 0;padding-left:1.1rem;font-size:.92rem}
.takeaways .by{color:var(--muted)}
.takeaways li{margin:.2rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
footer{margin-top:3rem;font-size:.85rem;color:var(--muted)}
`.trim();

/** The document shell shared by the recap and the site index. `title` and `body`: title is text, body is HTML. */
export function htmlPage(title: string, body: string): string {
  return `${htmlPageStart(title)}${body}${HTML_PAGE_END}`;
}

/** The shell up to the page's content (htmlPage's first part). */
export function htmlPageStart(title: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>\n${PAGE_CSS}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    '',
  ].join('\n');
}

/** The shell after the page's content. */
export const HTML_PAGE_END = '\n</main>\n</body>\n</html>\n';

export interface RenderHtmlOptions {
  /** A link shown above the title, e.g. back to the site index: a relative href and its text. */
  back?: { href: string; text: string };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "45 s", "2 min", "3 min 20 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const rest = s % 60;
  return rest === 0 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 60)} min ${rest} s`;
}

/** "T+6" (minutes from the start), or "T−2" before it. */
function offset(at: Date, start: Date): string {
  const minutes = Math.floor((at.getTime() - start.getTime()) / 60_000);
  return minutes < 0 ? `T−${-minutes}` : `T+${minutes}`;
}

/** Plain archives do not record who wrote what: counts of people would mislead. */
function authorsUnknown(recap: Recap): boolean {
  return recap.session.format === 'plain';
}

export function renderHtml(recap: Recap, options: RenderHtmlOptions = {}): string {
  return htmlPage(recap.title, joinElements(htmlElements(recap, options), answersIn(recap)));
}

/** The same page written question by question from the store, in chunks (flat memory). */
export async function* streamHtml(store: Repositories, sessionId: number, options: RenderHtmlOptions = {}): AsyncGenerator<string> {
  const head = await buildRecap(store, sessionId, { keepAnswers: false, takeaways: 0 });
  yield* streamElements(htmlElements(head, options), (of) => recapAnswers(store, head.series, sessionId, of, head.notes), htmlPageStart(head.title), HTML_PAGE_END);
}

/** The page's body: its lines, joined by newlines. */
function* htmlElements(recap: Recap, options: RenderHtmlOptions): Generator<Element> {
  const tz = recap.series.timezone;
  if (options.back) yield `<p class="back"><a href="${relativeHref(options.back.href)}">${escapeHtml(options.back.text)}</a></p>`;

  yield '<header>';
  yield '<p class="kicker">Chat recap</p>';
  yield `<h1><bdi>${escapeHtml(recap.series.tag)}</bdi><span class="when">${escapeHtml(formatDate(recap.session.startsAt, recap.series.timezone))}</span></h1>`;
  const meta = headerLine(recap);
  if (meta) yield `<p class="meta">${escapeHtml(meta)}</p>`;
  if (recap.session.state === 'running' || recap.session.state === 'paused') {
    yield `<p class="note">This chat is still ${escapeHtml(recap.session.state)}: the recap shows it so far.</p>`;
  }
  yield '</header>';

  yield* ['<section aria-labelledby="h-stats">', '<h2 id="h-stats">At a glance</h2>', statsList(recap), '</section>'];

  yield* ['<section aria-labelledby="h-activity">', '<h2 id="h-activity">Activity</h2>'];
  yield hasTimeline(recap)
    ? `<figure><figcaption>Messages per minute, from the start (T+0); dashed lines mark the prompts</figcaption>${messagesPerMinuteChart(recap)}</figure>`
    : `<figure><figcaption>Messages per minute</figcaption>${messagesPerMinuteChart(recap)}</figure>`;
  yield `<figure><figcaption>Answers per question</figcaption>${answersPerQuestionChart(recap)}</figure>`;
  yield '</section>';

  const item = (a: RecapAnswer) => answer(a, tz);
  yield* ['<section aria-labelledby="h-questions">', '<h2 id="h-questions">Questions and answers</h2>'];
  if (recap.questions.length === 0) yield '<p class="note">No questions were asked or answered.</p>';
  for (const q of recap.questions) yield* question(q, recap, item);
  yield '</section>';

  yield* ['<section aria-labelledby="h-takeaways">', '<h2 id="h-takeaways">Takeaways</h2>'];
  yield { of: 'TA', ...ANSWER_LIST, item, none: '<p class="note">No takeaways were shared.</p>' };
  yield '</section>';

  yield* ['<section aria-labelledby="h-participants">', '<h2 id="h-participants">Participants</h2>', participants(recap), '</section>'];
  yield* insightsHtml(recap.insights, recap.session.source === 'live');
  yield '<footer>Recap by Emcee.</footer>';
}

/** A list of answers (a question's, or the takeaways). */
const ANSWER_LIST = { open: '<ol class="answers">\n', close: '\n</ol>' };

function headerLine(recap: Recap): string {
  const parts: string[] = [];
  if (recap.moderators.length) parts.push(`Moderated by ${recap.moderators.join(', ')}`);
  if (recap.session.source === 'archive') parts.push(`Imported from ${recap.session.sourceName ?? 'an archive'}`);
  return parts.join(' · ');
}

function statsList(recap: Recap): string {
  const s = recap.stats;
  const unknown = authorsUnknown(recap);
  const items: [string, string][] = [
    ['Messages', String(s.messages)],
    ['Participants', unknown ? 'not recorded' : String(s.participants)],
    ['First-timers / returning', unknown ? 'not recorded' : `${s.firstTimers} <small>/</small> ${s.returning}`],
    ['Answers', String(s.answers)],
    ...(recap.event ? [['Interested / took part', `${recap.event.interested} <small>/</small> ${recap.event.tookPart}`] as [string, string]] : []),
    ['Median time to a first answer', s.medianSecondsToFirstAnswer === null ? 'unknown' : formatDuration(s.medianSecondsToFirstAnswer)],
    ['Moderator share', unknown ? 'not recorded' : `${Math.round(s.moderatorShare * 100)}% <small>of messages</small>`],
    ['Late answers', String(s.lateAnswers)],
    ['Skipped questions', s.skippedQuestions.length ? s.skippedQuestions.map((n) => `Q${n}`).join(', ') : 'none'],
  ];
  // Values are built from numbers and fixed words only; no user text reaches them.
  return `<dl class="stats">\n${items.map(([k, v]) => `<div class="stat"><dt>${escapeHtml(k)}</dt><dd>${v}</dd></div>`).join('\n')}\n</dl>`;
}

function* question(q: RecapQuestion, recap: Recap, item: (a: RecapAnswer) => string): Generator<Element> {
  const tz = recap.series.timezone;
  const text = q.text === null
    ? '<span class="unasked">(answered, never asked)</span>'
    : `<span class="qtext" dir="auto">${escapeHtml(q.text)}</span>`;
  const meta: string[] = [];
  if (q.state === 'skipped') meta.push('<span class="badge warn">skipped</span>');
  if (q.state === 'failed') meta.push('<span class="badge warn">could not be posted</span>');
  if (q.state === 'planned' || q.state === 'posting') meta.push('<span class="badge">not posted</span>');
  if (q.postedAt) {
    meta.push(`<span>asked at <time datetime="${q.postedAt.toISOString()}">${escapeHtml(formatTime(q.postedAt, tz))}</time> (${offset(q.postedAt, recap.session.startsAt)})</span>`);
  }
  meta.push(`<span>${plural(q.answerCount, 'answer')}</span>`);
  const href = safeHref(q.link);
  if (href) meta.push(`<a href="${href}" rel="noreferrer">question on Discord</a>`);
  yield `<article class="question" id="q${q.number}">`;
  yield `<h3><span class="qnum">Q${q.number}</span> ${text}</h3>`;
  yield `<p class="qmeta">${meta.join(' · ')}</p>`;
  if (q.highlights.length) yield `<div class="highlights"><h4>Most reacted</h4>\n<ol class="answers">\n${q.highlights.map(item).join('\n')}\n</ol></div>`;
  yield { of: q.number, ...ANSWER_LIST, item };
  yield '</article>';
}

const VIA: Partial<Record<RecapAnswer['via'], string>> = { reply: 'via reply', thread: 'in thread', quote: 'via quote', inferred: 'inferred', button: 'via the Answer button', command: 'via /chat answer', correction: 'set by a moderator' };

function answer(a: RecapAnswer, tz: string): string {
  const parts = a.author === null ? [] : [`<span class="author" dir="auto">${escapeHtml(a.author)}</span>`];
  if (a.at) parts.push(`<time datetime="${a.at.toISOString()}">${escapeHtml(formatTime(a.at, tz))}</time>`);
  const via = VIA[a.via];
  if (via) parts.push(`<span class="badge">${via}</span>`);
  if (a.late) parts.push('<span class="badge warn">late</span>');
  if (a.correctedBy !== null) parts.push(`<span class="badge">corrected by <bdi>${escapeHtml(a.correctedBy)}</bdi></span>`);
  if (a.reactions) parts.push(`<span class="badge reactions">${plural(a.reactions, 'reaction')}</span>`);
  const href = safeHref(a.link);
  if (href) parts.push(`<a class="open" href="${href}" rel="noreferrer">Open in Discord</a>`);
  // Plain archives record no author and no time: then there is no byline at all.
  const byline = parts.length ? `<div class="byline">${parts.join(' ')}</div>` : '';
  return `<li class="answer">${byline}<p class="text" dir="auto">${escapeHtml(a.text)}</p></li>`;
}

function participants(recap: Recap): string {
  if (authorsUnknown(recap)) return '<p class="note">This archive does not record who wrote what.</p>';
  if (recap.participants.length === 0) return '<p class="note">Nobody wrote anything.</p>';
  const row = (p: Participant) => {
    const badges = [
      ...(p.moderator ? ['<span class="badge">moderator</span>'] : []),
      ...(p.firstTime ? ['<span class="badge new">first time</span>'] : []),
    ];
    return `<tr><td class="name"><bdi>${escapeHtml(p.name)}</bdi>${badges.length ? ` ${badges.join(' ')}` : ''}</td><td class="num">${p.messages}</td><td class="num">${p.answers}</td></tr>`;
  };
  return [
    '<table class="people">',
    '<thead><tr><th scope="col">Name</th><th scope="col" class="num">Messages</th><th scope="col" class="num">Answers</th></tr></thead>',
    `<tbody>\n${recap.participants.map(row).join('\n')}\n</tbody>`,
    '</table>',
  ].join('\n');
}
