import { PermissionFlagsBits, type Message } from 'discord.js';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { alice, connect, general, Guilds, GuildMessages, MessageContent, next, restartSandbox, sandbox, sendable, useSandbox } from './support.ts';

// Channel webhooks (webhooks.ts) and close code 4014 / the Message Content intent (gateway.ts),
// with the real discord.js client.

useSandbox();

const api = async (method: string, path: string, body?: unknown, auth = true) => {
  const res = await fetch(`${sandbox.apiBase}/v10${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bot ${sandbox.token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) };
};

const grantWebhooks = () => sandbox.addRole(sandbox.botUser.id, sandbox.createRole('Hooks', PermissionFlagsBits.ManageWebhooks).id);

describe('sandbox: channel webhooks', () => {
  it('refuses creating or listing without Manage Webhooks (50013), and in a channel that denies it to the bot', async () => {
    expect(await api('POST', `/channels/${general.id}/webhooks`, { name: 'Answers' })).toMatchObject({ status: 403, body: { code: 50013 } });
    expect(await api('GET', `/channels/${general.id}/webhooks`)).toMatchObject({ status: 403, body: { code: 50013 } });
    grantWebhooks();
    const denied = sandbox.createChannel('no-hooks', { denyBot: PermissionFlagsBits.ManageWebhooks });
    expect(await api('POST', `/channels/${denied.id}/webhooks`, { name: 'Answers' })).toMatchObject({ status: 403, body: { code: 50013 } });
    expect(await api('POST', `/channels/${general.id}/webhooks`, { name: 'Answers' })).toMatchObject({ status: 200 });
  });

  it('checks names (1-80 characters, no "discord" or "clyde") and caps a channel at 15 webhooks (30007)', async () => {
    grantWebhooks();
    const create = (name: unknown) => api('POST', `/channels/${general.id}/webhooks`, { name });
    expect(await create('')).toMatchObject({ status: 400, body: { code: 50035, errors: { name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH' }] } } } });
    expect(await create('x'.repeat(81))).toMatchObject({ status: 400, body: { code: 50035 } });
    expect(await create('My Discord hook')).toMatchObject({ status: 400, body: { code: 50035, errors: { name: { _errors: [{ message: 'Username cannot contain "discord"' }] } } } });
    expect(await create('clydesdale')).toMatchObject({ status: 400, body: { code: 50035 } });
    for (let i = 0; i < 15; i++) expect((await create(`hook ${i}`)).status).toBe(200);
    expect(await create('one too many')).toMatchObject({ status: 400, body: { code: 30007 } });
    const listed = await api('GET', `/channels/${general.id}/webhooks`);
    expect(listed.body).toHaveLength(15);
  });

  it('executes as the given username and avatar; the message reaches the gateway with webhook_id, mentions per allowed_mentions', async () => {
    grantWebhooks();
    const client = await connect();
    const channel = await client.channels.fetch(general.id);
    if (!channel || !('createWebhook' in channel)) throw new Error('not a text channel');
    const hook = await channel.createWebhook({ name: 'Answers' });
    expect(hook).toMatchObject({ name: 'Answers', channelId: general.id, applicationId: sandbox.applicationId });
    expect((await channel.fetchWebhooks()).map((h) => h.id)).toEqual([hook.id]);

    const created = next(client, 'messageCreate', (m) => m.webhookId === hook.id);
    const sent = await hook.send({ content: `<@${alice.id}> @everyone hi`, username: 'Alice A.', avatarURL: 'https://cdn.example/a.png', allowedMentions: { parse: [] } });
    const [live] = (await created) as [Message];
    expect(live).toMatchObject({ id: sent.id, webhookId: hook.id, applicationId: sandbox.applicationId, content: `<@${alice.id}> @everyone hi` });
    expect(live.author).toMatchObject({ username: 'Alice A.', bot: true, id: hook.id });
    expect(live.mentions.users.size).toBe(0);
    expect(live.mentions.everyone).toBe(false);
    expect(sandbox.webhookPosts()).toEqual([{ messageId: sent.id, webhookId: hook.id, channelId: general.id, username: 'Alice A.', avatarUrl: 'https://cdn.example/a.png' }]);

    // No allowed_mentions: Discord resolves every mention, as for any message.
    const pinging = await hook.send({ content: `<@${alice.id}> look` });
    expect(sandbox.message(pinging.id)!.mentions.map((u) => u.id)).toEqual([alice.id]);
    // A username Discord refuses; wait=false: 204 and no body.
    const token = hook.token!;
    expect(await api('POST', `/webhooks/${hook.id}/${token}`, { content: 'x', username: 'Clyde' }, false)).toMatchObject({ status: 400, body: { code: 50035 } });
    expect(await api('POST', `/webhooks/${hook.id}/${token}?wait=false`, { content: 'quiet' }, false)).toEqual({ status: 204, body: null });
    expect(await api('POST', `/webhooks/${hook.id}/wrong-token`, { content: 'x' }, false)).toMatchObject({ status: 401, body: { code: 50027 } });
    expect(await api('POST', `/webhooks/${hook.id}/${token}?thread_id=${general.id}`, { content: 'x' }, false)).toMatchObject({ status: 400 });
  });

  it('posts into a thread of its channel with thread_id', async () => {
    grantWebhooks();
    const client = await connect();
    const channel = await sendable(client, general.id);
    const root = await channel.send({ content: 'Q1' });
    const thread = await root.startThread({ name: 'Answers to Q1' });
    if (!('createWebhook' in channel)) throw new Error('not a text channel');
    const hook = await channel.createWebhook({ name: 'Answers' });
    const sent = await hook.send({ content: 'in the thread', username: 'Alice', threadId: thread.id });
    expect(sent.channelId).toBe(thread.id);
    expect(sandbox.messages(thread.id).map((m) => m.content)).toEqual(['in the thread']);
  });
});

describe('sandbox: the Message Content intent', () => {
  it('closes IDENTIFY asking for a privileged intent the app has not enabled with 4014 Disallowed intent(s).', async () => {
    await restartSandbox({ privilegedIntents: { messageContent: false } });
    const gw = new WebSocket(`${sandbox.gatewayUrl}/?v=10&encoding=json`);
    const closed = new Promise<[number, string]>((resolve) => gw.on('close', (code, reason) => resolve([code, reason.toString()])));
    await new Promise((resolve) => gw.once('message', resolve)); // HELLO
    gw.send(JSON.stringify({ op: 2, d: { token: sandbox.token, intents: (1 << 0) | (1 << 9) | (1 << 15), properties: {} } }));
    expect(await closed).toEqual([4014, 'Disallowed intent(s).']);
    // Without it the same app connects.
    await connect({ intents: [Guilds, GuildMessages] });
    expect(sandbox.connected()).toBe(true);
  });

  it('without the intent: content only for messages that mention the bot (a reply with the ping on) and the bot\'s own', async () => {
    const client = await connect({ intents: [Guilds, GuildMessages] });
    const seen: Message[] = [];
    client.on('messageCreate', (m) => void seen.push(m));
    const own = await (await sendable(client, general.id)).send({ content: 'Q1: the bot asks' });
    await sandbox.waitFor(() => seen.length === 1 || undefined);
    sandbox.userSays(general.id, alice.id, 'A1: plain');
    sandbox.userSays(general.id, alice.id, 'reply, ping on', { replyTo: own.id });
    sandbox.userSays(general.id, alice.id, 'reply, ping off', { replyTo: own.id, ping: false });
    sandbox.userSays(general.id, alice.id, `hey <@${sandbox.botUser.id}>`);
    await sandbox.waitFor(() => seen.length === 5 || undefined);
    expect(seen.map((m) => m.content)).toEqual(['Q1: the bot asks', '', 'reply, ping on', '', `hey <@${sandbox.botUser.id}>`]);
    // The reply without the ping still says what it replies to; only its text is withheld.
    expect(seen[3]!.reference?.messageId).toBe(own.id);
  });

  it('with the intent every message has its content', async () => {
    const client = await connect({ intents: [Guilds, GuildMessages, MessageContent] });
    const got = next(client, 'messageCreate');
    sandbox.userSays(general.id, alice.id, 'A1: plain');
    expect((await got)[0].content).toBe('A1: plain');
  });
});
