/**
 * Several processes on one database (issue 12): two engines — two SessionEngines, each on
 * its own store handle, as two processes would be — overlapping on the same guilds post
 * every prompt exactly once and in order; a claimant killed mid-post is taken over after
 * its lease and reconciled without a duplicate; a stalled claimant's late result is fenced
 * off; and engines with disjoint shard sets each run only their own guilds. Run on SQLite
 * (two handles on one file) and on PostgreSQL (PGlite, two stores on one schema).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { shardOf, type ShardSet } from '../../src/domain/shard.ts';
import { LEASE_MS, SessionEngine } from '../../src/live/engine.ts';
import { persistSession } from '../../src/live/persist.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import type { OutgoingPrompt, PostedMessage } from '../../src/platform/types.ts';
import type { Session, StorePort } from '../../src/store/port.ts';
import { openPgliteStore } from '../../src/store/postgres/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { FakeTime, MINUTE, flush, silentLog } from '../helpers/live.ts';

vi.setConfig({ testTimeout: 120_000 });

const START = new Date('2026-11-23T23:30:00Z');
const QUESTIONS = ['One?', 'Two?', 'Three?'];
/** The timetable of three questions (as engine.test.ts spells it out). */
const TIMETABLE: [string, number | null, number][] = [
  ['welcome', null, 0], ['guidelines', null, 2], ['heads_up', 1, 4], ['question', 1, 5], ['heads_up', 2, 11], ['question', 2, 12],
  ['heads_up', 3, 18], ['question', 3, 19], ['outro', null, 30], ['close', null, 45],
];
/** A snowflake-shaped guild id on `shard` of 2. */
const guildOnShard = (shard: number) => String((BigInt(7_000 + shard) << 22n) | 99n);

interface Backend {
  name: string;
  /** Two handles on one new, empty database. */
  pair(time: FakeTime): Promise<[StorePort, StorePort]>;
}

let pglite: Promise<PGlite> | null = null;
let schemas = 0;
const backends: Backend[] = [
  {
    name: 'SQLite, two handles on one file',
    pair: async (time) => {
      const path = `${mkdtempSync(`${tmpdir()}/emcee-claims-`)}/emcee.sqlite`;
      const a = await openSqliteStore(path, time);
      return [a, await openSqliteStore(path, time)];
    },
  },
  {
    name: 'PostgreSQL on PGlite, two stores on one schema',
    pair: async (time) => {
      const db = await (pglite ??= PGlite.create());
      const schema = `claims_${process.pid}_${++schemas}`;
      const a = await openPgliteStore(db, time, { schema });
      return [a, await openPgliteStore(db, time, { schema })];
    },
  },
];

const opened: StorePort[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
});
afterAll(async () => {
  await (await pglite)?.close();
});

/** One process: an engine on its own store handle (and, by default, the shared platform). */
function engineOn(store: StorePort, time: FakeTime, platform: MemoryPlatform | PlatformLike, owner: string, extra: { owns?: ShardSet; ended?: Session[] } = {}) {
  return new SessionEngine({
    store, platform: platform as MemoryPlatform, clock: time, timers: time, log: silentLog, owner, owns: extra.owns ?? null,
    listener: { sessionEnded: (s) => void extra.ended?.push(s) },
  });
}
type PlatformLike = Pick<MemoryPlatform, 'post' | 'fetchRecent' | 'notice' | 'edit'>;

async function setUp(store: StorePort, guildId: string, channelId: string) {
  const series = await store.series.saveForChannel({ guildId, channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  return persistSession(store, { series, startsAt: START, questions: QUESTIONS, questionSetId: null });
}

function rows(platform: MemoryPlatform, channelId: string): [string, number | null, number][] {
  return platform.posted(channelId).map((m) => [m.prompt!.kind, m.prompt!.questionNumber, (m.at.getTime() - START.getTime()) / MINUTE]);
}

describe.each(backends)('two engines on one database: $name', (backend) => {
  async function world() {
    const time = new FakeTime(new Date(START.getTime() - MINUTE));
    const [a, b] = await backend.pair(time);
    opened.push(a, b);
    return { time, a, b, platform: new MemoryPlatform(time) };
  }

  it('overlapping on the same guild, they post every prompt exactly once, in order, and end the session once', async () => {
    const { time, a, b, platform } = await world();
    const session = await setUp(a, guildOnShard(0), 'chat');
    const ended: Session[] = [];
    const one = engineOn(a, time, platform, 'A', { ended });
    const two = engineOn(b, time, platform, 'B', { ended });
    await Promise.all([one.start(), two.start()]);
    await time.advanceTo(START.getTime() + 2 * 60 * MINUTE, async () => {
      await Promise.all([one.whenIdle(), two.whenIdle()]);
    });
    expect(rows(platform, 'chat')).toEqual(TIMETABLE);
    const prompts = await b.prompts.listBySession(session.id);
    expect(prompts.every((p) => p.state === 'posted' && p.attempts === 1)).toBe(true);
    expect(new Set(prompts.map((p) => p.messageId)).size).toBe(prompts.length);
    expect(ended.map((s) => s.id)).toEqual([session.id]);
    expect(await a.sessions.get(session.id)).toMatchObject({ state: 'ended' });
    one.stop();
    two.stop();
  });

  it('one killed mid-post: the other leaves the prompt alone during the lease, then reconciles it without a duplicate', async () => {
    const { time, a, b, platform } = await world();
    const session = await setUp(a, guildOnShard(0), 'chat');
    const killed = engineOn(a, time, platform, 'A');
    await killed.start();
    await time.advanceTo(START.getTime() + 5 * MINUTE - 1, () => killed.whenIdle());
    platform.failNext('crash-after-send'); // Q1 reaches the channel; A never hears back
    await time.advanceTo(START.getTime() + 5 * MINUTE, flush);
    killed.stop();
    const q1 = (await b.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === 1)!;
    expect(q1).toMatchObject({ state: 'posting', claimedBy: 'A', leaseUntil: new Date(START.getTime() + 5 * MINUTE + LEASE_MS) });

    const survivor = engineOn(b, time, platform, 'B');
    await survivor.start();
    await time.advanceTo(START.getTime() + 5 * MINUTE + LEASE_MS - 1, () => survivor.whenIdle());
    expect(await b.prompts.get(q1.id)).toMatchObject({ state: 'posting', claimedBy: 'A' }); // A's lease holds, to its last millisecond
    expect(platform.calls.filter((c) => c.what === 'fetchRecent')).toEqual([]);

    await time.advanceTo(START.getTime() + 2 * 60 * MINUTE, () => survivor.whenIdle());
    expect(rows(platform, 'chat')).toEqual(TIMETABLE);
    const crashPost = platform.posted('chat').find((m) => m.prompt!.kind === 'question' && m.prompt!.questionNumber === 1)!;
    expect(await b.prompts.get(q1.id)).toMatchObject({ state: 'posted', claimedBy: 'B', messageId: crashPost.id, attempts: 1 });
    expect(await b.sessions.get(session.id)).toMatchObject({ state: 'ended' });
    survivor.stop();
  });

  it("a stalled claimant's late result is fenced off: the prompt keeps the new claimant's post", async () => {
    const { time, a, b, platform } = await world();
    const session = await setUp(a, guildOnShard(0), 'chat');
    // A's sends of Q1 hang before reaching the channel until released (a stalled process).
    let release: () => void = () => {};
    const stalled: PlatformLike = {
      post: async (channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage> => {
        if (prompt.kind === 'question' && prompt.questionNumber === 1) await new Promise<void>((r) => { release = r; });
        return platform.post(channelId, prompt);
      },
      fetchRecent: (c, n) => platform.fetchRecent(c, n),
      notice: (c, t) => platform.notice(c, t),
      edit: (c, m, t) => platform.edit(c, m, t),
    };
    const slow = engineOn(a, time, stalled, 'A');
    await slow.start();
    await time.advanceTo(START.getTime() + 5 * MINUTE, flush);
    const other = engineOn(b, time, platform, 'B');
    await other.start();
    await time.advanceTo(START.getTime() + 8 * MINUTE, () => other.whenIdle()); // past A's lease: B reconciles (nothing there) and posts
    const q1 = (await b.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === 1)!;
    const mine = platform.posted('chat').filter((m) => m.prompt!.kind === 'question' && m.prompt!.questionNumber === 1);
    expect(mine).toHaveLength(1);
    expect(q1).toMatchObject({ state: 'posted', claimedBy: 'B', messageId: mine[0]!.id });

    release(); // A's send finally goes out (Discord's nonce would refuse it); its markPosted is fenced off
    await flush();
    await slow.whenIdle();
    expect(await b.prompts.get(q1.id)).toMatchObject({ state: 'posted', claimedBy: 'B', messageId: mine[0]!.id });
    slow.stop();
    other.stop();
  });

  it('with disjoint shard sets, each engine runs only the sessions of its own guilds', async () => {
    const { time, a, b } = await world();
    const guilds = [guildOnShard(0), guildOnShard(1)];
    expect(guilds.map((g) => shardOf(g, 2))).toEqual([0, 1]);
    const sessions = [await setUp(a, guilds[0]!, 'chat-0'), await setUp(a, guilds[1]!, 'chat-1')];
    const platforms = [new MemoryPlatform(time), new MemoryPlatform(time)];
    const engines = [0, 1].map((shard) => engineOn(shard === 0 ? a : b, time, platforms[shard]!, `shard-${shard}`, { owns: { count: 2, ids: [shard] } }));
    await Promise.all(engines.map((e) => e.start()));
    await time.advanceTo(START.getTime() + 2 * 60 * MINUTE, async () => {
      await Promise.all(engines.map((e) => e.whenIdle()));
    });
    for (const shard of [0, 1]) {
      const platform = platforms[shard]!;
      expect(rows(platform, `chat-${shard}`)).toEqual(TIMETABLE);
      expect(platform.calls.every((c) => c.channelId === `chat-${shard}`)).toBe(true);
      expect((await a.prompts.listBySession(sessions[shard]!.id)).every((p) => p.claimedBy === `shard-${shard}`)).toBe(true);
    }
    engines.forEach((e) => e.stop());
  });
});
