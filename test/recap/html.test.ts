import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { escapeHtml, relativeHref, renderHtml, safeHref } from '../../src/recap/html.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { answersPerQuestionChart, messagesPerMinuteChart } from '../../src/recap/svg.ts';
import { persistSession } from '../../src/live/persist.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { expectGolden } from '../helpers/golden.ts';
import { importedSeeds } from '../helpers/recap.ts';
import { loadLabels } from '../helpers/seeds.ts';

const HOSTILE_ANSWERS = ['<script>window.pwned=1</script>', '<img src=x onerror="window.pwned=2">', `"quoted" & 'single'`];
const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * 60_000);

/**
 * A live, ended session whose every piece of user text is hostile: the series tag, a
 * question, an author name, the answers (one via reply, one late), a takeaway. Q3 was
 * skipped. The browser test opens its golden page (test/golden/html/hostile.html).
 */
async function hostileSession(): Promise<{ store: Store; id: number }> {
  const store = openStore(':memory:', new ManualClock(new Date('2026-11-23T12:00:00Z')));
  const series = await store.series.saveForChannel({ guildId: '900', channelId: '901', tag: '#Hack&<b>Chat</b>', timezone: 'America/New_York', schedule: null, settings: {} });
  const session = await persistSession(store, {
    series, startsAt: START, questionSetId: null, state: 'ended',
    questions: ['<b>Bold</b> & <script>window.pwned=3</script> "question"?', 'Second?\nOn two lines', 'Third?'],
  });
  await store.sessions.setState(session.id, 'ended', { endedAt: at(45) });
  let seq = 0;
  for (const p of await store.prompts.listBySession(session.id)) {
    const minutes = (p.plannedAt.getTime() - START.getTime()) / 60_000;
    if (p.kind === 'question' && p.questionNumber === 3) await store.prompts.markSkipped(p.id, 'skipped by a moderator');
    else await store.prompts.markPosted(p.id, `1${String(++seq).padStart(3, '0')}`, at(minutes), false);
  }
  const say = async (minute: number, author: string, text: string, answer: { question: number | 'TA'; via?: 'label' | 'reply' } | null, extra: { id?: string; late?: boolean } = {}) => {
    const { message } = await store.messages.ingest({
      sessionId: session.id, platformId: extra.id ?? `2${String(++seq).padStart(3, '0')}`, channelId: '901', threadId: null,
      authorId: author, authorName: author, isModerator: author === 'mod', postedAt: at(minute), text, replyToId: null,
      inReplyTo: [], quote: null, archiveIndex: null, late: extra.late ?? false,
    });
    if (answer) {
      const via = answer.via ?? 'label';
      await store.messages.recordAttribution(message, { kind: 'answer', question: answer.question, via, label: via === 'label' ? `A${answer.question}:` : null, text });
    }
  };
  await say(1, 'mod', 'Welcome!', null);
  await say(3, '<i>Evil</i> & "Co"', 'hi 👋 <u>everyone</u>', null);
  await say(6, '<i>Evil</i> & "Co"', `A1: ${HOSTILE_ANSWERS[0]}`, { question: 1 });
  await say(7, 'amy', `A1: ${HOSTILE_ANSWERS[1]}`, { question: 1 }, { id: '2100"onmouseover="window.pwned=4' });
  await say(13, 'amy', `${HOSTILE_ANSWERS[2]}\nsecond line 🎉`, { question: 2, via: 'reply' });
  await say(20, 'kyle', 'A3: answered anyway', { question: 3 });
  await say(32, 'kyle', 'TA: <marquee>takeaway</marquee>', { question: 'TA' });
  await say(50, 'kyle', 'A2: after the close', { question: 2 }, { late: true });
  return { store, id: session.id };
}

const { store, sessions } = await importedSeeds();

describe('escapeHtml and links', () => {
  it('escapes the five characters', async () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('only http(s) links, escaped', async () => {
    expect(safeHref('https://discord.com/channels/1/2/3')).toBe('https://discord.com/channels/1/2/3');
    expect(safeHref('https://discord.com/channels/1/2/3"><script>')).toBe('https://discord.com/channels/1/2/3%22%3E%3Cscript%3E');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<b>')).toBeNull();
    expect(safeHref(null)).toBeNull();
    expect(relativeHref('../index.html')).toBe('../index.html');
    expect(() => relativeHref('javascript:alert(1)')).toThrow();
    expect(() => relativeHref('//evil.example/')).toThrow();
  });
});

const pages = new Map(await Promise.all(loadLabels().map(async (l) => [l.transcript, renderHtml(await buildRecap(store, sessions.get(l.transcript)!))] as const)));

describe.each(loadLabels().map((l) => [l.transcript, l.format] as const))('HTML recap of %s', (original, format) => {
  const html = pages.get(original)!;

  it('matches its golden file', async () => expectGolden(`html/${original}.html`, html));

  it('is self-contained: no script, no external reference, a strict CSP', async () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('has both charts, or a note instead of the timeline for plain archives', async () => {
    expect(html).toContain('<svg class="chart" id="chart-answers"');
    if (format === 'plain') {
      expect(html).not.toContain('id="chart-activity"');
      expect(html).toContain('does not record when messages were sent');
    } else {
      expect(html).toMatch(/<svg class="chart" id="chart-activity"[^>]*role="img"/);
    }
  });
});

const hostile = await hostileSession();
const hostileRecap = await buildRecap(hostile.store, hostile.id);

describe('hostile text', () => {
  const recap = hostileRecap;
  const html = renderHtml(recap);

  it('matches its golden file (the page the browser test opens)', async () => expectGolden('html/hostile.html', html));

  it('renders the answers as text', async () => {
    expect(html).toContain('A1: &lt;script&gt;window.pwned=1&lt;/script&gt;');
    expect(html).toContain('A1: &lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &#39;single&#39;\nsecond line 🎉');
    expect(html).not.toContain('<script>window');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<marquee>');
  });

  it('escapes question texts, author names and the tag, in the page and in the charts', async () => {
    expect(html).toContain('&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;window.pwned=3&lt;/script&gt; &quot;question&quot;?');
    expect(html).toContain('&lt;i&gt;Evil&lt;/i&gt; &amp; &quot;Co&quot;');
    expect(html).toContain('<title>#Hack&amp;&lt;b&gt;Chat&lt;/b&gt; — ');
    expect(html).not.toMatch(/<(b|i|u)>/);
  });

  it('links only to the Discord messages, with hostile ids percent-encoded', async () => {
    const urls = [...html.matchAll(/https?:\/\/[^\s"<>]*/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^https:\/\/discord\.com\/channels\/900\/901\/[0-9A-Za-z%=.]+$/);
    expect(html).toContain('href="https://discord.com/channels/900/901/2100%22onmouseover=%22window.pwned=4"');
    const hrefs = [...html.matchAll(/\b(?:href|src)=(["'])(.*?)\1/g)].map((m) => m[2]!);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/discord\.com\//);
    expect(html).not.toMatch(/<[a-z][^<>]*\ssrc=/i); // no element has a src (the escaped text does say "src=")
    expect(html).not.toMatch(/<link|<script src/i);
  });

  it('shows the markers: skipped, via reply, late; the timeline has the prompts', async () => {
    expect(html).toMatch(/<h3><span class="qnum">Q3<\/span>[^\n]*\n<p class="qmeta"><span class="badge warn">skipped<\/span>/);
    expect(html).toContain('<span class="badge">via reply</span>');
    expect(html).toContain('<span class="badge warn">late</span>');
    expect(recap.stats.lateAnswers).toBe(1);
    const chart = messagesPerMinuteChart(recap);
    for (const label of ['>welcome<', '>Q1<', '>Q2<', '>outro<', '>close<', '>T+0<', '>T+10<']) expect(chart).toContain(label);
    expect(chart).not.toContain('>Q3<'); // skipped: never went out
    expect(answersPerQuestionChart(recap)).toContain('(skipped)');
  });
});
