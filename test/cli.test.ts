import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { readArchiveFile } from '../src/archive/read.ts';
import { replayTranscript } from '../src/archive/replay.ts';
import { systemClock } from '../src/domain/clock.ts';
import { createLogger } from '../src/logger.ts';
import { SeriesPlanner } from '../src/live/planner.ts';
import { openStore } from '../src/store/index.ts';
import { dumpDb, emcee } from './helpers/emcee-cli.ts';
import { ROOT, seedFiles, seedPath } from './helpers/seeds.ts';

const dump = dumpDb;

let dir: string;
let dbPath: string;
beforeEach(() => {
  dir = mkdtempSync(`${tmpdir()}/emcee-cli-`);
  dbPath = `${dir}/emcee.sqlite`;
});

describe('emcee replay', () => {
  it('--json prints exactly one JSON object, the replay result, on stdout', async () => {
    const file = seedPath('001_390feaa8c4f3efe6.txt');
    const run = await emcee('replay', file, '--json');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const json = JSON.parse(lines[0]!);
    // Fields are only ever added (issue 17 added body, confidence and ambiguous).
    expect(Object.keys(json)).toEqual(['format', 'messageCount', 'questions', 'answers', 'inferred', 'outroIndex', 'ambiguous']);
    expect(json).toEqual(JSON.parse(JSON.stringify(replayTranscript(readArchiveFile(file)).result)));
    expect(json.questions[0]).toEqual({ number: 1, index: 8, text: expect.stringMatching(/^Q1: Why is it important/), body: expect.stringMatching(/^Why is it important/) });
    expect(json.answers[0]).toEqual({ question: 1, index: 11, author: 'DrTerriC', text: expect.stringMatching(/^a1\) Arriving late/), via: 'label', confidence: 'high' });
    expect(json.inferred[0]).toEqual({ question: expect.any(Number), index: expect.any(Number), author: expect.any(String), text: expect.any(String), confidence: 'low' });
  });

  it('prints each question with its answers as readable text', async () => {
    const run = await emcee('replay', seedPath('004_f0e2c35a92f416f4.txt'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Q2 [#14] Q2: Continuous Improvement can be uncomfortable.');
    expect(run.stdout).toContain("A2 [#21] @Kyle_Clements1: A2: On top of everyone's great comments");
    expect(run.stdout).toContain('(via quote)');
    expect(run.stdout).toMatch(/9 answers \(8 by label, 1 by quote\), \d+ inferred/);
  });

  it('lists answers to questions that were never posted', async () => {
    const run = await emcee('replay', seedPath('003_ae6eeb954bf6cb09.txt'));
    expect(run.stdout).toContain('Q4 (never posted; answered anyway)');
    expect(run.stdout).toMatch(/TA \[#58\] @SenorG: TA: For all the talk/);
  });

  it('fails with the file and line for a bad archive', async () => {
    writeFileSync(`${dir}/bad.txt`, '#x Archive\nMonday October 22, 2018\nnot a time');
    const run = await emcee('replay', `${dir}/bad.txt`, '--json');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/bad\.txt:3: expected the chat's start time/);
  });
});

describe('emcee import and bank', () => {
  it('imports the five seeds into five question sets; a second import adds nothing', async () => {
    const first = await emcee('import', ...seedFiles(), '--db', dbPath);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('5 archives imported, 0 already there.');
    expect(first.stderr).toContain('[5/5]'); // progress with several files
    const afterFirst = dump(dbPath);
    expect(afterFirst.sessions).toHaveLength(5);
    expect(afterFirst.question_sets).toHaveLength(5);
    expect(afterFirst.series).toHaveLength(2); // #BadgeChatK12 and #badgechat
    expect(afterFirst.messages).toHaveLength(99 + 101 + 53 + 69 + 34);

    const second = await emcee('import', ...seedFiles(), '--db', dbPath);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 archives imported, 5 already there.');
    expect(dump(dbPath)).toEqual(afterFirst);

    const list = await emcee('bank', 'list', '--db', dbPath);
    expect(list.code).toBe(0);
    expect(list.stdout.match(/^#\d+ /gm)).toHaveLength(5);
    expect(list.stdout).toContain('#BadgeChatK12 — Monday February 29, 2016  (3 questions, from archive)');
    expect(list.stdout).toContain('Q1. How do you get buy-in from teachers re: using badges for PD?');
    expect(list.stdout).toContain('Q3. From open source to open notes, “Openess” has driven the badging community.');
  });

  it('stores evidenced answers exactly as the replay finds them, inferred apart', async () => {
    const file = seedPath('001_390feaa8c4f3efe6.txt');
    await emcee('import', file, '--db', dbPath);
    const { result } = replayTranscript(readArchiveFile(file));
    const db = new Database(dbPath, { readonly: true });
    const rows = db.prepare(`SELECT m.archive_index AS i, a.question, a.takeaway, a.via FROM answers a JOIN messages m ON m.id = a.message_id ORDER BY m.archive_index`).all() as { i: number; question: number | null; takeaway: number; via: string }[];
    db.close();
    const evidenced = rows.filter((r) => r.via !== 'inferred').map((r) => [r.i, r.takeaway ? 'TA' : r.question]);
    expect(evidenced).toEqual(result.answers.map((a) => [a.index, a.question]));
    expect(rows.filter((r) => r.via === 'inferred').map((r) => r.i)).toEqual(result.inferred.map((a) => a.index));
  });

  it('bank show prints one set; a bad or unknown id is a clear error', async () => {
    await emcee('import', seedPath('002_3061b2b49c8629e7.txt'), '--db', dbPath);
    const show = await emcee('bank', 'show', '1', '--db', dbPath);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Question set #1: #BadgeChatK12 — Monday October 17, 2016');
    expect(show.stdout).toContain('Q4. Let’s reflect! What are your takeaways from this week’s chat?');
    expect(await emcee('bank', 'show', 'abc', '--db', dbPath)).toMatchObject({ code: 2, stderr: expect.stringMatching(/"abc" is not a question set id/) });
    expect(await emcee('bank', 'show', '7', '--db', dbPath)).toMatchObject({ code: 1, stderr: expect.stringMatching(/no question set #7/) });
  });

  it('an empty bank says how to fill it', async () => {
    const run = await emcee('bank', 'list', '--db', dbPath);
    expect(run.stdout).toContain('npx emcee import seeds/*.txt');
  });
});

describe('bad archives: clear error, exit code not 0, database unchanged', () => {
  const header = '#badgechat Archive\n\nblurb\n\nMonday October 22, 2018\n6:30 PM EDT\n';
  const cases: [string, () => Buffer | string, RegExp][] = [
    ['empty', () => '', /empty\.txt:1: the file is empty/],
    ['binary', () => Buffer.from([0x23, 0x78, 0x0a, 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), /binary\.txt:2: the file is not UTF-8/],
    ['header-only', () => header, /header-only\.txt:1: the archive has a header but no messages/],
    ['truncated', () => {
      // Cut in the middle of a message header, as an interrupted download would.
      const text = readFileSync(seedPath('004_f0e2c35a92f416f4.txt'), 'utf8');
      return text.slice(0, text.indexOf('  • SenorG - Moderator Dec 10 @ 6:39 PM EST') + 30);
    }, /truncated\.txt:26: unreadable message header/],
    ['huge', () => `${header}${'  • a Oct 22 @ 6:31 PM EDT\n    A1: hi\n'.repeat(200_000)}`, /huge\.txt:1: the file is \d+\.\d MB; archives larger than 5 MB are refused/],
  ];

  it.each(cases)('%s', async (name, content, error) => {
    await emcee('import', seedPath('000_7626b8afbc7a60b7.txt'), '--db', dbPath);
    const before = dump(dbPath);
    const bad = `${dir}/${name}.txt`;
    writeFileSync(bad, content());
    // With a good file alongside: nothing at all is written.
    const run = await emcee('import', seedPath('003_ae6eeb954bf6cb09.txt'), bad, '--db', dbPath);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(error);
    expect(run.stderr).toContain('nothing was imported');
    expect(dump(dbPath)).toEqual(before);
    expect(await emcee('replay', bad)).toMatchObject({ code: name === 'header-only' ? 0 : 1 });
  });

  it('reports every bad file at once and does not create the database', async () => {
    writeFileSync(`${dir}/a.txt`, '');
    writeFileSync(`${dir}/b.txt`, 'no tag here\n');
    const run = await emcee('import', `${dir}/a.txt`, `${dir}/b.txt`, '--db', dbPath);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/a\.txt:1: the file is empty/);
    expect(run.stderr).toMatch(/b\.txt:1: the title "no tag here" has no #hashtag/);
    expect(existsSync(dbPath)).toBe(false);
  });
});

describe('usage', () => {
  it.each([
    [[], 2, /Usage: emcee/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['replay'], 2, /replay takes one archive file/],
    [['import'], 2, /import needs at least one archive file/],
    [['bank', 'delete'], 2, /usage: emcee bank list/],
    [['replay', 'x', '--bogus'], 2, /Unknown option '--bogus'/],
  ] as const)('emcee %j exits %i with a clear message', async (argv, code, message) => {
    const run = await emcee(...argv);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('reports invalid configuration with the variable name', async () => {
    let stderr = '';
    const code = await main(['bank', 'list'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => ((stderr += s), true) },
      env: { LOG_LEVEL: 'loud' },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/);
  });
});

describe('the emcee binary', () => {
  it('runs through npx right after install: replay --json keeps stdout pure JSON, logs on stderr', () => {
    const run = spawnSync('npx', ['--no-install', 'emcee', 'replay', seedPath('002_3061b2b49c8629e7.txt'), '--json'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'debug' },
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'plain', messageCount: 53 });
    expect(run.stderr).toContain('"msg":"running command"');
  });

  it('exits non-zero for a missing file', () => {
    const run = spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, 'replay', `${dir}/missing.txt`], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing\.txt: cannot open the file \(ENOENT\)/); // no line for a whole-file error (#26)
  });
});

describe('emcee recap and emcee site', () => {
  it('writes a session recap in each format; latest is the newest finished session', async () => {
    await emcee('import', ...seedFiles(), '--db', dbPath);
    const csv = await emcee('recap', 'latest', '--format', 'csv', '--out', `${dir}/out/latest.csv`, '--db', dbPath);
    expect(csv).toMatchObject({ code: 0, stderr: expect.stringMatching(/wrote the csv recap of session #\d+ to .*latest\.csv/) });
    // The newest of the five chats is December 10, 2018 (004): 9 answers, one row each.
    expect(readFileSync(`${dir}/out/latest.csv`, 'utf8').trimEnd().split('\r\n')).toHaveLength(1 + 9);
    const md = await emcee('recap', '1', '--db', dbPath);
    expect(md.stdout).toMatch(/^# #BadgeChatK12 — Monday, February 29, 2016 at 6:30 PM EST/);
    const archive = await emcee('recap', '3', '--format', 'archive', '--db', dbPath); // seeds in README order: 000, 001, 002 (plain)…
    expect(archive.stdout.split('\n')[2]).toBe('Monday October 17, 2016 6:30 PM EDT');
  });

  it.each([
    [['recap'], 2, /usage: emcee recap/],
    [['recap', 'soon'], 2, /"soon" is not a session id/],
    [['recap', '1', '--format', 'pdf'], 2, /--format must be one of md, html, csv, json, archive/],
    [['recap', '99'], 1, /there is no session #99/],
    [['recap', 'latest'], 1, /no session has finished yet/],
    [['site'], 2, /usage: emcee site --out DIR/],
  ] as const)('emcee %j exits %i with a clear message', async (argv, code, message) => {
    const run = await emcee(...argv, '--db', dbPath);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('site writes an index and one page per session', async () => {
    await emcee('import', ...seedFiles(), '--db', dbPath);
    const run = await emcee('site', '--out', `${dir}/site`, '--db', dbPath);
    expect(run.stdout).toMatch(/wrote 5 session pages and the index: .*site\/index\.html/);
    expect(existsSync(`${dir}/site/index.html`)).toBe(true);
  });
});

describe('terminal controls never reach the terminal (#28), whatever the command', () => {
  it('bank list and bank show print an archive question without its ESC/OSC/C1/bidi controls', async () => {
    const hostile = readFileSync(`${ROOT}seeds/2018-10-22-badgechat.txt`, 'utf8')
      .replace('Q1: Why is it important', 'Q1: \u001b]52;c;cHduZWQ=\u0007\u001b[2J\u009b31m\u202eWhy is it important');
    writeFileSync(`${dir}/hostile.txt`, hostile);
    expect((await emcee('import', `${dir}/hostile.txt`, '--db', dbPath)).code).toBe(0);
    for (const argv of [['bank', 'list'], ['bank', 'show', '1']]) {
      const run = await emcee(...argv, '--db', dbPath);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Why is it important');
      expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u);
    }
  });
});

describe('emcee series setup again (#2)', () => {
  it('says the coming session follows the new settings, or moves, instead of "replaced"', async () => {
    const base = ['series', 'setup', '--guild', '1', '--channel', '111111111111111111', '--tag', '#ghost', '--weekday', 'monday', '--time', '18:30', '--timezone', 'UTC', '--questions', '1', '--db', dbPath];
    expect((await emcee('import', `${ROOT}seeds/2018-10-22-badgechat.txt`, '--db', dbPath)).code).toBe(0);
    expect((await emcee(...base)).code).toBe(0);
    // The running bot's planner plans the coming session.
    const store = openStore(dbPath, systemClock);
    try {
      expect(await new SeriesPlanner({ store, log: createLogger('silent') }).planUpcoming(new Date())).toHaveLength(1);
    } finally {
      store.close();
    }
    const again = await emcee(...base, '--threads', 'true');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Session #2 \(2026-\d\d-\d\d 18:30Z\) follows the new settings\.$/m);
    expect(again.stdout).not.toMatch(/replaced|cancelled/);
    const moved = await emcee(...base.map((a) => (a === '18:30' ? '19:00' : a)));
    expect(moved.stdout).toMatch(/^Session #2 moves to \d{4}-\d\d-\d\d 19:00Z\.$/m);
  });
});
