import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/domain/clock.ts';
import { parseQuestionsOption } from '../src/live/requests.ts';
import { openStore } from '../src/store/index.ts';
import { discordWorld, opt, runCommand } from './helpers/discord-world.ts';
import { dumpDb, emcee } from './helpers/emcee-cli.ts';

/**
 * `emcee session …` and `/chat …` call the same control functions: the same parser of
 * "which questions", the same controls, the same refusals; each words success its own way.
 */

const CHANNEL = '111111111111111111';
let dbPath: string;
beforeEach(() => {
  dbPath = `${mkdtempSync(`${tmpdir()}/emcee-session-`)}/emcee.sqlite`;
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const session = (...args: string[]) => emcee('session', ...args, '--db', dbPath);

async function setUp(): Promise<void> {
  expect((await emcee('series', 'setup', '--guild', '1', '--channel', CHANNEL, '--tag', '#ghost', '--timezone', 'UTC', '--db', dbPath)).code).toBe(0);
}

async function questionsOf(sessionId: number, path = dbPath): Promise<string[]> {
  const store = openStore(path, systemClock);
  try {
    return (await store.prompts.listBySession(sessionId)).filter((p) => p.kind === 'question').sort((a, b) => a.questionNumber! - b.questionNumber!).map((p) => p.text);
  } finally {
    store.close();
  }
}

/** The same string typed at the terminal and in Discord: separators, lines, spaces, an empty one. */
const TYPED = ' Why fail? |How to fail well?\n  What did failing teach you?  | | ';
const ASKED = ['Q1: Why fail?', 'Q2: How to fail well?', 'Q3: What did failing teach you?'];

describe('the CLI and the slash command parse the same questions string to the same questions', () => {
  it('the parser gives the three questions', () => {
    expect(parseQuestionsOption(TYPED)).toEqual({ questions: ASKED.map((q) => q.replace(/^Q\d: /, '')) });
  });

  it('emcee session start --questions asks them', async () => {
    await setUp();
    const run = await session('start', '--channel', CHANNEL, '--questions', TYPED);
    expect(run).toMatchObject({ code: 0, stdout: 'Session #1 of #ghost started; the running bot posts the welcome now.\n' });
    expect(await questionsOf(1)).toEqual(ASKED);
  });

  it('/chat start questions: asks them', async () => {
    const w = await discordWorld(new Date('2026-11-23T19:00:00Z'), cleanups);
    const r = await runCommand(w, w.admin, 'chat', 'start', [opt('questions', 3, TYPED)]);
    const id = Number(/^Session #(\d+) of/.exec(r.content)?.[1]);
    const asked = (await w.store.prompts.listBySession(id)).filter((p) => p.kind === 'question').map((p) => p.text);
    expect(asked).toEqual(ASKED);
  });

  it('a set id is a set id in both (spaces around it allowed); a refusal reads the same', async () => {
    await setUp();
    const run = await session('start', '--channel', CHANNEL, '--questions', ' 42 ');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('there is no question set #42 in the bank');
    const empty = await session('start', '--channel', CHANNEL, '--questions', ' | ');
    expect(empty.stderr).toContain('give between 1 and 10 questions');
  });
});

describe('emcee session controls', () => {
  it('runs every control on the channel\'s session, in the terminal\'s words, logged as cli:<user>', async () => {
    await setUp();
    expect((await session('start', '--channel', CHANNEL, '--questions', 'One? | Two? | Three?')).code).toBe(0);
    const steps: [string[], string][] = [
      [['pause'], 'Paused.'],
      [['resume'], 'Resumed.'],
      [['next'], 'Q1 goes out now.'],
      [['skip', '--question', '3'], 'Q3 skipped.'],
      // No bot runs here to post Q1, so it is still the next one to come.
      [['skip'], 'Q1 skipped.'],
      [['extend', '--minutes', '5'], 'Extended by 5 minutes.'],
      [['end'], 'The outro goes out now.'],
      [['cancel', '--session', '1'], 'Cancelled.'],
    ];
    for (const [args, said] of steps) {
      const run = await session(args[0]!, '--channel', CHANNEL, ...args.slice(1));
      expect(run, args.join(' ')).toMatchObject({ code: 0, stdout: `${said}\n` });
    }
    const log = dumpDb(dbPath).control_log as { action: string; actor: string }[];
    expect(log.map((c) => c.action)).toEqual(['start', 'pause', 'resume', 'next', 'skip', 'skip', 'extend', 'end', 'cancel']);
    expect(log.every((c) => c.actor.startsWith('cli:'))).toBe(true);
  });

  it('refuses as the controls do, and a bad flag with its name, changing nothing', async () => {
    await setUp();
    expect((await session('start', '--channel', CHANNEL, '--questions', 'One?')).code).toBe(0);
    const before = dumpDb(dbPath);
    expect(await session('resume', '--channel', CHANNEL)).toMatchObject({ code: 1, stderr: expect.stringContaining('session #1 is not paused') });
    expect(await session('extend', '--channel', CHANNEL, '--minutes', '500')).toMatchObject({ code: 1, stderr: expect.stringContaining('extend takes a whole number of minutes from 1 to 120') });
    expect(await session('extend', '--channel', CHANNEL)).toMatchObject({ code: 2, stderr: expect.stringContaining('extend needs --minutes N') });
    expect(await session('skip', '--channel', CHANNEL, '--question', 'two')).toMatchObject({ code: 2, stderr: expect.stringContaining('--question takes a whole number, not "two"') });
    expect(await session('skip', '--channel', CHANNEL, '--question', '7')).toMatchObject({ code: 1, stderr: expect.stringContaining('this session has no Q7 (it has 1 questions)') });
    expect(await session('rewind', '--channel', CHANNEL)).toMatchObject({ code: 2 });
    expect(dumpDb(dbPath)).toEqual(before);
  });
});
