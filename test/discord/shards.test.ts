/**
 * Sharding with the real discord.js client on the sandbox (issue 12): a process given some
 * shards of a fixed count (`owns`, which `npm start` takes from SHARDS and SHARD_COUNT) opens
 * one gateway connection per shard, sees only those shards' guilds and their messages, and
 * posts the prompts of those guilds' sessions only; with no shard set it takes as many shards
 * as Discord recommends ('auto') and every guild. `npm start` itself logs the shard set it runs,
 * and runs under discord.js's ShardingManager (which hands each child SHARDS and SHARD_COUNT).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events, ShardingManager } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.ts';
import { shardOf, shardSet, type ShardSet } from '../../src/domain/shard.ts';
import { startSandbox, type Sandbox, type ShardingOptions } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { pollUntil } from '../helpers/poll.ts';
import { ROOT } from '../helpers/seeds.ts';

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => START.getTime() + minutes * MINUTE;
// Welcome T+0, guidelines T+1, Q1 T+2, Q2 T+4, outro, close T+7.
const SETTINGS = { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface ShardWorld {
  time: FakeTime;
  sandbox: Sandbox;
  store: Store;
  bot: RunningApp;
  /** One guild on each shard k of 4, with a channel and a series: guilds[k]. */
  guilds: { id: string; channelId: string }[];
}

/** Four guilds, one on each of shards 0..3 of 4 (and the sandbox's own guild), and the app started with `owns`. */
async function shardWorld(sharding: ShardingOptions, owns: ShardSet | null): Promise<ShardWorld> {
  const time = new FakeTime(new Date(at(-1)));
  const sandbox = await startSandbox({ clock: time, sharding });
  const store = openStore(':memory:', time);
  cleanups.push(() => sandbox.close(), () => store.close());
  const guilds = [];
  for (let k = 0; k < 4; k++) {
    const guild = sandbox.createGuild(`Server on shard ${k}`, { shard: [k, 4] });
    const channel = sandbox.createChannel(`chat-${k}`, { guildId: guild.id });
    await store.series.saveForChannel({ guildId: guild.id, channelId: channel.id, tag: `#Shard${k}`, timezone: 'UTC', schedule: null, settings: SETTINGS });
    guilds.push({ id: guild.id, channelId: channel.id });
  }
  const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false, owns });
  cleanups.push(() => bot.stop());
  return { time, sandbox, store, bot, guilds };
}

/** Identifies the sandbox has accepted: the session start limit Discord counts them by. */
async function identifies(sandbox: Sandbox): Promise<number> {
  const res = await fetch(`${sandbox.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${sandbox.token}` } });
  const { session_start_limit: limit } = (await res.json()) as { session_start_limit: { total: number; remaining: number } };
  return limit.total - limit.remaining;
}

const everyGuild = (w: ShardWorld) => [w.sandbox.guild.id, ...w.guilds.map((g) => g.id)];
const botPosts = (w: ShardWorld, channelId: string) => w.sandbox.messages(channelId).filter((m) => m.author.id === w.sandbox.botUser.id);

describe('a process running shards 0 and 1 of 4 (SHARDS=0,1 SHARD_COUNT=4)', () => {
  it('connects those two shards, holds only their guilds, and never hears a shard-2 guild', async () => {
    const w = await shardWorld({ maxConcurrency: 4 }, shardSet(4, [0, 1]));
    const client = w.bot.client;
    expect([...client.ws.shards.keys()].sort()).toEqual([0, 1]);
    expect(await identifies(w.sandbox)).toBe(2);
    const owned = everyGuild(w).filter((id) => [0, 1].includes(shardOf(id, 4)));
    expect([...client.guilds.cache.keys()].sort()).toEqual(owned.sort());
    for (const guild of client.guilds.cache.values()) expect(guild.shardId).toBe(shardOf(guild.id, 4));

    const heard: string[] = [];
    client.on(Events.MessageCreate, (m) => heard.push(m.channelId));
    const member = w.sandbox.createUser('participant');
    const unheard = w.sandbox.userSays(w.guilds[2]!.channelId, member.id, 'A1: on shard 2');
    // Messages in the guilds of both owned shards, said after it, arrive: had the shard-2 one reached either connection, it came first.
    w.sandbox.userSays(w.guilds[0]!.channelId, member.id, 'on shard 0');
    w.sandbox.userSays(w.guilds[1]!.channelId, member.id, 'on shard 1');
    await pollUntil(async () => heard.length >= 2 || undefined);
    expect(heard.sort()).toEqual([w.guilds[0]!.channelId, w.guilds[1]!.channelId].sort());
    expect(await w.store.messages.get(unheard.id)).toBeNull();
  });

  it('posts the prompts of a live session in a shard-0 guild, and none of one in a shard-3 guild', async () => {
    const w = await shardWorld({ maxConcurrency: 4 }, shardSet(4, [0, 1]));
    await w.time.advanceTo(at(0), () => w.bot.live.engine.whenIdle());
    // Both started from this process (controls and the CLI work for any guild); only shard 0's is this process's to run.
    const start = async (k: number) => w.bot.live.controls.start((await w.store.series.getByChannel(w.guilds[k]!.id, w.guilds[k]!.channelId))!, 'tester', { questions: ['One?', 'Two?'] });
    const mine = await start(0);
    const theirs = await start(3);
    await w.time.advanceTo(at(3), () => w.bot.live.engine.whenIdle());

    const posted = botPosts(w, w.guilds[0]!.channelId);
    expect(posted.map((m) => m.embeds[0]?.title ?? m.content.split(/[.:!]/)[0])).toEqual(['Welcome to #Shard0', 'How it works', 'First question coming up…', 'Q1']);
    expect((await w.store.prompts.listBySession(mine.id)).filter((p) => p.state === 'posted')).toHaveLength(4);

    expect(botPosts(w, w.guilds[3]!.channelId)).toEqual([]);
    const waiting = await w.store.prompts.listBySession(theirs.id);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.map((p) => p.state)).toEqual(waiting.map(() => 'planned'));
  });
});

describe('a process with no shard set (SHARDS and SHARD_COUNT unset)', () => {
  it('takes the shard count Discord recommends (auto): two connections, every guild', async () => {
    const w = await shardWorld({ recommendedShards: 2, maxConcurrency: 2 }, null);
    const client = w.bot.client;
    expect([...client.ws.shards.keys()].sort()).toEqual([0, 1]);
    expect(await identifies(w.sandbox)).toBe(2);
    expect([...client.guilds.cache.keys()].sort()).toEqual(everyGuild(w).sort());
    for (const guild of client.guilds.cache.values()) expect(guild.shardId).toBe(shardOf(guild.id, 2));
  });
});

describe('npm start with SHARDS and SHARD_COUNT', () => {
  it('logs the shard set and connects those shards only; a bad SHARDS is one line naming it, exit 1', async () => {
    const sandbox = await startSandbox({ sharding: { maxConcurrency: 4 } });
    const dir = mkdtempSync(join(tmpdir(), 'emcee-shards-'));
    cleanups.push(() => sandbox.close(), () => rmSync(dir, { recursive: true, force: true }));
    const env = {
      PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', DATABASE_PATH: join(dir, 'emcee.sqlite'),
      DISCORD_TOKEN: sandbox.token, DISCORD_APPLICATION_ID: sandbox.applicationId, DISCORD_API_BASE: sandbox.apiBase,
    };
    const run = (extra: Record<string, string>) => spawn(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}src/main.ts`], { cwd: dir, env: { ...env, ...extra } });

    const bad = run({ SHARDS: '0,4', SHARD_COUNT: '4' });
    let badErr = '';
    bad.stderr.on('data', (chunk: Buffer) => (badErr += String(chunk)));
    expect(await new Promise((resolve) => bad.on('exit', resolve))).toBe(1);
    expect(badErr).toBe('emcee: invalid configuration:\n  SHARDS: 4 is not a shard of 4 (0 to 3)\n(see .env.example for every variable)\n');

    const bot = run({ SHARDS: '1,2', SHARD_COUNT: '4' });
    const exited = new Promise((resolve) => bot.on('exit', resolve));
    cleanups.push(async () => {
      if (bot.exitCode === null) bot.kill('SIGKILL');
      await exited;
    });
    let err = '';
    bot.stderr.on('data', (chunk: Buffer) => (err += String(chunk)));
    await pollUntil(async () => err.includes('running: SIGINT or SIGTERM stops Emcee') || undefined, 20_000);
    const lines = err.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ msg: 'starting Emcee', shards: 'shards 1,2 of 4' });
    expect(await identifies(sandbox)).toBe(2);
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('under discord.js\'s ShardingManager', () => {
  it('each spawned npm start (dist/src/main.js) runs the shard the manager gives it in SHARDS, of SHARD_COUNT', async () => {
    const sandbox = await startSandbox({ sharding: { maxConcurrency: 2 } });
    const dir = mkdtempSync(join(tmpdir(), 'emcee-manager-'));
    cleanups.push(() => sandbox.close(), () => rmSync(dir, { recursive: true, force: true }));
    const guilds = [0, 1].map((k) => sandbox.createGuild(`Server on shard ${k}`, { shard: [k, 2] }).id);
    // The manager copies this process's environment into each child's, adding SHARDS, SHARD_COUNT and the token.
    const env = {
      LOG_LEVEL: 'silent', DATABASE_PATH: join(dir, 'emcee.sqlite'),
      DISCORD_APPLICATION_ID: sandbox.applicationId, DISCORD_API_BASE: sandbox.apiBase,
    };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    const manager = new ShardingManager(`${ROOT}dist/src/main.js`, { token: sandbox.token, totalShards: 2 });
    try {
      await manager.spawn({ delay: 0, timeout: 15_000 });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    cleanups.push(() => manager.shards.forEach((shard) => shard.kill()));
    expect(await identifies(sandbox)).toBe(2);
    const held = (await manager.broadcastEval((client) => [...client.guilds.cache.keys()])) as string[][];
    const onShard = (k: number) => [sandbox.guild.id, ...guilds].filter((id) => shardOf(id, 2) === k).sort();
    expect(held.map((ids) => [...ids].sort())).toEqual([onShard(0), onShard(1)]);
  });
});
