/**
 * Several bot processes on one database (issue 12): 4 guilds on 2 shards, one process per
 * shard (`SHARDS=k SHARD_COUNT=2 npm start`), every guild with a live session and
 * participants posting. The shard-0 process is SIGKILLed at seeded moments (at random
 * uptimes, as a prompt post reaches Discord, as a recap post does) and restarted; a third
 * process runs shard 1 as well for part of the run (an operator starting it twice, or a
 * rolling deploy's overlap). At the end every prompt of every guild went out exactly once
 * and in order, every participant message is stored exactly once, and every guild's recap
 * was posted once. On PostgreSQL (a database of its own on the test server) and on SQLite
 * (one file, processes on one host).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { SessionControls } from '../../src/live/controls.ts';
import { startSandbox, type RecordedRequest, type Sandbox } from '../../src/sandbox/index.ts';
import { openConfiguredStore, type StoreConfig } from '../../src/store/index.ts';
import type { StorePort } from '../../src/store/port.ts';
import type { Session } from '../../src/store/sessions.ts';
import { silentLog } from '../helpers/live.ts';
import { onPostgresServer } from '../helpers/postgres-server.ts';
import {
  botMessages, errorLines, faultSeed, killAll, nonceOf, onRequest, postLabel, resentMarkers, rng, sleep, spawnBot, stderrOf, userMessages,
  type BotLife, type Random,
} from './support.ts';

const SEED = faultSeed(20_261_202);
const TAG = '#ShardChat';
const QUESTIONS = ['Q one?', 'Q two?', 'Q three?', 'Q four?'];
// welcome T+0, Q1..Q4 every 6 s, outro T+84 s, close T+90 s (as in kill.test.ts).
const SETTINGS = {
  guidelinesAtMinutes: null, questionOffsetsMinutes: [0.1, 0.2, 0.3, 0.4], headsUpMinutesBefore: null,
  outroAtMinutes: 1.4, graceMinutes: 0.1, lateToleranceSeconds: 3600,
};
const SHARD_COUNT = 2;
const MIN_KILLS = 4;
const MAX_KILLS = 10;
/** The session (90 s), the catch-up of a recap whose claimant was killed (lease and sweep), start and stop. */
const SCENARIO_TIMEOUT_MS = 300_000;

interface Guild {
  shard: number;
  guildId: string;
  channelId: string;
  users: string[];
  session: Session;
  sent: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A recap post as the sandbox received it. */
const isRecapPost = (r: RecordedRequest) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && (nonceOf(r.body) ?? '').startsWith('emcee-recap:');
const recapsIn = (sandbox: Sandbox, channelId: string) => botMessages(sandbox, channelId).filter((m) => m.embeds[0]?.title === `${TAG} recap`);

async function scenario(what: string, database: StoreConfig, env: Record<string, string | undefined>): Promise<void> {
  const started = Date.now();
  const random: Random = rng(SEED);
  const chatter = rng(SEED ^ 0x5eed);
  console.log(`[faults/shards ${what}] seed ${SEED} (FAULT_SEED=${SEED} to repeat its choices)`);
  const sandbox = await startSandbox();
  cleanups.push(() => sandbox.close());

  // 4 guilds, 2 on each shard; a series and a session started now in each.
  const setup = await openConfiguredStore(database, systemClock);
  const controls = new SessionControls({ store: setup, clock: systemClock, log: silentLog });
  const guilds: Guild[] = [];
  for (const [i, shard] of [0, 1, 0, 1].entries()) {
    const guild = sandbox.createGuild(`guild ${i}`, { shard: [shard, SHARD_COUNT] });
    const channelId = sandbox.createChannel(`chat-${i}`, { guildId: guild.id }).id;
    const series = await setup.series.saveForChannel({ guildId: guild.id, channelId, tag: TAG, timezone: 'UTC', schedule: null, settings: SETTINGS });
    const session = await controls.start(series, 'faults', { questions: QUESTIONS });
    const users = ['amy', 'bo', 'cy'].map((name) => sandbox.createUser(`${name}${i}`).id);
    guilds.push({ shard, guildId: guild.id, channelId, users, session, sent: [] });
  }
  // Kept open to watch the recaps being recorded (a second reader on the database).
  cleanups.push(() => setup.close());
  const closeAt = Math.max(...guilds.map((g) => g.session.startsAt.getTime())) + 90_000;

  // Participants: a message every 30-60 ms in one of the guilds, labelled or not.
  let posting = true;
  const poster = (async () => {
    let seq = 0;
    while (posting && Date.now() < closeAt - 1_000) {
      const g = chatter.pick(guilds);
      const label = chatter.chance(0.8) ? `A${chatter.int(1, 4)}: ` : '';
      g.sent.push(sandbox.userSays(g.channelId, chatter.pick(g.users), `${label}message ${++seq}`).id);
      await sleep(chatter.int(30, 60));
    }
  })();
  cleanups.push(async () => {
    posting = false;
    await poster;
  });

  const lives: BotLife[] = [];
  cleanups.push(() => killAll(lives));
  const start = (shard: number, name: string) => {
    const life = spawnBot(sandbox, { ...env, SHARDS: String(shard), SHARD_COUNT: String(SHARD_COUNT) }, lives.length + 1, name);
    lives.push(life);
    return life;
  };
  let hook: ((r: RecordedRequest) => void) | null = null;
  onRequest(sandbox, (r) => hook?.(r));
  const shard0 = guilds.filter((g) => g.shard === 0);
  const allRecaps = () => guilds.every((g) => recapsIn(sandbox, g.channelId).length > 0);
  const shard0Done = () => shard0.every((g) => recapsIn(sandbox, g.channelId).length > 0);
  const isShard0Post = (r: RecordedRequest) => r.method === 'POST' && r.status === 200 && shard0.some((g) => r.path === `/channels/${g.channelId}/messages`);

  // Shard 1: one process throughout, and an overlapping second one for part of the run.
  const shard1 = start(1, 'shard 1');
  const overlapFrom = random.int(5_000, 30_000);
  const overlapFor = random.int(20_000, 50_000);
  const overlap = (async () => {
    await sleep(overlapFrom);
    const twin = start(1, 'shard 1, overlapping');
    await sleep(overlapFor);
    if (random.chance(0.5)) {
      twin.proc.kill('SIGKILL');
      await twin.exit;
      return 'killed';
    }
    twin.proc.kill('SIGTERM');
    const exit = await twin.exit;
    expect(exit, stderrOf([twin])).toEqual({ code: 0, signal: null });
    return 'stopped';
  })();

  // Shard 0: killed at seeded moments and restarted.
  const kills: string[] = [];
  let final: BotLife | null = null;
  let recapKilled = false;
  const at = () => `T+${((Date.now() - guilds[0]!.session.startsAt.getTime()) / 1000).toFixed(1)}s`;
  try {
    while (kills.length < MAX_KILLS && !shard0Done()) {
      const life = start(0, `shard 0, life ${kills.length + 1}`);
      const roll = random.next();
      // A recap kill (once) when the close is near, and as the last kill when kills run
      // short; else a prompt kill or an uptime kill.
      const trigger = !recapKilled && (Date.now() > closeAt - 15_000 || kills.length === MAX_KILLS - 1) ? 'recap' : roll < 0.4 ? 'prompt' : 'uptime';
      const delay = trigger === 'uptime' ? random.int(500, 15_000) : random.pick([0, 0, random.int(1, 50)]);
      let cameAfter = true;
      const fired = await new Promise<boolean>((resolve) => {
        const timers: NodeJS.Timeout[] = [];
        const finish = (killed: boolean) => {
          hook = null;
          timers.forEach(clearTimeout);
          clearInterval(poll);
          resolve(killed);
        };
        const kill = () => {
          life.proc.kill('SIGKILL');
          finish(true);
        };
        const poll = setInterval(() => {
          if (life.exited) finish(false);
          else if (shard0Done()) finish(false);
        }, 100);
        if (trigger === 'uptime') timers.push(setTimeout(kill, delay));
        else {
          hook = (r) => {
            if (!(trigger === 'recap' ? isRecapPost(r) && isShard0Post(r) : isShard0Post(r) && !isRecapPost(r))) return;
            hook = null;
            if (delay === 0) kill();
            else timers.push(setTimeout(kill, delay));
          };
          // Never came (the recap: not until the close): kill anyway.
          timers.push(setTimeout(() => {
            cameAfter = false;
            kill();
          }, trigger === 'recap' ? Math.max(0, closeAt - Date.now()) + 20_000 : 20_000));
        }
      });
      if (!fired) {
        if (life.exited) throw new Error(`${life.name} exited by itself\n${stderrOf([life])}`);
        final = life;
        break;
      }
      await life.exit;
      if (trigger === 'recap') recapKilled = true;
      kills.push(`${trigger}${trigger === 'uptime' ? ` ${delay}ms` : ` +${delay}ms`}${cameAfter ? '' : ' (never came)'} ${at()}`);
      await sleep(random.int(100, 1_500));
    }
    final ??= start(0, 'shard 0, last life');
    // A recap whose claimant was killed after its post reached Discord is in the channel
    // already: it is recorded once the lease (30 s) has run out and the next sweep finds it
    // there (it is not posted again: the check below counts the POSTs of every nonce).
    const recorded = async () => (await Promise.all(guilds.map((g) => setup.sessions.get(g.session.id)))).every((s) => s?.recapMessageId);
    const deadline = Date.now() + Math.max(0, closeAt - Date.now()) + 90_000;
    while (!(allRecaps() && await recorded())) {
      for (const life of [final, shard1]) if (life.exited) throw new Error(`${life.name} exited\n${stderrOf([life])}`);
      if (Date.now() > deadline) throw new Error('timed out waiting for every recap to be posted and recorded');
      await sleep(200);
    }
    posting = false;
    await poster;
    console.log(`[faults/shards ${what}] overlap ${overlapFrom}-${overlapFrom + overlapFor} ms: ${await overlap}`);
    for (const life of [final, shard1]) {
      life.proc.kill('SIGTERM');
      expect(await life.exit, stderrOf([life])).toEqual({ code: 0, signal: null });
    }
  } catch (err) {
    console.log(`kills so far: ${kills.join(', ')}\n${stderrOf(lives.slice(-3))}`);
    throw err;
  }

  const store: StorePort = await openConfiguredStore(database, systemClock);
  cleanups.push(() => store.close());
  const failures: string[] = [];
  const check = async (name: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  };
  for (const [i, g] of guilds.entries()) {
    const prompts = await store.prompts.listBySession(g.session.id);
    const posts = botMessages(sandbox, g.channelId).filter((m) => m.embeds[0]?.title !== `${TAG} recap`);
    await check(`guild ${i}: prompts in the channel`, () => expect(posts.map(postLabel)).toEqual(prompts.map((p) => (p.kind === 'question' ? `Q${p.questionNumber}` : p.text))));
    await check(`guild ${i}: prompt rows`, () => expect(prompts.map((p) => [p.kind, p.state, p.messageId])).toEqual(prompts.map((p, k) => [p.kind, 'posted', posts[k]?.id])));
    await check(`guild ${i}: prompts re-sent`, () => expect(resentMarkers(sandbox, g.channelId)).toEqual([]));
    const recaps = recapsIn(sandbox, g.channelId);
    await check(`guild ${i}: recap posts`, () => expect(recaps).toHaveLength(1));
    await check(`guild ${i}: recap recorded`, async () => expect((await store.sessions.get(g.session.id))?.recapMessageId).toBe(recaps[0]?.id));
    const stored = (await store.messages.listBySession(g.session.id)).filter((m) => !m.fromSelf).map((m) => m.platformId);
    const delivered = userMessages(sandbox, g.channelId).map((m) => m.id);
    const seen = new Set(stored);
    await check(`guild ${i}: participant messages`, () => expect({
      lost: delivered.filter((id) => !seen.has(id)),
      doubled: stored.filter((id, k) => stored.indexOf(id) !== k),
      strays: stored.filter((id) => !delivered.includes(id)),
      count: stored.length,
    }).toEqual({ lost: [], doubled: [], strays: [], count: g.sent.length }));
  }
  await check('errors logged', () => expect(errorLines(lives)).toEqual([]));
  const messages = guilds.reduce((n, g) => n + g.sent.length, 0);
  console.log(`[faults/shards ${what}] seed ${SEED}: ${kills.length} kills of shard 0 (${kills.join(', ')}), ${lives.length} bot processes, `
    + `${messages} participant messages in 4 guilds, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) console.log(stderrOf(lives.slice(-3)));
  expect(failures).toEqual([]);
  expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
  expect(kills.some((k) => k.startsWith('prompt +') && !k.includes('never came'))).toBe(true);
  expect(kills.some((k) => k.startsWith('recap +') && !k.includes('never came'))).toBe(true);
}

describe('4 guilds on 2 shards, 2 bot processes and an overlapping third, SIGKILL at seeded moments', () => {
  it('on SQLite (one file, processes on one host): every prompt once and in order, every message once, every recap once', async () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-shards-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = `${dir}/emcee.sqlite`;
    await scenario('sqlite', { databasePath: path }, { DATABASE_PATH: path, DATABASE_URL: undefined });
  }, SCENARIO_TIMEOUT_MS);

  onPostgresServer('shards on PostgreSQL', (serverUrl) => {
    it('on PostgreSQL (one server): every prompt once and in order, every message once, every recap once', async () => {
      // A database of its own on the test server, dropped afterwards.
      const name = `emcee_shards_${process.pid}_${Date.now()}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      cleanups.push(async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      });
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      await scenario('postgres', { databasePath: '', databaseUrl: url.toString() }, { DATABASE_URL: url.toString(), DATABASE_PATH: undefined });
    }, SCENARIO_TIMEOUT_MS);
  });
});
