import { mkdtempSync } from 'node:fs';
import { pollUntil } from '../helpers/poll.ts';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runDemo } from '../../src/cli/demo/run.ts';
import { readArchiveFile } from '../../src/archive/read.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import { startApp, type RunningApp } from '../../src/app.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { seedPath } from '../helpers/seeds.ts';

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => START.getTime() + minutes * MINUTE;
// A compact timetable: welcome T+0, guidelines T+1, Q1 T+2, Q2 T+4, Q3 T+6, outro T+7, close T+9.
const SETTINGS = { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 };

interface Setup {
  time: FakeTime;
  sandbox: Sandbox;
  store: Store;
  bot: RunningApp;
  channelId: string;
  advanceTo(ms: number): Promise<void>;
  restart(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(settings: Record<string, unknown> = SETTINGS): Promise<Setup> {
  const time = new FakeTime(new Date(at(-1)));
  const sandbox = await startSandbox({ clock: time });
  const store = openStore(':memory:', time);
  const channel = sandbox.createChannel('badgechat');
  await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId: channel.id, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings });
  const boot = () => startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });
  const s: Setup = {
    time, sandbox, store, channelId: channel.id, bot: await boot(),
    advanceTo: (ms) => time.advanceTo(ms, () => s.bot.live.engine.whenIdle()),
    restart: async () => {
      s.bot = await boot();
    },
  };
  cleanups.push(() => sandbox.close(), () => store.close(), () => s.bot.stop());
  return s;
}

async function startSession(s: Setup, questions = ['One?', 'Two?', 'Three?']) {
  await s.advanceTo(at(0));
  return s.bot.live.controls.start((await s.store.series.getByChannel(s.sandbox.guild.id, s.channelId))!, 'tester', { questions });
}

/** The bot's posts in the channel, as "kind-ish" labels: Q1 for question embeds, text otherwise. */
function botPosts(s: Setup): string[] {
  return s.sandbox.messages(s.channelId)
    .filter((m) => m.author.id === s.sandbox.botUser.id)
    .map((m) => m.embeds[0]?.title ?? m.content.split(/[.:!]/)[0]!);
}

const answers = async (s: Setup, sessionId: number) => (await s.store.messages.answers(sessionId)).map((a) => [a.question, a.via, a.text]);

describe('the bot on the loopback Discord (real discord.js client)', () => {
  it('posts every prompt of a session in order: questions as embeds, nothing can ping', async () => {
    const s = await setUp();
    const session = await startSession(s);
    await s.advanceTo(at(20));
    await s.bot.recapsPosted();
    expect(botPosts(s)).toEqual([
      'Welcome to #BadgeChat', 'How it works', 'First question coming up…', 'Q1', 'Second question coming up…', 'Q2',
      'Final question coming up…', 'Q3', "That's our last question", "That's a wrap for #BadgeChat", '#BadgeChat recap',
    ]);
    expect((await s.store.sessions.get(session.id))!.state).toBe('ended');
    // At close, the recap: a summary embed with the Markdown and HTML attached.
    await s.bot.recapsPosted();
    const recap = s.sandbox.messages(s.channelId).at(-1)!;
    expect(recap.embeds[0]).toMatchObject({ title: '#BadgeChat recap' });
    expect(recap.attachments.map((a) => a.filename)).toEqual([`BadgeChat-session-${session.id}.md`, `BadgeChat-session-${session.id}.html`]);
    const q1 = s.sandbox.messages(s.channelId).find((m) => m.embeds[0]?.title === 'Q1')!;
    expect(q1.embeds[0]).toMatchObject({ description: 'One?', footer: { text: 'Answer with A1: … or reply to this message' } });
    const posts = s.sandbox.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && !r.files);
    expect(posts).toHaveLength(10);
    for (const p of posts) expect((p.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });
    for (const p of posts) expect(p.body).toMatchObject({ nonce: expect.stringMatching(/^emcee:\d+:\d+$/), enforce_nonce: true });
  });

  it('collects labelled answers, replies to a question, and messages in a question thread', async () => {
    const s = await setUp({ ...SETTINGS, threads: true });
    const session = await startSession(s);
    await s.advanceTo(at(2));
    const q1 = s.sandbox.messages(s.channelId).find((m) => m.embeds[0]?.title === 'Q1')!;
    await s.sandbox.waitFor(() => s.sandbox.threads().find((t) => t.id === q1.id));
    const amy = s.sandbox.createUser('amy');
    s.sandbox.userSays(s.channelId, amy.id, 'A1: a labelled answer');
    s.sandbox.userSays(s.channelId, amy.id, 'replying to the question', { replyTo: q1.id });
    s.sandbox.userSays(q1.id, amy.id, 'inside the Q1 thread');
    await pollUntil(async () => (await answers(s, session.id)).length === 3 || undefined);
    expect(await answers(s, session.id)).toEqual([[1, 'label', 'A1: a labelled answer'], [1, 'reply', 'replying to the question'], [1, 'thread', 'inside the Q1 thread']]);
  });

  it('follows edits (re-attributed) and deletes (tombstoned), and ignores other bots', async () => {
    const s = await setUp();
    const session = await startSession(s);
    await s.advanceTo(at(4));
    const kyle = s.sandbox.createUser('kyle');
    const other = s.sandbox.createUser('otherbot', { bot: true });
    const m = s.sandbox.userSays(s.channelId, kyle.id, 'A1: first');
    s.sandbox.userSays(s.channelId, other.id, 'A2: a bot answering');
    await pollUntil(async () => (await answers(s, session.id)).length === 1 || undefined);
    s.sandbox.userEdits(m.id, 'A2: changed my mind');
    await pollUntil(async () => (await answers(s, session.id))[0]?.[0] === 2 || undefined);
    s.sandbox.userDeletes(m.id);
    await pollUntil(async () => (await answers(s, session.id)).length === 0 || undefined);
    expect(await s.store.messages.get(m.id)).toMatchObject({ deletedAt: expect.any(Date), text: 'A2: changed my mind' });
    expect((await s.store.messages.listBySession(session.id)).some((x) => x.authorName === 'otherbot')).toBe(false);

    const a = s.sandbox.userSays(s.channelId, kyle.id, 'A1: one');
    const b = s.sandbox.userSays(s.channelId, kyle.id, 'A2: two');
    await pollUntil(async () => (await answers(s, session.id)).length === 2 || undefined);
    s.sandbox.userBulkDeletes(s.channelId, [a.id, b.id]);
    await pollUntil(async () => (await answers(s, session.id)).length === 0 || undefined);
  });

  it('killed mid-session and restarted: backfills what was posted meanwhile and posts no prompt twice', async () => {
    const s = await setUp();
    const session = await startSession(s);
    await s.advanceTo(at(3));
    await s.bot.stop(); // the process dies
    const kyle = s.sandbox.createUser('kyle');
    s.sandbox.userSays(s.channelId, kyle.id, 'A1: while the bot was down');
    await s.time.advanceTo(at(6), async () => {}); // Q2 (T+4) is missed by more than the 60 s tolerance
    s.sandbox.userSays(s.channelId, kyle.id, 'A2: also while it was down');
    await s.restart();
    await s.bot.lastBackfill();
    expect(await answers(s, session.id)).toEqual([[1, 'label', 'A1: while the bot was down'], [2, 'label', 'A2: also while it was down']]);
    await s.advanceTo(at(20));
    const posts = botPosts(s);
    expect(posts).toEqual([...new Set(posts)]); // each prompt once
    expect(posts.filter((p) => /^Q\d$/.test(p))).toEqual(['Q1', 'Q2', 'Q3']);
    expect((await s.store.prompts.listBySession(session.id)).find((p) => p.questionNumber === 2 && p.kind === 'question')).toMatchObject({ state: 'posted', late: true });
  });

  it('crash between sending a prompt and recording it: after the restart it is recognised, not re-sent', async () => {
    const s = await setUp();
    const session = await startSession(s);
    await s.advanceTo(at(2) - 1);
    const q1 = (await s.store.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === 1)!;
    const marker = `emcee:${session.id}:${q1.id}`;
    // What the engine does — state written, then the send — and then the process dies.
    await s.store.prompts.markPosting(q1.id, marker);
    await s.bot.platform.post(s.channelId, { kind: 'question', questionNumber: 1, text: q1.text, marker, late: false, openThread: false });
    await s.bot.stop();
    await s.time.advanceTo(at(3), async () => {});

    await s.restart();
    await s.advanceTo(at(20));
    expect(await s.store.prompts.get(q1.id)).toMatchObject({ state: 'posted' });
    expect(botPosts(s).filter((p) => p === 'Q1')).toHaveLength(1);
    expect(botPosts(s).filter((p) => /^Q\d$/.test(p))).toEqual(['Q1', 'Q2', 'Q3']);
  });

  it('a gateway reconnect (op 7) and an invalid session (op 9) lose nothing', async () => {
    const s = await setUp();
    const session = await startSession(s);
    await s.advanceTo(at(2));
    const kyle = s.sandbox.createUser('kyle');
    s.sandbox.sendReconnect();
    s.sandbox.userSays(s.channelId, kyle.id, 'A1: during a reconnect');
    await pollUntil(async () => (await answers(s, session.id)).length === 1 || undefined, 15_000);
    s.sandbox.sendInvalidSession(false);
    s.sandbox.userSays(s.channelId, kyle.id, 'A1: during an invalid session');
    await pollUntil(async () => (await answers(s, session.id)).length === 2 || undefined, 15_000);
    s.sandbox.closeSocket();
    s.sandbox.userSays(s.channelId, kyle.id, 'A1: while the socket was closed');
    await pollUntil(async () => (await answers(s, session.id)).length === 3 || undefined, 15_000);
    expect((await answers(s, session.id)).map((a) => a[2])).toEqual(['A1: during a reconnect', 'A1: during an invalid session', 'A1: while the socket was closed']);
  });

  it('posts through 500 errors exactly once (discord.js retries them)', async () => {
    const s = await setUp();
    s.sandbox.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, { status: 500 });
    s.sandbox.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, { status: 500 });
    await startSession(s);
    await s.sandbox.waitFor(() => botPosts(s).length === 1 || undefined);
    await s.advanceTo(at(2));
    expect(botPosts(s)).toEqual(['Welcome to #BadgeChat', 'How it works', 'First question coming up…', 'Q1']);
    expect(s.sandbox.requests.filter((r) => r.status === 500)).toHaveLength(2);
  });

  it('posts through a 429 rate limit exactly once', async () => {
    const s = await setUp();
    s.sandbox.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.2 });
    await startSession(s);
    await s.sandbox.waitFor(() => botPosts(s).length === 1 || undefined);
    expect(botPosts(s)).toEqual(['Welcome to #BadgeChat']);
  });
});

describe('npm run demo', () => {
  it('runs a whole archive session through the sandbox: the same answers per question as emcee replay', async () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-demo-`);
    let stdout = '';
    const io = { stdout: { write: (x: string) => ((stdout += x), true) }, stderr: { write: () => true }, env: {} };
    const file = seedPath('004_f0e2c35a92f416f4.txt');
    const code = await runDemo(io, { transcript: file, speed: 300, databasePath: `${dir}/demo.sqlite`, log: silentLog });
    expect(code).toBe(0);
    // Progress: every prompt in timetable order (exact seconds vary with real request latency).
    const progress = stdout.split('\n').filter((l) => l.startsWith('[T+')).map((l) => l.replace(/^\[T\+\d\d:\d\d\] /, '').slice(0, 12));
    expect(progress).toEqual([
      'Welcome to #', 'How it works', 'First questi', 'Q1: Commitme', 'Second quest', 'Q2: Continuo', 'Final questi', 'Q3: Talk is ', "That's our l", "That's a wra",
      '#badgechat r', // the recap embed posted at close
    ]);
    expect(stdout).toMatch(/Web page {6}\S+\/recaps\/session-\d+\.html/);
    expect(stdout).toMatch(/Archive site {2}\S+\/site\/index\.html/);
    expect(stdout).toMatch(/Same answers per question as `emcee replay` of the archive \(9 in all\)/);

    const db = new Database(`${dir}/demo.sqlite`, { readonly: true });
    const live = db.prepare(`SELECT a.question, a.takeaway FROM answers a JOIN sessions s ON s.id = a.session_id WHERE s.source = 'live' AND a.via != 'inferred'`).all() as { question: number | null; takeaway: number }[];
    db.close();
    const replay = replayTranscript(readArchiveFile(file)).result.answers;
    const tally = (qs: (number | string)[]) => qs.map(String).sort();
    expect(tally(live.map((a) => (a.takeaway ? 'TA' : a.question!)))).toEqual(tally(replay.map((a) => a.question)));
  }, 60_000);
});
