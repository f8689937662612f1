/**
 * Sharding in the sandbox (issue 12, "The sandbox learns sharding"): GET /gateway/bot's shard
 * count and session start limit, IDENTIFY with `shard: [id, count]`, each guild's events only to
 * the connections of its shard (two connections of one shard both get them), and the close codes
 * Discord refuses a bad shard with. Real discord.js clients, one shard each or two in one.
 */
import { Client, Events } from 'discord.js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { shardOf } from '../../src/sandbox/index.ts';
import { eventGuild, onShard, receives } from '../../src/sandbox/sharding.ts';
import { alice, connect, next, restartSandbox, sandbox, useSandbox } from './support.ts';

useSandbox();

/** Two guilds on each of 2 shards, with a channel each: [shard0a, shard0b, shard1a, shard1b]. */
function fourGuilds() {
  return [0, 0, 1, 1].map((shard, n) => {
    const guild = sandbox.createGuild(`guild ${n}`, { shard: [shard, 2] });
    return { guild, channel: sandbox.createChannel(`chat-${n}`, { guildId: guild.id }) };
  });
}

/** The dispatches a raw gateway connection receives, and how it closed. */
async function rawIdentify(shard: unknown): Promise<{ events: { t: string; d: Record<string, unknown> }[]; closed: Promise<number>; ws: WebSocket }> {
  const ws = new WebSocket(`${sandbox.gatewayUrl}/?v=10&encoding=json`);
  const events: { t: string; d: Record<string, unknown> }[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const ready = new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      const payload = JSON.parse(String(data)) as { op: number; t: string; d: Record<string, unknown> };
      if (payload.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: sandbox.token, intents: 1 | (1 << 9), properties: {}, shard } }));
      if (payload.op === 0) events.push({ t: payload.t, d: payload.d });
      if (payload.t === 'READY') resolve();
    });
    ws.once('close', () => resolve());
  });
  await ready;
  return { events, closed, ws };
}

describe('GET /gateway/bot', () => {
  it('recommends one shard per 1,000 guilds by default, or the configured count, with the session start limit', async () => {
    const body = async () => {
      const res = await fetch(`${sandbox.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${sandbox.token}` } });
      return (await res.json()) as { url: string; shards: number; session_start_limit: Record<string, number> };
    };
    expect(await body()).toEqual({
      url: sandbox.gatewayUrl,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    });
    await restartSandbox({ sharding: { recommendedShards: 4, maxConcurrency: 16, sessionStartTotal: 50 } });
    await connect();
    const after = await body();
    expect(after).toMatchObject({ shards: 4, session_start_limit: { total: 50, remaining: 49, max_concurrency: 16 } });
    expect(after.session_start_limit.reset_after).toBeGreaterThan(23 * 3_600_000);
  });
});

describe('guilds on shards', () => {
  it('createGuild places a guild on the chosen shard; onShard moves a snowflake forward the least', () => {
    for (let n = 1; n <= 4; n++) {
      for (let k = 0; k < n; k++) expect(shardOf(sandbox.createGuild(`g${k}/${n}`, { shard: [k, n] }).id, n)).toBe(k);
    }
    const id = ((1_000_000n << 22n) | 7n).toString();
    expect(onShard(id, 0, 3)).toBe(((1_000_002n << 22n) | 7n).toString());
    expect(onShard(id, 1, 3)).toBe(id);
    expect(() => sandbox.createGuild('bad', { shard: [2, 2] })).toThrow(/shard must be in 0\.\.1/);
  });

  it('two discord.js clients, one shard each: each sees only its shard\'s guilds and their messages and interactions', async () => {
    const guilds = fourGuilds();
    const [a0, , a1] = guilds;
    const first = await connect({ shards: [0], shardCount: 2 });
    const second = await connect({ shards: [1], shardCount: 2 });
    const home = sandbox.guild.id;
    const onShard0 = [home, ...guilds.map((g) => g.guild.id)].filter((id) => shardOf(id, 2) === 0);
    const onShard1 = [home, ...guilds.map((g) => g.guild.id)].filter((id) => shardOf(id, 2) === 1);
    expect([...first.guilds.cache.keys()].sort()).toEqual(onShard0.sort());
    expect([...second.guilds.cache.keys()].sort()).toEqual(onShard1.sort());

    const seen = (client: Client) => {
      const ids: string[] = [];
      client.on(Events.MessageCreate, (m) => ids.push(m.id));
      client.on(Events.InteractionCreate, (i) => ids.push(i.id));
      return ids;
    };
    const firstSaw = seen(first);
    const secondSaw = seen(second);
    const arrivesOn1 = next(second, Events.MessageCreate, (m) => m.channelId === a1!.channel.id);
    const toShard1 = sandbox.userSays(a1!.channel.id, alice.id, 'for shard 1');
    await arrivesOn1;
    const interactionOn1 = next(second, Events.InteractionCreate);
    const asked = sandbox.interact({ userId: alice.id, channelId: a1!.channel.id, name: 'ping' });
    await interactionOn1;
    // Shard 0 gets its own guild's message after those: had shard 1's events reached it, they came first.
    const arrivesOn0 = next(first, Events.MessageCreate, (m) => m.channelId === a0!.channel.id);
    const toShard0 = sandbox.userSays(a0!.channel.id, alice.id, 'for shard 0');
    await arrivesOn0;
    expect(firstSaw).toEqual([toShard0.id]);
    expect(secondSaw).toEqual([toShard1.id, asked.id]);
  });

  it('one client with shards [0, 1] of 2 gets every guild, each on its shard; a second connection of shard 1 gets shard 1\'s events too', async () => {
    await restartSandbox({ sharding: { maxConcurrency: 2 } });
    const guilds = fourGuilds();
    const both = await connect({ shards: [0, 1], shardCount: 2 });
    expect(both.guilds.cache.size).toBe(5);
    for (const guild of both.guilds.cache.values()) expect(guild.shardId).toBe(shardOf(guild.id, 2));

    const overlap = await connect({ shards: [1], shardCount: 2 });
    expect(overlap.guilds.cache.size).toBe(guilds.filter((g) => shardOf(g.guild.id, 2) === 1).length + (shardOf(sandbox.guild.id, 2) === 1 ? 1 : 0));
    const target = guilds[3]!;
    const arrivals = [both, overlap].map((client) => next(client, Events.MessageCreate, (m) => m.channelId === target.channel.id));
    const said = sandbox.userSays(target.channel.id, sandbox.createUser('bob').id, 'both connections of shard 1');
    for (const [message] of await Promise.all(arrivals)) {
      expect(message.id).toBe(said.id);
      expect(message.guild?.shardId).toBe(1);
    }
  });
});

describe('which shard an event goes to', () => {
  it('a guild\'s events (GUILD_* by id, the rest by guild_id) to its shard; events of no guild to shard 0', () => {
    const g1 = onShard('175928847299117063', 1, 2);
    expect(eventGuild('GUILD_CREATE', { id: g1 })).toBe(g1);
    expect(eventGuild('GUILD_DELETE', { id: g1, unavailable: true })).toBe(g1);
    for (const t of ['MESSAGE_CREATE', 'MESSAGE_UPDATE', 'MESSAGE_DELETE', 'MESSAGE_DELETE_BULK', 'THREAD_CREATE', 'INTERACTION_CREATE', 'GUILD_MEMBER_ADD', 'CHANNEL_CREATE']) {
      expect(eventGuild(t, { id: '1', guild_id: g1 }), t).toBe(g1);
    }
    expect(eventGuild('MESSAGE_CREATE', { id: '1', channel_id: '2' })).toBeUndefined();
    expect([receives([0, 2], g1), receives([1, 2], g1), receives([0, 1], g1)]).toEqual([false, true, true]);
    expect([receives([0, 2], undefined), receives([1, 2], undefined)]).toEqual([true, false]);
  });
});

describe('shards Discord refuses', () => {
  it('closes a shard id >= the count, or a malformed shard, with 4010 Invalid shard', async () => {
    for (const shard of [[2, 2], [0, 0], [-1, 2], 'zero', [0]]) {
      const { events, closed } = await rawIdentify(shard);
      expect(await closed, JSON.stringify(shard)).toBe(4010);
      expect(events).toEqual([]);
    }
  });

  it('closes a count that disagrees with the live connections with 4010; READY and GUILD_CREATE list only the shard\'s guilds', async () => {
    fourGuilds();
    const live = await rawIdentify([1, 2]);
    const ready = live.events.find((e) => e.t === 'READY')!;
    const listed = (ready.d.guilds as { id: string }[]).map((g) => g.id);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    for (const id of listed) expect(shardOf(id, 2)).toBe(1);
    expect(ready.d.shard).toEqual([1, 2]);
    await sandbox.waitFor(() => live.events.filter((e) => e.t === 'GUILD_CREATE').length === listed.length);
    expect(live.events.filter((e) => e.t === 'GUILD_CREATE').map((e) => e.d.id).sort()).toEqual([...listed].sort());

    const other = await rawIdentify([0, 3]);
    expect(await other.closed).toBe(4010);
    live.ws.close(1000);
    await live.closed;
    const alone = await rawIdentify([0, 3]);
    expect(alone.events[0]?.t).toBe('READY');
    alone.ws.close(1000);
    await alone.closed;
  });

  it('closes a shard holding more guilds than the per-shard cap with 4011 Sharding required', async () => {
    await restartSandbox({ sharding: { maxGuildsPerShard: 2 } });
    fourGuilds(); // 5 guilds: 2 or 3 on each of 2 shards
    const whole = await rawIdentify([0, 1]);
    expect(await whole.closed).toBe(4011);
    const heavier = shardOf(sandbox.guild.id, 2);
    expect(await (await rawIdentify([heavier, 2])).closed).toBe(4011);
    const lighter = await rawIdentify([1 - heavier, 2]);
    expect(lighter.events[0]?.t).toBe('READY');
    lighter.ws.close(1000);
    await lighter.closed;
  });
});
