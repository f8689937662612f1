import { PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.ts';
import { startOps, type Ops } from '../../src/ops/index.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { Prompt } from '../../src/store/prompts.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { pollUntil } from '../helpers/poll.ts';

// /metrics scraped over HTTP during and after real sessions on the loopback Discord: every
// counter is checked against what the session did (the database's prompt rows and answers,
// the messages the sandbox delivered, the 429s it sent).

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => START.getTime() + minutes * MINUTE;
// welcome T+0, guidelines T+1, heads-up T+1.5, Q1 T+2, Q2 T+4, Q3 T+6, outro T+7, close T+9.
const SETTINGS = { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 };

interface World {
  time: FakeTime;
  sandbox: Sandbox;
  store: Store;
  ops: Ops;
  bot: RunningApp;
  channelId: string;
  advanceTo(ms: number): Promise<void>;
  /** A new bot process on the same database, reporting to the same metrics (a restart). */
  restart(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(opts: { guildLabel?: boolean; denyBot?: bigint } = {}): Promise<World> {
  const time = new FakeTime(new Date(at(-1)));
  const sandbox = await startSandbox({ clock: time });
  const store = openStore(':memory:', time);
  cleanups.push(() => sandbox.close(), () => store.close());
  const channel = sandbox.createChannel('badgechat', opts.denyBot === undefined ? {} : { denyBot: opts.denyBot });
  await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId: channel.id, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: SETTINGS });
  const ops = await startOps({ port: 0, clock: time, log: silentLog, guildLabel: opts.guildLabel ?? false });
  cleanups.push(() => ops.close());
  const boot = async () => {
    const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false, telemetry: ops.telemetry });
    cleanups.push(() => bot.stop());
    ops.attach(bot);
    return bot;
  };
  const w: World = {
    time, sandbox, store, ops, channelId: channel.id, bot: await boot(),
    advanceTo: (ms) => time.advanceTo(ms, () => w.bot.live.engine.whenIdle()),
    restart: async () => {
      await w.bot.stop();
      w.bot = await boot();
    },
  };
  return w;
}

async function startSession(w: World, questions = ['One?', 'Two?', 'Three?']) {
  await w.advanceTo(at(0));
  return w.bot.live.controls.start((await w.store.series.getByChannel(w.sandbox.guild.id, w.channelId))!, 'tester', { questions });
}

/** One scrape of /metrics over HTTP: each sample by `name{label="v",…}` (labels sorted), and the raw text. */
async function scrape(ops: Ops): Promise<{ text: string; value(name: string, labels?: Record<string, string>): number | undefined }> {
  const res = await fetch(`${ops.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort().join(',');
    samples.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return {
    text,
    value: (name, labels = {}) => samples.get(`${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',')}}`),
  };
}

/** The prompt rows in `state`, counted by kind. */
async function rowsByKind(w: World, sessionId: number, keep: (p: Prompt) => boolean): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const p of await w.store.prompts.listBySession(sessionId)) if (keep(p)) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
  return counts;
}

/** A counter by kind as the scrape shows it, for every kind the rows name or the scrape has. */
function byKind(s: Awaited<ReturnType<typeof scrape>>, name: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of ['preview', 'welcome', 'guidelines', 'heads_up', 'question', 'outro', 'close']) {
    const v = s.value(name, { kind });
    if (v !== undefined && v > 0) counts.set(kind, v);
  }
  return counts;
}

describe('/metrics during and after a session on the sandbox', () => {
  it('counts the prompts posted per kind, the participant messages and the answers by via, as the database has them', async () => {
    const w = await setUp();
    const session = await startSession(w);
    await w.advanceTo(at(2));
    const q1 = w.sandbox.messages(w.channelId).find((m) => m.embeds[0]?.title === 'Q1')!;
    const amy = w.sandbox.createUser('amy');
    const ben = w.sandbox.createUser('ben');
    w.sandbox.userSays(w.channelId, amy.id, 'A1: a labelled answer');
    w.sandbox.userSays(w.channelId, ben.id, 'replying to the question', { replyTo: q1.id });
    w.sandbox.userSays(w.channelId, ben.id, 'great chat everyone');
    const viaCommand = w.sandbox.interact({ userId: amy.id, channelId: w.channelId, name: 'chat', options: [{ type: 1, name: 'answer', options: [{ name: 'question', type: 4, value: 1 }, { name: 'text', type: 3, value: 'by command' }] }] });
    await viaCommand.callback();
    const answers = async () => (await w.store.messages.answers(session.id, { inferred: true })).map((a) => a.via).sort();
    await pollUntil(async () => (await answers()).length === 4 || undefined);
    expect(await answers()).toEqual(['command', 'inferred', 'label', 'reply']);

    // During the session: Q1 is out, Q2 not yet.
    const during = await scrape(w.ops);
    const posted = await rowsByKind(w, session.id, (p) => p.state === 'posted');
    expect(posted).toEqual(new Map([['welcome', 1], ['guidelines', 1], ['heads_up', 1], ['question', 1]]));
    expect(byKind(during, 'emcee_prompts_posted_total')).toEqual(posted);
    expect(during.value('emcee_messages_ingested_total')).toBe(3); // the three the sandbox delivered
    for (const via of ['label', 'reply', 'inferred', 'command']) expect(during.value('emcee_answers_recorded_total', { via })).toBe(1);
    expect(during.value('emcee_sessions', { state: 'running' })).toBe(1);
    expect(during.value('emcee_ingest_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(during.value('emcee_engine_last_cycle_timestamp_seconds')).toBe(at(2) / 1000);

    // After it: every prompt posted on time, nothing late, skipped or failed.
    await w.advanceTo(at(20));
    await w.bot.recapsPosted();
    const after = await scrape(w.ops);
    const postedAll = await rowsByKind(w, session.id, (p) => p.state === 'posted');
    expect([...postedAll.values()].reduce((a, b) => a + b)).toBe(10);
    expect(byKind(after, 'emcee_prompts_posted_total')).toEqual(postedAll);
    expect(byKind(after, 'emcee_prompts_late_total')).toEqual(new Map());
    expect(byKind(after, 'emcee_prompts_skipped_total')).toEqual(new Map());
    expect(byKind(after, 'emcee_prompts_failed_total')).toEqual(new Map());
    expect(after.value('emcee_prompt_lateness_seconds_count', { kind: 'question' })).toBe(3);
    expect(after.value('emcee_prompt_lateness_seconds_sum', { kind: 'question' })).toBe(0); // fake time: each on its minute
    expect(after.value('emcee_sessions', { state: 'running' })).toBe(0);
    expect(after.value('emcee_messages_ingested_total')).toBe(3);
    expect(after.value('emcee_discord_rest_429_total', { scope: 'user' })).toBe(0);
    // Default process metrics, and no ids of users, messages or the guild anywhere.
    expect(after.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(after.text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    for (const id of [amy.id, ben.id, q1.id, w.sandbox.guild.id, w.channelId]) expect(after.text).not.toContain(id);
  });

  it('a restart that catches up counts late posts, skipped heads-ups and their lateness as the rows have them', async () => {
    const w = await setUp();
    const session = await startSession(w);
    await w.bot.stop();
    // Down for five minutes: the heads-ups are no use when their question is due; the rest goes out late.
    await w.time.advanceTo(at(5), async () => {});
    await w.restart();
    await w.advanceTo(at(5));
    const s = await scrape(w.ops);
    const prompts = await w.store.prompts.listBySession(session.id);
    const skipped = await rowsByKind(w, session.id, (p) => p.state === 'skipped');
    expect(skipped).toEqual(new Map([['heads_up', 2]]));
    expect(byKind(s, 'emcee_prompts_skipped_total')).toEqual(skipped);
    const late = await rowsByKind(w, session.id, (p) => p.state === 'posted' && p.late);
    expect(late).toEqual(new Map([['guidelines', 1], ['question', 1]])); // Q2 a minute after: within the 60 s tolerance
    expect(byKind(s, 'emcee_prompts_late_total')).toEqual(late);
    expect(byKind(s, 'emcee_prompts_posted_total')).toEqual(await rowsByKind(w, session.id, (p) => p.state === 'posted'));
    const questions = prompts.filter((p) => p.kind === 'question' && p.state === 'posted');
    const lateness = questions.reduce((sum, p) => sum + (p.postedAt!.getTime() - p.plannedAt.getTime()) / 1000, 0);
    expect(lateness).toBe(180 + 60); // Q1 three minutes late, Q2 one
    expect(s.value('emcee_prompt_lateness_seconds_sum', { kind: 'question' })).toBe(lateness);
    expect(s.value('emcee_prompt_lateness_seconds_bucket', { kind: 'question', le: '60' })).toBe(1);
    expect(s.value('emcee_prompt_lateness_seconds_bucket', { kind: 'question', le: '300' })).toBe(2);
  });

  it('a channel that is gone: every prompt failed, counted by kind', async () => {
    const w = await setUp();
    // The series' channel was deleted while the bot was away (Discord: 404 Unknown Channel).
    const gone = await w.store.series.saveForChannel({ guildId: w.sandbox.guild.id, channelId: '999999999999999999', tag: '#Gone', timezone: 'UTC', schedule: null, settings: SETTINGS });
    await w.advanceTo(at(0));
    const session = await w.bot.live.controls.start(gone, 'tester', { questions: ['One?', 'Two?', 'Three?'] });
    await w.advanceTo(at(1));
    expect((await w.store.sessions.get(session.id))!.state).toBe('cancelled');
    const failed = await rowsByKind(w, session.id, (p) => p.state === 'failed');
    expect([...failed.values()].reduce((a, b) => a + b, 0)).toBe(10);
    const s = await scrape(w.ops);
    expect(byKind(s, 'emcee_prompts_failed_total')).toEqual(failed);
    expect(byKind(s, 'emcee_prompts_posted_total')).toEqual(new Map());
  });

  it('counts Discord\'s 429s by X-RateLimit-Scope, and the post still goes out once', async () => {
    const w = await setUp();
    w.sandbox.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.05 });
    w.sandbox.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.05, global: true });
    w.sandbox.failNext({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.05, shared: true });
    const session = await startSession(w);
    await w.sandbox.waitFor(() => w.sandbox.messages(w.channelId).length === 1 || undefined);
    await w.bot.live.engine.whenIdle();
    const s = await scrape(w.ops);
    expect(w.sandbox.requests.filter((r) => r.status === 429)).toHaveLength(3);
    expect(s.value('emcee_discord_rest_429_total', { scope: 'user' })).toBe(1);
    expect(s.value('emcee_discord_rest_429_total', { scope: 'global' })).toBe(1);
    expect(s.value('emcee_discord_rest_429_total', { scope: 'shared' })).toBe(1);
    expect(byKind(s, 'emcee_prompts_posted_total')).toEqual(await rowsByKind(w, session.id, (p) => p.state === 'posted'));
    expect(s.value('emcee_prompts_posted_total', { kind: 'welcome' })).toBe(1);
  });

  it('with METRICS_GUILD_LABEL=on the prompt, message and session metrics carry the guild id', async () => {
    const w = await setUp({ guildLabel: true });
    await startSession(w);
    await w.advanceTo(at(2));
    w.sandbox.userSays(w.channelId, w.sandbox.createUser('amy').id, 'A1: labelled');
    await pollUntil(async () => (await scrape(w.ops)).value('emcee_messages_ingested_total', { guild: w.sandbox.guild.id }) === 1 || undefined);
    const s = await scrape(w.ops);
    const guild = w.sandbox.guild.id;
    expect(s.value('emcee_prompts_posted_total', { kind: 'question', guild })).toBe(1);
    expect(s.value('emcee_answers_recorded_total', { via: 'label', guild })).toBe(1);
    expect(s.value('emcee_sessions', { state: 'running', guild })).toBe(1);
    expect(s.value('emcee_prompts_posted_total', { kind: 'question' })).toBeUndefined();
  });
});
