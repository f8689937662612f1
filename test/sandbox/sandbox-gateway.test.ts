import { Client } from 'discord.js';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { alice, clients, connect, general, GuildMembers, GuildMessages, Guilds, next, sandbox, useSandbox } from './support.ts';

// The gateway: login and READY, resumes and re-identifies, several sessions, members; and the raw protocol.

useSandbox();

describe('sandbox with the real discord.js client', () => {
  test('login: ready with the guild, its channels and members', async () => {
    const client = await connect();
    expect(client.user?.id).toBe(sandbox.botUser.id);
    expect(client.user?.bot).toBe(true);
    expect(client.application?.id).toBe(sandbox.applicationId);
    const guild = client.guilds.cache.get(sandbox.guild.id);
    expect(guild?.available).toBe(true);
    expect(guild?.name).toBe(sandbox.guild.name);
    expect(guild?.ownerId).toBe(sandbox.guild.ownerId);
    expect(guild?.channels.cache.get(general.id)?.name).toBe('general');
    expect(guild?.members.cache.get(alice.id)?.user.username).toBe('alice');
    expect(guild?.members.me?.id).toBe(sandbox.botUser.id);
    expect(guild?.roles.everyone.id).toBe(sandbox.guild.id);
    expect(sandbox.connected()).toBe(true);
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /gateway/bot']);
  });

  test('a wrong token is refused', async () => {
    const client = new Client({ intents: [Guilds], rest: { api: sandbox.apiBase } });
    clients.push(client);
    await expect(client.login('not-the-token')).rejects.toThrow();
    expect(sandbox.requests[0]?.status).toBe(401);
  });

  test('channels created after login reach the client', async () => {
    const client = await connect();
    const created = next(client, 'channelCreate');
    const later = sandbox.createChannel('later');
    const [channel] = await created;
    expect(channel.id).toBe(later.id);
  });

  test('closeSocket: discord.js resumes and a message sent in the gap arrives exactly once', async () => {
    const client = await connect();
    const seen: string[] = [];
    client.on('messageCreate', (m) => seen.push(m.content));
    const resumed = next(client, 'shardResume');
    sandbox.closeSocket();
    sandbox.userSays(general.id, alice.id, 'during the gap');
    const [, replayed] = await resumed;
    expect(replayed).toBeGreaterThanOrEqual(1);
    sandbox.userSays(general.id, alice.id, 'after');
    await sandbox.waitFor(() => seen.includes('after'));
    expect(seen).toEqual(['during the gap', 'after']);
    expect(sandbox.connected()).toBe(true);
  });

  test('op 7 reconnect: resumes without losing or repeating messages', async () => {
    const client = await connect();
    const seen: string[] = [];
    client.on('messageCreate', (m) => seen.push(m.content));
    const resumed = next(client, 'shardResume');
    sandbox.sendReconnect();
    sandbox.userSays(general.id, alice.id, 'one');
    await resumed;
    sandbox.userSays(general.id, alice.id, 'two');
    await sandbox.waitFor(() => seen.includes('two'));
    expect(seen).toEqual(['one', 'two']);
  });

  test('op 9 (not resumable): discord.js identifies again and gets a new READY', async () => {
    // No identify throttle: discord.js would otherwise wait ~5 s between identifies.
    const client = await connect({ ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => {} }) } });
    const readies: string[] = [];
    client.on('raw', (packet: { t?: string; d?: { session_id?: string } }) => {
      if (packet.t === 'READY') readies.push(packet.d?.session_id ?? '');
    });
    const shardReady = next(client, 'shardReady');
    sandbox.sendInvalidSession(false);
    await shardReady;
    expect(readies).toHaveLength(1);
    const got = next(client, 'messageCreate', (m) => m.content === 'after re-identify');
    sandbox.userSays(general.id, alice.id, 'after re-identify');
    await got;
    expect(sandbox.connected()).toBe(true);
  });

  test('op 9 (resumable): discord.js resumes on the same socket', async () => {
    const client = await connect();
    const resumed = next(client, 'shardResume');
    sandbox.sendInvalidSession(true);
    await resumed;
    const got = next(client, 'messageCreate', (m) => m.content === 'still here');
    sandbox.userSays(general.id, alice.id, 'still here');
    await got;
  });

  test('several clients get their own sessions', async () => {
    const first = await connect();
    const second = await connect();
    const a = next(first, 'messageCreate');
    const b = next(second, 'messageCreate');
    sandbox.userSays(general.id, alice.id, 'to everyone');
    const [[ma], [mb]] = await Promise.all([a, b]);
    expect(ma.content).toBe('to everyone');
    expect(mb.content).toBe('to everyone');
  });

  test('members: op 8 chunk for members.fetch(), GUILD_MEMBER_ADD with the GuildMembers intent', async () => {
    const client = await connect({ intents: [Guilds, GuildMembers, GuildMessages] });
    const guild = client.guilds.cache.get(sandbox.guild.id);
    const all = await guild?.members.fetch();
    expect(all?.map((m) => m.user.username).sort()).toEqual(['alice', 'owner', 'sandbox-bot']);
    const added = next(client, 'guildMemberAdd');
    const bob = sandbox.createUser('bob');
    const [member] = await added;
    expect(member.id).toBe(bob.id);
    const role = sandbox.createRole('mod', 0n);
    const updated = next(client, 'guildMemberUpdate');
    sandbox.addRole(bob.id, role.id);
    const [, after] = await updated;
    expect(after.roles.cache.has(role.id)).toBe(true);
  });
});

/** A raw gateway client: frames in order, and the close code. */
function rawGateway(url: string) {
  const ws = new WebSocket(`${url}?v=10&encoding=json`);
  const frames: { op: number; t: string | null; s: number | null; d: any }[] = [];
  let closeCode: number | null = null;
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  ws.on('close', (code) => (closeCode = code));
  return {
    ws,
    frames,
    closed: () => closeCode,
    send: (payload: unknown) => ws.send(JSON.stringify(payload)),
  };
}

describe('gateway protocol (raw socket)', () => {
  const sockets: WebSocket[] = [];
  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });

  test('HELLO, heartbeat ACK, READY then GUILD_CREATE with sequence numbers', async () => {
    const gw = rawGateway(sandbox.gatewayUrl);
    sockets.push(gw.ws);
    await sandbox.waitFor(() => gw.frames[0]);
    expect(gw.frames[0]).toMatchObject({ op: 10, d: { heartbeat_interval: expect.any(Number) } });
    gw.send({ op: 1, d: null });
    await sandbox.waitFor(() => gw.frames.find((f) => f.op === 11));
    gw.send({ op: 2, d: { token: sandbox.token, intents: 1, properties: {}, shard: [0, 1] } });
    const create = await sandbox.waitFor(() => gw.frames.find((f) => f.t === 'GUILD_CREATE'));
    const ready = gw.frames.find((f) => f.t === 'READY');
    expect(ready).toMatchObject({
      op: 0,
      s: 1,
      d: { v: 10, user: { id: sandbox.botUser.id, bot: true }, guilds: [{ id: sandbox.guild.id, unavailable: true }], shard: [0, 1], application: { id: sandbox.applicationId } },
    });
    expect(ready?.d.resume_gateway_url).toBe(sandbox.gatewayUrl);
    expect(create.s).toBe(2);
    expect(create.d).toMatchObject({ id: sandbox.guild.id, unavailable: false, large: false, member_count: 3 });
    expect(create.d.roles[0]).toMatchObject({ id: sandbox.guild.id, name: '@everyone', permissions: expect.stringMatching(/^\d+$/) });
    expect(create.d.channels[0]).toMatchObject({ type: 0, name: 'general', position: 0, permission_overwrites: [], parent_id: null });
    expect(sandbox.connected()).toBe(true);
  });

  test('a wrong token closes with 4004; resuming an unknown session gets op 9 false', async () => {
    const bad = rawGateway(sandbox.gatewayUrl);
    sockets.push(bad.ws);
    await sandbox.waitFor(() => bad.frames[0]);
    bad.send({ op: 2, d: { token: 'nope', intents: 1, properties: {} } });
    await sandbox.waitFor(() => bad.closed() === 4004);

    const stale = rawGateway(sandbox.gatewayUrl);
    sockets.push(stale.ws);
    await sandbox.waitFor(() => stale.frames[0]);
    stale.send({ op: 6, d: { token: sandbox.token, session_id: 'gone', seq: 3 } });
    const invalid = await sandbox.waitFor(() => stale.frames.find((f) => f.op === 9));
    expect(invalid.d).toBe(false);
    expect(sandbox.connected()).toBe(false);
  });
});
