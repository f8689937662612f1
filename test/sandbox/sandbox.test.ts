import {
  Client,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ClientEvents,
  type ClientOptions,
  type Message,
  type PartialMessage,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock } from '../../src/domain/clock.ts';
import { startSandbox, type Sandbox, type SandboxChannel, type SandboxUser } from '../../src/sandbox/index.ts';
import { Snowflakes, snowflakeTime } from '../../src/sandbox/snowflake.ts';

const { Guilds, GuildMembers, GuildMessages, MessageContent } = GatewayIntentBits;

let sandbox: Sandbox;
let clients: Client[] = [];
let general: SandboxChannel;
let alice: SandboxUser;

beforeEach(async () => {
  sandbox = await startSandbox();
  general = sandbox.createChannel('general');
  alice = sandbox.createUser('alice');
  clients = [];
});

afterEach(async () => {
  for (const client of clients) await client.destroy();
  await sandbox.close();
});

/** A real discord.js client, logged in to the sandbox and ready. */
async function connect(options: Partial<ClientOptions> = {}): Promise<Client> {
  const client = new Client({
    intents: [Guilds, GuildMessages, MessageContent],
    partials: [Partials.Message, Partials.Channel],
    rest: { api: sandbox.apiBase },
    ...options,
  });
  clients.push(client);
  const ready = new Promise((resolve) => client.once('clientReady', resolve));
  await client.login(sandbox.token);
  await ready;
  return client;
}

/** Resolves with the arguments of the next `event` that passes `filter`. */
function next<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  filter: (...args: ClientEvents[K]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: ClientEvents[K]): void => {
      if (!filter(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}

async function sendable(client: Client, channelId: string) {
  const channel = await client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not sendable`);
  return channel;
}

describe('snowflakes', () => {
  test('come from the injected clock and increase strictly even when it stands still', () => {
    const clock = new ManualClock(new Date('2024-05-01T12:00:00Z'));
    const ids = new Snowflakes(clock);
    const a = ids.next();
    const b = ids.next();
    expect(BigInt(b) > BigInt(a)).toBe(true);
    expect(snowflakeTime(a)).toBe(Date.parse('2024-05-01T12:00:00Z'));
    clock.advance(-1000);
    expect(BigInt(ids.next()) > BigInt(b)).toBe(true);
  });

  test('message timestamps and ids follow the sandbox clock', async () => {
    await sandbox.close();
    const clock = new ManualClock(new Date('2024-05-01T12:00:00Z'));
    sandbox = await startSandbox({ clock });
    const channel = sandbox.createChannel('c');
    const user = sandbox.createUser('u');
    const m = sandbox.userSays(channel.id, user.id, 'hi');
    expect(m.timestamp).toBe('2024-05-01T12:00:00.000Z');
    expect(snowflakeTime(m.id)).toBe(Date.parse('2024-05-01T12:00:00Z'));
    clock.advance(60_000);
    const edited = sandbox.userEdits(m.id, 'hi again');
    expect(edited.edited_timestamp).toBe('2024-05-01T12:01:00.000Z');
  });
});

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

  test('the bot posts: stored with its author, allowed_mentions recorded, dispatched back', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    const echoed = next(client, 'messageCreate', (m) => m.author.id === sandbox.botUser.id);
    const sent = await channel.send({ content: `hello <@${alice.id}>`, allowedMentions: { parse: [] } });
    expect(sent.author.id).toBe(sandbox.botUser.id);
    const [echo] = await echoed;
    expect(echo.id).toBe(sent.id);

    const stored = sandbox.messages(general.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: sent.id, content: `hello <@${alice.id}>`, author: { id: sandbox.botUser.id, bot: true } });
    expect(stored[0]?.mentions).toEqual([]); // allowed_mentions.parse = []
    const post = sandbox.requests.find((r) => r.method === 'POST' && r.path === `/channels/${general.id}/messages`);
    expect(post?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(post?.status).toBe(200);
  });

  test('nonce is echoed and enforce_nonce dedupes', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    const echoed = next(client, 'messageCreate', (m) => m.nonce === 'q1-marker');
    const first = await channel.send({ content: 'Q1: hi', nonce: 'q1-marker', enforceNonce: true });
    expect(first.nonce).toBe('q1-marker');
    await echoed;
    const again = await channel.send({ content: 'Q1: hi', nonce: 'q1-marker', enforceNonce: true });
    expect(again.id).toBe(first.id);
    expect(sandbox.messages(general.id)).toHaveLength(1);
  });

  test('userSays reaches messageCreate with content, author and channel; replies carry the reference', async () => {
    const client = await connect();
    const got = next(client, 'messageCreate', (m) => m.author.id === alice.id);
    const said = sandbox.userSays(general.id, alice.id, 'A1: my answer');
    const [message] = await got;
    expect(message.id).toBe(said.id);
    expect(message.content).toBe('A1: my answer');
    expect(message.author.username).toBe('alice');
    expect(message.channelId).toBe(general.id);
    expect(message.guildId).toBe(sandbox.guild.id);
    expect(message.member?.id).toBe(alice.id);

    const replied = next(client, 'messageCreate', (m) => m.reference !== null);
    const reply = sandbox.userSays(general.id, alice.id, 'a2) more', { replyTo: said.id });
    const [replyMessage] = await replied;
    expect(reply.type).toBe(19);
    expect(replyMessage.reference?.messageId).toBe(said.id);

    // The bot replies too.
    const botReply = await replyMessage.reply('thanks');
    const stored = sandbox.messages(general.id).find((m) => m.id === botReply.id);
    expect(stored?.type).toBe(19);
    expect(stored?.message_reference?.message_id).toBe(reply.id);
    expect(stored?.referenced_message?.id).toBe(reply.id);
  });

  test('edits reach messageUpdate, also for uncached messages (partials)', async () => {
    const before = sandbox.userSays(general.id, alice.id, 'said before the bot connected');
    const client = await connect();
    const updated = next(client, 'messageUpdate');
    sandbox.userEdits(before.id, 'edited');
    const [oldMessage, newMessage] = (await updated) as [Message | PartialMessage, Message];
    expect(oldMessage.partial).toBe(true);
    expect(newMessage.id).toBe(before.id);
    expect(newMessage.content).toBe('edited');
    expect(newMessage.editedTimestamp).not.toBeNull();

    const got = next(client, 'messageCreate', (m) => m.author.id === alice.id);
    const cached = sandbox.userSays(general.id, alice.id, 'one');
    await got;
    const second = next(client, 'messageUpdate', (_o, n) => n.id === cached.id);
    sandbox.userEdits(cached.id, 'two');
    const [o2, n2] = await second;
    expect(o2.content).toBe('one');
    expect(n2.content).toBe('two');
    expect(sandbox.messages(general.id).find((m) => m.id === cached.id)?.content).toBe('two');
  });

  test('the bot edits and deletes its messages', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    const sent = await channel.send('draft');
    const updated = next(client, 'messageUpdate', (_o, n) => n.id === sent.id);
    await sent.edit('final');
    await updated;
    expect(sandbox.messages(general.id)[0]).toMatchObject({ content: 'final' });
    expect(sandbox.messages(general.id)[0]?.edited_timestamp).toBeTruthy();
    const deleted = next(client, 'messageDelete', (m) => m.id === sent.id);
    await sent.delete();
    await deleted;
    expect(sandbox.messages(general.id)).toEqual([]);
  });

  test('deletes reach messageDelete and bulk deletes messageDeleteBulk', async () => {
    const client = await connect();
    const ids = ['x', 'y', 'z'].map((t) => sandbox.userSays(general.id, alice.id, t).id);
    await sandbox.waitFor(() => ids.every((id) => (client.channels.cache.get(general.id) as { messages?: { cache: Map<string, unknown> } })?.messages?.cache.has(id)));
    const deleted = next(client, 'messageDelete');
    sandbox.userDeletes(ids[0] as string);
    const [gone] = await deleted;
    expect(gone.id).toBe(ids[0]);
    expect(gone.content).toBe('x');

    const bulk = next(client, 'messageDeleteBulk');
    sandbox.userBulkDeletes(general.id, ids.slice(1));
    const [messages, channel] = await bulk;
    expect([...messages.keys()].sort()).toEqual(ids.slice(1).sort());
    expect(channel.id).toBe(general.id);
    expect(sandbox.messages(general.id)).toEqual([]);
  });

  test('a thread from a message has the message id; its messages come with isThread() and parentId', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    const question = await channel.send('Q1: What did you learn?');
    const thread = await question.startThread({ name: 'Q1' });
    expect(thread.id).toBe(question.id);
    expect(thread.parentId).toBe(general.id);
    expect(sandbox.threads().map((t) => t.id)).toEqual([question.id]);
    const starter = sandbox.messages(general.id)[0];
    expect(starter?.thread?.id).toBe(question.id);
    expect((starter?.flags ?? 0) & 32).toBe(32);

    const got = next(client, 'messageCreate', (m) => m.author.id === alice.id);
    sandbox.userSays(thread.id, alice.id, 'A1: lots');
    const [answer] = await got;
    expect(answer.channel.isThread()).toBe(true);
    expect(answer.channelId).toBe(question.id);
    expect(answer.channel.isThread() && answer.channel.parentId).toBe(general.id);
    await thread.send('thanks!');
    expect(sandbox.messages(thread.id).map((m) => m.content)).toEqual(['A1: lots', 'thanks!']);

    // discord.js refuses client-side; the sandbox refuses too.
    await expect(client.rest.post(`/channels/${general.id}/messages/${question.id}/threads`, { body: { name: 'again' } }))
      .rejects.toThrow(/already been created/);
    const active = await client.guilds.cache.get(sandbox.guild.id)?.channels.fetchActiveThreads();
    expect(active?.threads.has(question.id)).toBe(true);
  });

  test('GET messages with after/limit, before and the default', async () => {
    const client = await connect();
    const ids = Array.from({ length: 8 }, (_, i) => sandbox.userSays(general.id, alice.id, `m${i}`).id);
    const channel = await sendable(client, general.id);
    const after = await channel.messages.fetch({ after: ids[2], limit: 3 });
    expect([...after.keys()]).toEqual([ids[5], ids[4], ids[3]]);
    const before = await channel.messages.fetch({ before: ids[2], limit: 5 });
    expect([...before.keys()]).toEqual([ids[1], ids[0]]);
    const latest = await channel.messages.fetch({ limit: 2 });
    expect([...latest.keys()]).toEqual([ids[7], ids[6]]);
    const around = await channel.messages.fetch({ around: ids[4], limit: 3 });
    expect([...around.keys()]).toEqual([ids[5], ids[4], ids[3]]);
    const one = await channel.messages.fetch({ message: ids[1] as string, force: true });
    expect(one.content).toBe('m1');
    const listing = sandbox.requests.find((r) => r.query.after === ids[2]);
    expect(listing).toMatchObject({ method: 'GET', query: { after: ids[2], limit: '3' }, status: 200 });
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

  test('429 on POST messages: discord.js waits retry_after, retries, and the message is posted once', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    sandbox.failNext({ method: 'POST', path: /^\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.2 });
    const started = Date.now();
    const sent = await channel.send('rate limited once');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(sandbox.messages(general.id).map((m) => m.id)).toEqual([sent.id]);
    const posts = sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
  });

  test('500: discord.js retries', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    sandbox.failNext({ path: /messages$/ }, { status: 500 });
    const sent = await channel.send('after a 500');
    expect(sandbox.messages(general.id).map((m) => m.id)).toEqual([sent.id]);
    const posts = sandbox.requests.filter((r) => r.path.endsWith('/messages'));
    expect(posts.map((r) => r.status)).toEqual([500, 200]);
  });

  test('unknown routes answer 404 and are recorded', async () => {
    const client = await connect();
    await expect(client.rest.get('/voice/regions/nowhere' as `/${string}`)).rejects.toThrow(/Unknown route/);
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'GET', path: '/voice/regions/nowhere', status: 404 });
  });

  test('application commands: bulk overwrite is recorded and keeps ids', async () => {
    const client = await connect();
    const set = await client.application?.commands.set([
      { name: 'session', description: 'Run a session', options: [{ type: 3, name: 'set', description: 'Question set' }] },
    ]);
    expect(set?.first()?.name).toBe('session');
    expect(sandbox.commands()).toMatchObject([{ name: 'session', description: 'Run a session', type: 1 }]);
    const put = sandbox.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toBe(`/applications/${sandbox.applicationId}/commands`);
    const guildSet = await client.application?.commands.set([{ name: 'session', description: 'Guild version' }], sandbox.guild.id);
    expect(guildSet?.first()?.guildId).toBe(sandbox.guild.id);
    expect(sandbox.commands()).toMatchObject([{ name: 'session', guild_id: sandbox.guild.id }]);
    await expect(client.application?.commands.set([{ name: 'Bad Name', description: 'x' }])).rejects.toThrow(/Invalid Form Body/);
  });

  test('an interaction: interactionCreate, then reply (ephemeral) recorded as the callback', async () => {
    const client = await connect();
    const modRole = sandbox.createRole('moderator', 1n << 5n);
    sandbox.addRole(alice.id, modRole.id);
    const got = next(client, 'interactionCreate');
    const interaction = sandbox.interact({
      userId: alice.id,
      channelId: general.id,
      name: 'session',
      options: [{ type: 1, name: 'start', options: [{ type: 6, name: 'host', value: alice.id }] }],
    });
    const [received] = await got;
    if (!received.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(received.commandName).toBe('session');
    expect(received.options.getSubcommand()).toBe('start');
    expect(received.options.getUser('host')?.id).toBe(alice.id);
    expect(received.user.id).toBe(alice.id);
    expect(received.channelId).toBe(general.id);
    expect(received.memberPermissions?.has('ManageGuild')).toBe(true);
    await received.reply({ content: 'Started', flags: MessageFlags.Ephemeral });
    const callback = await interaction.callback();
    expect(callback).toEqual({ type: 4, data: expect.objectContaining({ content: 'Started', flags: 64 }) });
    expect(interaction.followUps()[0]).toMatchObject({ content: 'Started', flags: 64 });
    // Ephemeral: not in the channel.
    expect(sandbox.messages(general.id)).toEqual([]);
    await expect(received.reply('twice')).rejects.toThrow();
  });

  test('deferReply + editReply + followUp go through the interaction webhook', async () => {
    const client = await connect();
    const got = next(client, 'interactionCreate');
    const interaction = sandbox.interact({ userId: alice.id, channelId: general.id, name: 'recap' });
    const [received] = await got;
    if (!received.isChatInputCommand()) throw new Error('expected a chat input command');
    await received.deferReply();
    expect(await interaction.callback()).toMatchObject({ type: 5 });
    const edited = await received.editReply('Here is the recap');
    expect(edited.content).toBe('Here is the recap');
    const patch = sandbox.requests.find((r) => r.method === 'PATCH');
    expect(patch?.path).toBe(`/webhooks/${sandbox.applicationId}/${interaction.token}/messages/@original`);
    expect(patch?.body).toMatchObject({ content: 'Here is the recap' });
    await received.followUp('and one more thing');
    expect(interaction.followUps().map((m) => m.content)).toEqual(['Here is the recap', 'and one more thing']);
    expect(sandbox.messages(general.id).map((m) => m.content)).toEqual(['Here is the recap', 'and one more thing']);
    const fetched = await received.fetchReply();
    expect(fetched.id).toBe(interaction.original()?.id);
  });

  test('autocomplete and modal submit interactions', async () => {
    const client = await connect();
    const gotAuto = next(client, 'interactionCreate');
    const auto = sandbox.interact({
      userId: alice.id,
      channelId: general.id,
      name: 'session',
      type: 4,
      options: [{ type: 3, name: 'set', value: 'ba', focused: true }],
    });
    const [autoInteraction] = await gotAuto;
    if (!autoInteraction.isAutocomplete()) throw new Error('expected autocomplete');
    expect(autoInteraction.options.getFocused()).toBe('ba');
    await autoInteraction.respond([{ name: 'BadgeChat', value: 'badgechat' }]);
    expect(await auto.callback()).toEqual({ type: 8, data: { choices: [{ name: 'BadgeChat', value: 'badgechat' }] } });

    const gotModal = next(client, 'interactionCreate');
    const modal = sandbox.interact({
      userId: alice.id,
      channelId: general.id,
      name: 'question-form',
      type: 5,
      data: { components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'Q1: hello' }] }] },
    });
    const [modalInteraction] = await gotModal;
    if (!modalInteraction.isModalSubmit()) throw new Error('expected modal submit');
    expect(modalInteraction.customId).toBe('question-form');
    expect(modalInteraction.fields.getTextInputValue('text')).toBe('Q1: hello');
    await modalInteraction.reply('saved');
    expect((await modal.callback()).type).toBe(4);
    expect(sandbox.messages(general.id).map((m) => m.content)).toEqual(['saved']);
  });

  test('without the MESSAGE_CONTENT intent, content is empty unless the bot is mentioned', async () => {
    const client = await connect({ intents: [Guilds, GuildMessages] });
    const seen: Message[] = [];
    client.on('messageCreate', (m) => seen.push(m));
    sandbox.userSays(general.id, alice.id, 'secret');
    sandbox.userSays(general.id, alice.id, `<@${sandbox.botUser.id}> hello bot`);
    await sandbox.waitFor(() => seen.length === 2);
    expect(seen.map((m) => m.content)).toEqual(['', `<@${sandbox.botUser.id}> hello bot`]);
    // The stored messages keep their content.
    expect(sandbox.messages(general.id)[0]?.content).toBe('secret');
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

  test('multipart: files are recorded by name and size', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    const sent = await channel.send({ content: 'recap attached', files: [{ attachment: Buffer.from('hello world'), name: 'recap.txt' }] });
    expect(sent.attachments.first()?.name).toBe('recap.txt');
    const post = sandbox.requests.find((r) => r.method === 'POST');
    expect(post?.body).toMatchObject({ content: 'recap attached' });
    expect(post?.files).toEqual([expect.objectContaining({ name: 'recap.txt', size: 11 })]);
  });

  test('waitFor times out with a clear error', async () => {
    await expect(sandbox.waitFor(() => false, 50)).rejects.toThrow(/timed out after 50 ms/);
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

