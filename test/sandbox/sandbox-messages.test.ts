import type { Message, PartialMessage } from 'discord.js';
import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { Snowflakes, snowflakeTime } from '../../src/sandbox/snowflake.ts';
import { alice, connect, general, GuildMessages, Guilds, next, restartSandbox, sandbox, sendable, useSandbox } from './support.ts';

// Messages through the sandbox: ids and times, posting, edits, deletes, threads, fetching, files, intents.

useSandbox();

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
    const clock = new ManualClock(new Date('2024-05-01T12:00:00Z'));
    await restartSandbox({ clock });
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

  test('multipart: files are recorded by name and size', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    const sent = await channel.send({ content: 'recap attached', files: [{ attachment: Buffer.from('hello world'), name: 'recap.txt' }] });
    expect(sent.attachments.first()?.name).toBe('recap.txt');
    const post = sandbox.requests.find((r) => r.method === 'POST');
    expect(post?.body).toMatchObject({ content: 'recap attached' });
    expect(post?.files).toEqual([expect.objectContaining({ name: 'recap.txt', size: 11 })]);
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
});
