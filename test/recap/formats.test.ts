import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../src/archive/parse.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import { exportArchive } from '../../src/recap/archive.ts';
import { CSV_COLUMNS, cell, exportCsv, row } from '../../src/recap/csv.ts';
import { JSON_SCHEMA, exportJson } from '../../src/recap/json.ts';
import { md, renderMarkdown } from '../../src/recap/markdown.ts';
import { buildRecap } from '../../src/recap/model.ts';
import { expectGolden } from '../helpers/golden.ts';
import { importedSeeds } from '../helpers/recap.ts';
import { loadLabels } from '../helpers/seeds.ts';

const { store, sessions } = await importedSeeds();
const archives = loadLabels().map((l) => [l.transcript, l] as const);
const text = async (chunks: AsyncIterable<string>) => {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
};

describe.each(archives)('recaps of %s', (original, labels) => {
  const id = sessions.get(original)!;

  it('Markdown digest (golden)', async () => expectGolden(`md/${original}.md`, renderMarkdown(await buildRecap(store, id))));
  it('CSV (golden)', async () => expectGolden(`csv/${original}.csv`, await text(exportCsv(store, id))));
  it('JSON (golden, valid, schema-tagged)', async () => {
    const json = await text(exportJson(store, id));
    const parsed = JSON.parse(json);
    expect(parsed.schema).toBe(JSON_SCHEMA);
    expect(parsed.messages).toHaveLength(labels.messageCount);
    expectGolden(`json/${original}.json`, json);
  });
  it('archive transcript (golden)', async () => expectGolden(`archive/${original}`, await text(exportArchive(store, id))));

  it('round trip: importing the exported archive gives the same questions and answers', async () => {
    const exported = parseArchive(await text(exportArchive(store, id)), `exported-${original}`);
    const { result } = replayTranscript(exported);
    expect(exported.format).toBe(labels.format);
    expect(result.messageCount).toBe(labels.messageCount);
    expect(result.questions.map((q) => [q.number, q.index])).toEqual(labels.questions.map((q) => [q.number, q.index]));
    expect(result.answers.map((a) => [a.question, a.index, a.author])).toEqual(labels.answers.map((a) => [a.question, a.index, a.author]));
  });

  it('the recap counts agree with the labels', async () => {
    const r = await buildRecap(store, id);
    expect(r.stats.answers).toBe(labels.answers.length);
    expect(r.questions.flatMap((q) => q.answers.map((a) => a.archiveIndex)).concat(r.takeaways.map((a) => a.archiveIndex)).sort((a, b) => a! - b!))
      .toEqual(labels.answers.map((a) => a.index).sort((a, b) => a - b));
  });
});

describe('stats', () => {
  it('counts participants, first-timers across the series, moderators and response time (001)', async () => {
    const r = await buildRecap(store, sessions.get('001_390feaa8c4f3efe6.txt')!);
    expect(r.stats.messages).toBe(101);
    expect(r.moderators).toEqual(['SenorG']);
    // 003 (May 2018) came before 001 (October 2018) in the same series: its people return.
    const returning = r.participants.filter((p) => !p.firstTime).map((p) => p.name).sort();
    expect(returning).toEqual(['SenorG', 'teresagross625']);
    expect(r.stats.firstTimers + r.stats.returning).toBe(r.stats.participants);
    // grep -c '^  • SenorG - Moderator' seeds/2018-10-22-badgechat.txt → 38
    expect(r.stats.mostActive[0]).toEqual({ name: 'SenorG', messages: 38 });
    expect(r.stats.moderatorShare).toBeCloseTo(38 / 101, 5);
    // First answers after each question: Q1 6:36 → 6:38, Q2 6:43 → 6:46, Q3 6:53 → 6:55: 120, 180, 120 s.
    expect(r.stats.medianSecondsToFirstAnswer).toBe(120);
    expect(r.stats.messagesPerMinute.reduce((a, b) => a + b, 0)).toBe(101);
  });

  it('lists questions answered but never asked (003 had no Q4 post)', async () => {
    const r = await buildRecap(store, sessions.get('003_ae6eeb954bf6cb09.txt')!);
    expect(r.questions.map((q) => [q.number, q.state])).toEqual([[1, 'posted'], [2, 'posted'], [3, 'posted'], [4, 'not asked']]);
  });
});

describe('CSV', () => {
  it('has the documented header', async () => {
    const first = (await text(exportCsv(store, sessions.get('004_f0e2c35a92f416f4.txt')!))).split('\r\n')[0];
    expect(first).toBe(CSV_COLUMNS.join(','));
    expect(first).toBe('session,question,question_text,author,time,label,via,late,text,link,reactions,corrected_by,event_interested,event_took_part,first_timer,links');
  });

  it.each([
    ['plain', 'plain'],
    ['a, comma', '"a, comma"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['emoji 🏴󠁧󠁢󠁳󠁣󠁴󠁿 👍🏼', 'emoji 🏴󠁧󠁢󠁳󠁣󠁴󠁿 👍🏼'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1 great', "'+1 great"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['a=1', 'a=1'],
  ])('cell %j is written %j', (value, written) => {
    expect(cell(value)).toBe(written);
  });

  it('rows end with CRLF, and a quoted newline survives a round of RFC 4180 parsing', async () => {
    const line = row(['1', 'A1: "quoted", and\nnew line', '=1+1']);
    expect(line).toBe('1,"A1: ""quoted"", and\nnew line",\'=1+1\r\n');
  });
});

describe('Markdown', () => {
  it('escapes HTML and structure in user text', async () => {
    expect(md('<script>alert(1)</script> & more')).toBe('&lt;script>alert(1)&lt;/script> & more');
    expect(md('#BadgeChat first line\n# not a heading\n- not a list\n> not a quote')).toBe('#BadgeChat first line\n\\# not a heading\n\\- not a list\n\\> not a quote');
  });

  // Hardening #27, #28: user text makes no link, image, autolink, code or emphasis, and
  // carries no controls; what is left reads as typed.
  it.each([
    ['[x](javascript:alert(5))', '\\[x\\](javascript:alert(5))'],
    ['![i](http://e.x/p.png)', '!\\[i\\](http://e.x/p.png)'],
    ['<javascript:alert(7)>', '&lt;javascript:alert(7)>'],
    ['`code` *em* _em_ ~~s~~ a|b \\', '\\`code\\` \\*em\\* \\_em\\_ \\~\\~s\\~\\~ a\\|b \\\\'],
    ['&lt;img&gt; & &#106;', '&amp;lt;img&amp;gt; & &amp;#106;'],
    ['one\n[1]: javascript:alert(8)\n---\n===\n1) item\n+ item', 'one\n\\[1\\]: javascript:alert(8)\n\\---\n\\===\n1\\) item\n\\+ item'],
    ['\u001b[2J\u001b]0;title\u0007 \u202egnp.exe \u009b31m\r\n\tok 👍🏼', '\\[2J\\]0;title gnp.exe 31m\n\tok 👍🏼'],
  ])('md(%j) is %j', (text, written) => {
    expect(md(text)).toBe(written);
  });
});
