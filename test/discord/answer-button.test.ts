import { GatewayIntentBits, PermissionFlagsBits } from 'discord.js';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { startSandbox, type Sandbox, type SandboxMessage, type SandboxOptions } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE } from '../helpers/live.ts';
import { pollUntil } from '../helpers/poll.ts';

// The Answer button (answer-button.ts), its modal, /chat answer, and the bot without the
// Message Content intent, with the real discord.js client on the loopback sandbox.

const START = Date.parse('2026-11-23T23:30:00Z');
const at = (minutes: number) => START + minutes * MINUTE;
/** Welcome T+0, Q1 T+2, Q2 T+4, Q3 T+6, outro T+7, close T+9. */
const SETTINGS = { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

type World = Awaited<ReturnType<typeof setUp>>;

/** A bot on the sandbox with a series in #badgechat; `webhooks`: the bot may Manage Webhooks. Logs are kept. */
async function setUp(opts: { webhooks?: boolean; sandbox?: Omit<SandboxOptions, 'clock'>; messageContent?: boolean; threads?: boolean } = {}) {
  const time = new FakeTime(new Date(at(-1)));
  const sandbox = await startSandbox({ clock: time, ...opts.sandbox });
  const store = openStore(':memory:', time);
  const channelId = sandbox.createChannel('badgechat').id;
  if (opts.webhooks) sandbox.addRole(sandbox.botUser.id, sandbox.createRole('Hooks', PermissionFlagsBits.ManageWebhooks).id);
  await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: { ...SETTINGS, threads: opts.threads ?? false } });
  const logs: { level: number; msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as { level: number; msg: string }) });
  const bot = await startApp({
    token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log, minuteTick: false,
    ...(opts.messageContent === undefined ? {} : { messageContent: opts.messageContent }),
  });
  cleanups.push(() => sandbox.close(), () => store.close(), () => bot.stop());
  return { sandbox, store, bot, channelId, logs, advanceTo: (ms: number) => time.advanceTo(ms, () => bot.live.engine.whenIdle()) };
}

async function startSession(w: World) {
  await w.advanceTo(at(0));
  return w.bot.live.controls.start((await w.store.series.getByChannel(w.sandbox.guild.id, w.channelId))!, 'tester', { questions: ['One?', 'Two?', 'Three?'] });
}

const question = (w: World, n: number) => w.sandbox.messages(w.channelId).find((m) => m.embeds[0]?.title === `Q${n}`)!;
const answerButton = (m: SandboxMessage) => (m.components?.[0] as { components: { custom_id: string; label: string }[] } | undefined)?.components[0];
const answers = async (w: World, sessionId: number) => (await w.store.messages.answers(sessionId)).map((a) => [a.question, a.via, a.text, a.authorName]);

/** Clicks Answer under question `n` as `userId` and submits `text` in the modal; returns the bot's final ephemeral reply. */
async function answerByButton(w: World, n: number, userId: string, text: string): Promise<string> {
  const post = question(w, n);
  const customId = answerButton(post)!.custom_id;
  const click = w.sandbox.interact({ type: 3, userId, channelId: w.channelId, name: customId, messageId: post.id });
  const modal = await click.callback();
  expect(modal).toMatchObject({ type: 9, data: { custom_id: customId, title: `Answer Q${n}` } });
  const field = (modal.data as { components: { components: Record<string, unknown>[] }[] }).components[0]!.components[0]!;
  expect(field).toMatchObject({ type: 4, custom_id: 'answer', style: 2, required: true, max_length: 1000 });
  expect(field.value).toBeUndefined(); // prefilled with nothing
  const submit = w.sandbox.interact({
    type: 5, userId, channelId: w.channelId, name: customId, messageId: post.id,
    data: { components: [{ type: 1, components: [{ type: 4, custom_id: 'answer', value: text }] }] },
  });
  return finalReply(w, submit);
}

async function finalReply(w: World, i: ReturnType<Sandbox['interact']>): Promise<string> {
  const callback = await i.callback();
  if (callback.type !== 5) return (callback.data as { content?: string }).content ?? '';
  const m = await w.sandbox.waitFor(() => {
    const original = i.original();
    return original && ((original.flags ?? 0) & 128) === 0 ? original : undefined;
  });
  return m.content;
}

const HOSTILE = 'Mine: <@OWNER> @everyone **loud** [x](https://evil.example)';

describe('the Answer button', () => {
  it('stores the answer under its question (via button) and shows it as the participant\'s webhook message, pinging nobody', async () => {
    const w = await setUp({ webhooks: true });
    const session = await startSession(w);
    await w.advanceTo(at(2));
    expect(answerButton(question(w, 1))).toMatchObject({ type: 2, style: 1, label: 'Answer', custom_id: expect.stringMatching(/^emcee:answer:\d+:\d+$/) });
    const amy = w.sandbox.createUser('amy');
    const text = HOSTILE.replace('OWNER', w.sandbox.owner.id);
    expect(await answerByButton(w, 1, amy.id, text)).toBe('Your answer to Q1 is in.');
    expect(await answers(w, session.id)).toEqual([[1, 'button', text, 'amy']]);

    // Visible in the channel through the bot's one "Emcee answers" webhook, as amy, pinging no one.
    const post = await w.sandbox.waitFor(() => w.sandbox.webhookPosts()[0]);
    expect(post).toMatchObject({ channelId: w.channelId, username: 'amy', avatarUrl: expect.stringContaining('/embed/avatars/') });
    const echo = w.sandbox.message(post.messageId)!;
    expect(echo).toMatchObject({ webhook_id: post.webhookId, application_id: w.sandbox.applicationId, author: { username: 'amy', bot: true } });
    expect(echo.mentions).toEqual([]);
    expect(echo.mention_everyone).toBe(false);
    expect(echo.content).toContain('\\*\\*loud\\*\\*');
    expect(echo.content.startsWith('**A1:** ')).toBe(true);

    // A second answer reuses the webhook; the echoes are never taken in as answers themselves.
    const bob = w.sandbox.createUser('bob');
    await w.advanceTo(at(4));
    expect(await answerByButton(w, 2, bob.id, 'A2: the second')).toBe('Your answer to Q2 is in.');
    await w.sandbox.waitFor(() => w.sandbox.webhookPosts().length === 2 || undefined);
    await w.bot.live.ingest.whenIdle();
    await new Promise((r) => setTimeout(r, 100)); // the echoes' MESSAGE_CREATE reached the bot
    await w.bot.live.ingest.whenIdle();
    expect(await answers(w, session.id)).toEqual([[1, 'button', text, 'amy'], [2, 'button', 'A2: the second', 'bob']]);
    expect(w.sandbox.requests.filter((r) => r.method === 'POST' && /\/webhooks$/.test(r.path))).toHaveLength(1);
    expect(w.sandbox.webhookPosts().map((p) => p.username)).toEqual(['amy', 'bob']);
    for (const r of w.sandbox.requests.filter((x) => x.method === 'POST' && x.path.startsWith('/webhooks/') && !x.path.includes(w.sandbox.applicationId))) {
      expect((r.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });
    }
  });

  it('without Manage Webhooks, shows the answer as a bot message naming the participant, still pinging nobody', async () => {
    const w = await setUp();
    const session = await startSession(w);
    await w.advanceTo(at(2));
    const amy = w.sandbox.createUser('amy');
    const text = HOSTILE.replace('OWNER', w.sandbox.owner.id);
    expect(await answerByButton(w, 1, amy.id, text)).toBe('Your answer to Q1 is in.');
    const echo = await w.sandbox.waitFor(() => w.sandbox.messages(w.channelId).find((m) => m.content.startsWith('**amy** answered Q1:')));
    expect(echo.author.id).toBe(w.sandbox.botUser.id);
    expect(echo.mentions).toEqual([]);
    expect(echo.mention_everyone).toBe(false);
    expect(w.sandbox.requests.filter((r) => /\/webhooks$/.test(r.path))).toHaveLength(0);
    await w.bot.live.ingest.whenIdle();
    expect(await answers(w, session.id)).toEqual([[1, 'button', text, 'amy']]);
  });

  it('in thread mode, shows the answer in the question\'s thread', async () => {
    const w = await setUp({ webhooks: true, threads: true });
    const session = await startSession(w);
    await w.advanceTo(at(2));
    const q1 = question(w, 1);
    await w.sandbox.waitFor(() => w.sandbox.threads().find((t) => t.id === q1.id));
    expect(await answerByButton(w, 1, w.sandbox.createUser('amy').id, 'in the thread')).toBe('Your answer to Q1 is in.');
    expect(await w.sandbox.waitFor(() => w.sandbox.webhookPosts()[0])).toMatchObject({ channelId: q1.id, username: 'amy' });
    expect(w.sandbox.messages(q1.id).map((m) => m.content)).toEqual(['**A1:** in the thread']);
    await w.bot.live.ingest.whenIdle();
    expect(await answers(w, session.id)).toEqual([[1, 'button', 'in the thread', 'amy']]);
  });

  it('refuses clearly when the question is not out yet or the session is over', async () => {
    const w = await setUp();
    const session = await startSession(w);
    await w.advanceTo(at(2));
    const amy = w.sandbox.createUser('amy');
    const early = w.sandbox.interact({ userId: amy.id, channelId: w.channelId, name: 'chat', options: [{ type: 1, name: 'answer', options: [{ name: 'question', type: 4, value: 3 }, { name: 'text', type: 3, value: 'too soon' }] }] });
    expect(await finalReply(w, early)).toBe('Q3 has not been posted yet: answer it once it is out.');
    const q1 = question(w, 1);
    await w.advanceTo(at(20));
    expect((await w.store.sessions.get(session.id))!.state).toBe('ended');
    const late = w.sandbox.interact({ type: 3, userId: amy.id, channelId: w.channelId, name: answerButton(q1)!.custom_id, messageId: q1.id });
    expect(await late.callback()).toMatchObject({ type: 4, data: { content: 'This session is over: it is not collecting answers.', flags: 64 } });
    expect(await answers(w, session.id)).toEqual([]);
  });
});

describe('/chat answer', () => {
  it('stores the answer (via command) and shows it like the button does', async () => {
    const w = await setUp({ webhooks: true });
    const session = await startSession(w);
    await w.advanceTo(at(4));
    const amy = w.sandbox.createUser('amy');
    const i = w.sandbox.interact({ userId: amy.id, channelId: w.channelId, name: 'chat', options: [{ type: 1, name: 'answer', options: [{ name: 'question', type: 4, value: 1 }, { name: 'text', type: 3, value: 'late to Q1 but here' }] }] });
    expect(await finalReply(w, i)).toBe('Your answer to Q1 is in.');
    expect(await answers(w, session.id)).toEqual([[1, 'command', 'late to Q1 but here', 'amy']]);
    expect(await w.sandbox.waitFor(() => w.sandbox.webhookPosts()[0])).toMatchObject({ username: 'amy' });
  });
});

describe('without the Message Content intent', () => {
  it('MESSAGE_CONTENT=off: button answers and replies that ping the bot count; labels and unpinged replies it cannot read do not', async () => {
    const w = await setUp({ messageContent: false, sandbox: { privilegedIntents: { messageContent: false } } });
    const session = await startSession(w);
    await w.advanceTo(at(2));
    const q1 = question(w, 1);
    expect(q1.embeds[0]!.footer).toEqual({ text: 'Press Answer, or reply to this message' });
    const amy = w.sandbox.createUser('amy');
    w.sandbox.userSays(w.channelId, amy.id, 'A1: a label the bot cannot read');
    w.sandbox.userSays(w.channelId, amy.id, 'a reply that pings the bot', { replyTo: q1.id });
    w.sandbox.userSays(w.channelId, amy.id, 'a reply with the ping off: Discord withholds its text', { replyTo: q1.id, ping: false });
    expect(await answerByButton(w, 1, amy.id, 'by button')).toBe('Your answer to Q1 is in.');
    await pollUntil(async () => (await answers(w, session.id)).length >= 2 || undefined);
    await w.bot.live.ingest.whenIdle();
    expect(await answers(w, session.id)).toEqual([[1, 'reply', 'a reply that pings the bot', 'amy'], [1, 'button', 'by button', 'amy']]);
    // /chat setup tells moderators what participants should do.
    const setup = w.sandbox.interact({ userId: w.sandbox.owner.id, channelId: w.channelId, name: 'chat', options: [{ type: 1, name: 'setup', options: [] }] });
    expect(await finalReply(w, setup)).toContain('participants answer with the **Answer** button under each question (or `/chat answer`), or reply to a question with the reply ping on.');
  });

  it('4014: Discord refuses the intent; the bot says what to do once and comes up without it', async () => {
    const w = await setUp({ sandbox: { privilegedIntents: { messageContent: false } } });
    expect(w.sandbox.connected()).toBe(true);
    expect(w.bot.client.options.intents.has(GatewayIntentBits.MessageContent)).toBe(false);
    const lines = w.logs.filter((l) => /4014/.test(l.msg));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/Developer Portal.*MESSAGE_CONTENT=off/);
    const session = await startSession(w);
    await w.advanceTo(at(2));
    expect(await answerByButton(w, 1, w.sandbox.createUser('amy').id, 'still works')).toBe('Your answer to Q1 is in.');
    expect(await answers(w, session.id)).toEqual([[1, 'button', 'still works', 'amy']]);
  });
});
