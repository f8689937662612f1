import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importArchives, prepareArchives } from '../../src/archive/import.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { renderHtml } from '../../src/recap/html.ts';
import { renderMarkdown } from '../../src/recap/markdown.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { openStore } from '../../src/store/index.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * Hardening #27 and #28: hostile user text (Markdown link syntax, HTML, terminal escape
 * sequences, bidi overrides) cannot make links or HTML in the Markdown recap, cannot
 * reverse text in the HTML recap, and never reaches a terminal raw from `emcee replay`
 * or `emcee recap`.
 */

const ESC = '\u001b';
const BEL = '\u0007';
const TERMINAL = [
  `${ESC}[2J${ESC}[H cleared`, // clear the screen, cursor home
  `${ESC}]0;pwned title${BEL}`, // window title (OSC 0)
  `${ESC}]52;c;SGVsbG8=${BEL}`, // clipboard write (OSC 52)
  '\u009b31m C1 CSI', // CSI as a C1 control
  'DEL\u007f', 'lone\rCR', 'NUL-free\u0008backspace',
].join(' ');
const MARKDOWN = '[x](javascript:alert(5)) ![i](javascript:alert(6)) <javascript:alert(7)> <b>bold</b> `code` *em* _em_ ~~s~~ [r][1] &lt;img&gt; a|b';

const ARCHIVE = [
  '#hack Archive', '', 'blurb', '', 'Monday October 22, 2018', '6:30 PM EDT', '',
  '  • mod - Moderator Oct 22 @ 6:30 PM EDT', '    Q1: Why? #hack',
  '  • \u202eevil Oct 22 @ 6:31 PM EDT', '    A1: \u202egnp.exe',
  '  • amy Oct 22 @ 6:32 PM EDT', `    A1: ${TERMINAL} \u2066isolate\u2069 \u202aembed\u202c`,
  '  • kyle Oct 22 @ 6:33 PM EDT', `    A1: ${MARKDOWN}`, '    [1]: javascript:alert(8)', '    ---',
  '  • mod - Moderator Oct 22 @ 6:50 PM EDT', '    Wrapping up: takeaways?',
  '  • amy Oct 22 @ 6:51 PM EDT', `    TA: ${ESC}]0;title${BEL}[t](javascript:alert(9))`,
  '',
].join('\n');

// C0 except \n and \t, DEL, C1, and the bidi controls.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const dir = mkdtempSync(join(tmpdir(), 'emcee-hostile-'));
const file = join(dir, 'hostile.txt');
writeFileSync(file, ARCHIVE);
const db = join(dir, 'hostile.sqlite');
const store = openStore(db, new ManualClock(new Date('2026-11-23T12:00:00Z')));
const [report] = await importArchives(store, prepareArchives([file]));
const recap = await buildRecap(store, report!.sessionId);

/**
 * The links, images, autolinks, raw HTML and code spans a CommonMark/GFM renderer would
 * see in a Markdown text: backslash escapes are taken out first, then each construct is
 * looked for in what is left.
 */
function markdownConstructs(md: string): { links: string[]; other: string[] } {
  const unescaped = md.replace(/\\[!-/:-@[-`{-~]/g, '  ');
  const links = [...unescaped.matchAll(/!?\[[^\]]*\]\s*(?:\(([^)]*)\)|\[[^\]]*\])/g)].map((m) => m[0]);
  const other = [
    ...[...unescaped.matchAll(/<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*>/g)].map((m) => `autolink ${m[0]}`),
    ...[...unescaped.matchAll(/<\/?[A-Za-z][^>]*>|<!--|<\?/g)].map((m) => `html ${m[0]}`),
    ...[...unescaped.matchAll(/`+[^`]*`+/g)].map((m) => `code ${m[0]}`),
    ...[...unescaped.matchAll(/^\s*\[[^\]]+\]:/gm)].map((m) => `definition ${m[0]}`),
    ...[...unescaped.matchAll(/&#?[A-Za-z0-9]+;/g)].filter((m) => !['&lt;', '&gt;', '&amp;'].includes(m[0])).map((m) => `entity ${m[0]}`),
  ];
  return { links, other };
}

describe('the Markdown recap of hostile text (#27, #28)', () => {
  const md = renderMarkdown(recap);

  it('has the answers, as text', async () => {
    expect(recap.stats.answers).toBe(4);
    expect(md).toContain('javascript:alert(5)');
    expect(md).toContain('gnp.exe');
  });

  it('makes no link, image, autolink, HTML, code span or entity from user text', async () => {
    const { links, other } = markdownConstructs(md);
    expect(links).toEqual([]); // imported archives have no Discord links of their own
    expect(other).toEqual([]);
    expect(md).not.toMatch(/^\s*-{3,}\s*$/m); // a "---" line would make a heading of the line before
  });

  it('holds no control characters', async () => {
    expect(md).not.toMatch(CONTROL);
  });
});

describe('the HTML recap of hostile text (#28)', () => {
  const html = renderHtml(recap);

  it('drops bidi overrides and isolates user text, so "\\u202eevil" is not shown as "live"', async () => {
    expect(html).not.toMatch(CONTROL);
    expect(html).toContain('<span class="author" dir="auto">evil</span>');
    expect(html).toContain('<p class="text" dir="auto">A1: gnp.exe</p>');
    expect(html).toContain('<span class="qtext" dir="auto">Why?</span>');
  });
});

describe('the terminal (#28)', () => {
  const emcee = (...args: string[]) => {
    const run = spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(run.stderr).not.toMatch(CONTROL);
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
  };

  it('emcee replay prints no control characters', async () => {
    const out = emcee('replay', file);
    expect(out).toContain('gnp.exe');
    expect(out).toContain('[2J');
    expect(out).not.toMatch(CONTROL);
  });

  it('emcee replay --json escapes them, and keeps the text exact', async () => {
    const out = emcee('replay', file, '--json');
    expect(out).not.toMatch(CONTROL);
    const parsed = JSON.parse(out);
    expect(parsed.answers.map((a: { text: string }) => a.text)).toContain(`A1: ${TERMINAL} \u2066isolate\u2069 \u202aembed\u202c`);
  });

  it.each(['md', 'csv', 'json', 'archive', 'html'])('emcee recap --format %s prints no control characters', async (format) => {
    const out = emcee('recap', String(report!.sessionId), '--format', format, '--db', db);
    expect(out).toContain('gnp.exe');
    // CSV rows end with CRLF: the one CR a terminal sees, as a line ending.
    expect(format === 'csv' ? out.replace(/\r\n/g, '\n') : out).not.toMatch(CONTROL);
  });
});
