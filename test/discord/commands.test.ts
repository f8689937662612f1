import { mkdtempSync, readFileSync } from 'node:fs';
import { pollUntil } from '../helpers/poll.ts';
import { tmpdir } from 'node:os';
import { PermissionFlagsBits } from 'discord.js';
import { EVENTS_OFF_NOTE } from '../../src/discord/scheduled-events.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { applicationCommandsJson, commandsJson } from '../../src/discord/commands/index.ts';
import { main } from '../../src/cli.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { realTimers } from '../../src/live/timers.ts';
import { startApp } from '../../src/app.ts';
import { deployCommands } from '../../src/discord/deploy-commands.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { discordWorld, opt, runCommand, sub, type DiscordWorld } from '../helpers/discord-world.ts';
import { silentLog } from '../helpers/live.ts';
import { seedPath } from '../helpers/seeds.ts';

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

type World = DiscordWorld;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const world = () => discordWorld(NOW, cleanups);
const run = (w: World, userId: string, command: string, subcommand: string, options: unknown[] = []) => runCommand(w, userId, command, subcommand, options);

async function setUpSeries(w: World) {
  const set = await w.store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?', 'How to fail well?'], guildId: w.sandbox.guild.id });
  const r = await run(w, w.admin, 'chat', 'setup', [
    opt('tag', 3, '#BadgeChat'), opt('weekday', 3, 'monday'), opt('time', 3, '18:30'), opt('timezone', 3, 'America/Denver'),
    opt('questions', 4, set.id), opt('moderator-role', 8, w.modRole),
  ]);
  return { set, r };
}

const tables = async (store: Store) => JSON.stringify(await Promise.all((['series', 'sessions', 'prompts', 'control_log', 'question_sets'] as const).map((t) => store.dumpTable(t))));

describe('/chat setup', () => {
  it('creates the series and answers with the next session in Discord timestamps; the planner plans it', async () => {
    const w = await world();
    const { r } = await setUpSeries(w);
    const next = Date.parse('2026-11-24T01:30:00Z') / 1000; // Monday 18:30 in Denver (MST)
    expect(r.ephemeral).toBe(true);
    // The sandbox's bot has no Create Events: the chat runs without Scheduled Events, and says so.
    expect(r.content).toBe(`Set up **#BadgeChat** in <#${w.channelId}>: Mondays 18:30 (America/Denver).\nNext session: <t:${next}:f> (<t:${next}:R>).\n${EVENTS_OFF_NOTE}`);
    expect(await w.store.series.getByChannel(w.sandbox.guild.id, w.channelId)).toMatchObject({ tag: '#BadgeChat', schedule: '30 18 * * 1', timezone: 'America/Denver' });
    expect((await w.store.sessions.listActive()).map((s) => s.startsAt.toISOString())).toEqual(['2026-11-24T01:30:00.000Z']);
  });

  it.each([
    ['a bad time', [opt('tag', 3, '#x'), opt('weekday', 3, 'monday'), opt('time', 3, '25:00')], /time must be a time of day such as 18:30/],
    ['an unknown timezone', [opt('tag', 3, '#x'), opt('timezone', 3, 'Mars/Olympus')], /timezone must be an IANA time zone/],
    ['an unknown question set', [opt('tag', 3, '#x'), opt('questions', 4, 99)], /no question set #99/],
    ['no tag for a new chat', [opt('weekday', 3, 'monday'), opt('time', 3, '18:30')], /tag is needed/],
    ['a weekday without a time', [opt('tag', 3, '#x'), opt('weekday', 3, 'friday')], /give both weekday and time/],
    ['a bad tag', [opt('tag', 3, '#two words')], /tag must be a hashtag/],
  ])('refuses %s with a clear ephemeral message and changes nothing', async (_name, options, message) => {
    const w = await world();
    const before = await tables(w.store);
    const r = await run(w, w.admin, 'chat', 'setup', options);
    expect(r.ephemeral).toBe(true);
    expect(r.content).toMatch(message);
    expect(await tables(w.store)).toBe(before);
  });
});

describe('permissions', () => {
  const controls: [string, unknown[]][] = [['start', []], ['next', []], ['skip', []], ['pause', []], ['resume', []], ['extend', [opt('minutes', 4, 5)]], ['end', []], ['cancel', []]];

  it.each(controls)('a member without the role is refused /chat %s, and nothing changes', async (name, options) => {
    const w = await world();
    await setUpSeries(w);
    if (name !== 'start') await run(w, w.admin, 'chat', 'start');
    if (name === 'resume') await run(w, w.admin, 'chat', 'pause');
    const before = await tables(w.store);
    const r = await run(w, w.member, 'chat', name, options);
    expect(r.ephemeral).toBe(true);
    const action: Record<string, string> = {
      start: 'start a session', next: 'move on to the next question', skip: 'skip a question', pause: 'pause the session',
      resume: 'resume the session', extend: 'give the current question more time', end: 'end the session', cancel: 'cancel the session',
    };
    expect(r.content).toBe(`You need the Manage Server permission or the <@&${w.modRole}> role to ${action[name]}.`);
    expect(await tables(w.store)).toBe(before);
  });

  it.each(['mod', 'admin'] as const)('a member with %s rights can run every control', async (who) => {
    const w = await world();
    await setUpSeries(w);
    const user = w[who];
    expect((await run(w, user, 'chat', 'start')).content).toMatch(/^Session #\d+ of \*\*#BadgeChat\*\* has started\.$/);
    expect((await run(w, user, 'chat', 'pause')).content).toMatch(/^Paused/);
    expect((await run(w, user, 'chat', 'resume')).content).toMatch(/^Resumed/);
    expect((await run(w, user, 'chat', 'next')).content).toBe('Q1 is going out now; the rest of the timetable moved up.');
    expect((await run(w, user, 'chat', 'skip', [opt('question', 4, 2)])).content).toBe('Q2 is skipped.');
    expect((await run(w, user, 'chat', 'extend', [opt('minutes', 4, 3)])).content).toBe('Extended by 3 minutes.');
    expect((await run(w, user, 'chat', 'end')).content).toMatch(/^The outro is going out now/);
    const session = (await w.store.sessions.listInChannel(w.channelId)).find((s) => s.source === 'live' && s.state === 'running')!;
    expect((await w.store.controls.list(session.id)).map((c) => c.action)).toEqual(['start', 'pause', 'resume', 'next', 'skip', 'extend', 'end']);
    expect((await w.store.controls.list(session.id)).every((c) => c.actor.startsWith(who))).toBe(true);
    const posted = w.sandbox.messages(w.channelId).filter((m) => m.author.id === w.sandbox.botUser.id).map((m) => m.embeds[0]?.title ?? m.content.slice(0, 12));
    // `next` right after the start posts the guidelines first, in order (issue 10, item 4).
    expect(posted).toEqual(['Welcome to #', 'How it works', 'Q1', "That's our l"]);
    expect((await run(w, user, 'chat', 'cancel')).content).toMatch(/is cancelled/);
  });

  it('refuses a channel the bot cannot post in, naming what is missing, and changes nothing', async () => {
    const w = await world();
    const closed = w.sandbox.createChannel('closed', { denyBot: PermissionFlagsBits.SendMessages | PermissionFlagsBits.EmbedLinks });
    await w.sandbox.waitFor(() => w.bot.client.channels.cache.get(closed.id));
    const r = await run(w, w.admin, 'chat', 'setup', [opt('channel', 7, closed.id), opt('tag', 3, '#x')]);
    expect(r.content).toBe(`I can't run a chat in <#${closed.id}>: I'm missing Send Messages, Embed Links there.`);
    expect(await w.store.series.list()).toEqual([]);
  });

  it('setting up a new chat needs Manage Server: the role only counts once the chat exists', async () => {
    const w = await world();
    const r = await run(w, w.mod, 'chat', 'setup', [opt('tag', 3, '#x')]);
    expect(r.content).toBe('You need the Manage Server permission to set up the chat.');
    expect(await w.store.series.list()).toEqual([]);
  });
});

describe('/chat status, recap, and errors', () => {
  it('status is ephemeral and tells what comes next; recap gives answers per question', async () => {
    const w = await world();
    await setUpSeries(w);
    await run(w, w.admin, 'chat', 'start');
    await run(w, w.admin, 'chat', 'next');
    w.sandbox.userSays(w.channelId, w.member, 'A1: failing forward');
    await pollUntil(async () => (await w.store.messages.answers(1)).length + (await w.store.messages.answers(2)).length > 0 || undefined);
    const status = await run(w, w.member, 'chat', 'status');
    expect(status.ephemeral).toBe(true);
    expect(status.content).toMatch(/\*\*#BadgeChat\*\* session #\d+: running/);
    expect(status.content).toContain('Q1 (posted <t:');
    expect(status.content).toContain('): 1 answer');
    const recap = await run(w, w.member, 'chat', 'recap');
    expect(recap.ephemeral).toBe(true);
    expect(recap.content).toContain('Q1: Why fail?\n  1 answer from member');
    // Deferred: the files come with the edit of the original response.
    const sent = w.sandbox.requests.find((r) => r.path.includes(recap.interaction.token) && r.files)!;
    const live = (await w.store.sessions.listInChannel(w.channelId)).find((x) => x.state === 'running')!;
    expect(sent.files?.map((f) => f.name)).toEqual([`BadgeChat-session-${live.id}.md`, `BadgeChat-session-${live.id}.html`]);
  });

  it('controls with no session here say how to start one; before the planned one starts, that it has not started', async () => {
    const w = await world();
    expect((await run(w, w.admin, 'chat', 'next')).content).toBe('There is no session in this channel right now; /chat start begins one.');
    await setUpSeries(w); // the planner plans tonight's session
    expect((await run(w, w.admin, 'chat', 'next')).content).toMatch(/^session #\d+ has not started yet; start it first$/);
  });

  it('start refuses too many questions given inline, and a second session', async () => {
    const w = await world();
    await setUpSeries(w);
    expect((await run(w, w.admin, 'chat', 'start', [opt('questions', 3, Array(11).fill('q').join(' | '))])).content).toBe('give between 1 and 10 questions');
    expect((await run(w, w.admin, 'chat', 'start', [opt('questions', 3, 'One? | Two?')])).content).toMatch(/has started/);
    expect((await run(w, w.admin, 'chat', 'start')).content).toMatch(/already running in this channel/);
  });

  it('a one-off session in a channel without a chat, started by a Manage Server member', async () => {
    const w = await world();
    const r = await run(w, w.admin, 'chat', 'start', [opt('questions', 3, 'Just one?')]);
    expect(r.content).toMatch(/^Session #\d+ of \*\*#badgechat\*\* has started\.$/);
    expect(await w.store.series.getByChannel(w.sandbox.guild.id, w.channelId)).toMatchObject({ schedule: null });
  });
});

describe('/bank', () => {
  it('list and show', async () => {
    const w = await world();
    await w.store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?'], guildId: w.sandbox.guild.id });
    expect((await run(w, w.member, 'bank', 'list')).content).toBe('**#1** Failure (1 question)');
    expect((await run(w, w.member, 'bank', 'show', [opt('set', 4, 1)])).content).toBe('**#1 Failure**\nQ1. Why fail?');
    expect((await run(w, w.member, 'bank', 'show', [opt('set', 4, 9)])).content).toMatch(/no question set #9/);
  });

  it('add opens a form; its submission stores the set (and refuses bad input)', async () => {
    const w = await world();
    const r = await run(w, w.admin, 'bank', 'add');
    expect(r.callback.type).toBe(9); // modal
    const field = (id: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] });
    const submit = async (questions: string, userId = w.admin) => {
      const i = w.sandbox.interact({ userId, channelId: w.channelId, name: 'bank-add', type: 5, data: { components: [field('title', 'Feedback'), field('questions', questions), field('welcome', ''), field('outro', 'TA please')] } });
      return ((await i.callback()).data as { content: string }).content;
    };
    expect(await submit('Why feedback?\n\nHow often?\n')).toBe('Question set #1 "Feedback" is in the bank with 2 questions.');
    expect(await w.store.bank.get(1)).toMatchObject({ questions: ['Why feedback?', 'How often?'], welcomeText: null, outroText: 'TA please', source: 'moderator' });
    expect(await submit(Array(11).fill('q').join('\n'))).toBe('Give between 1 and 10 questions, one per line (you gave 11).');
    expect(await submit('ok', w.member)).toMatch(/You need the Manage Server permission/);
    expect(await w.store.bank.list()).toHaveLength(1);
  });

  it('import downloads the archive, reports progress, and stores its question set once', async () => {
    const w = await world();
    const file = w.sandbox.hostFile('2018-10-22-badgechat.txt', readFileSync(seedPath('001_390feaa8c4f3efe6.txt')));
    const importIt = async () => {
      const i = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'bank', options: sub('import', [opt('file', 11, file.id)]), data: { resolved: { attachments: { [file.id]: file } } } });
      expect((await i.callback()).type).toBe(5); // deferred
      await w.sandbox.waitFor(() => /Imported|already imported|Nothing was imported/.test(String((i.followUps()[0] as { content?: string } | undefined)?.content)) || undefined);
      return i;
    };
    const first = await importIt();
    expect((first.followUps()[0] as { content: string }).content).toBe('Imported 2018-10-22-badgechat.txt: 101 messages, 3 questions, 31 answers. Question set #1 is in the bank.');
    const edits = w.sandbox.requests.filter((r) => r.method === 'PATCH' && r.path.includes(first.token)).map((r) => (r.body as { content: string }).content);
    expect(edits).toEqual(['Downloading 2018-10-22-badgechat.txt (24 KB)…', 'Reading 101 messages of #badgechat, Monday October 22, 2018…', 'Imported 2018-10-22-badgechat.txt: 101 messages, 3 questions, 31 answers. Question set #1 is in the bank.']);
    const second = await importIt();
    expect((second.followUps()[0] as { content: string }).content).toMatch(/was already imported/);
    expect(await w.store.bank.list()).toHaveLength(1);
  });

  it('import of a bad archive says why after the deferral, and writes nothing', async () => {
    const w = await world();
    const file = w.sandbox.hostFile('broken.txt', '#x Archive\nMonday October 22, 2018\nnot a time');
    const i = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'bank', options: sub('import', [opt('file', 11, file.id)]), data: { resolved: { attachments: { [file.id]: file } } } });
    await i.callback();
    await w.sandbox.waitFor(() => String((i.followUps()[0] as { content?: string } | undefined)?.content).startsWith('Nothing') || undefined);
    expect(i.followUps()).toHaveLength(1); // the progress message is replaced, not followed
    expect((i.followUps()[0] as { content: string }).content).toBe("Nothing was imported: broken.txt:3: expected the chat's start time (like \"6:30 PM EDT\") after the date line");
    expect(await w.store.bank.list()).toEqual([]);
  });
});

describe('autocomplete', () => {
  it('offers matching time zones and question sets', async () => {
    const w = await world();
    await w.store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why?'], guildId: w.sandbox.guild.id });
    const tz = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'chat', type: 4, options: sub('setup', [{ name: 'timezone', type: 3, value: 'denv', focused: true }]) });
    expect((await tz.callback()).data).toEqual({ choices: [{ name: 'America/Denver', value: 'America/Denver' }] });
    const sets = w.sandbox.interact({ userId: w.admin, channelId: w.channelId, name: 'bank', type: 4, options: sub('show', [{ name: 'set', type: 4, value: 'fail', focused: true }]) });
    expect((await sets.callback()).data).toEqual({ choices: [{ name: '#1 Failure (1 questions)', value: 1 }] });
  });
});

describe('npm run deploy-commands', () => {
  it('registers exactly the command JSON from src/discord/commands/, globally or in one server', async () => {
    const sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const env = { DISCORD_TOKEN: sandbox.token, DISCORD_APPLICATION_ID: sandbox.applicationId, DISCORD_API_BASE: sandbox.apiBase };
    let out = '';
    const stream = { write: (s: string) => ((out += s), true) } as unknown as typeof process.stdout;
    expect(await deployCommands([], env, stream)).toBe(0);
    expect(out).toBe([
      'Compared with the commands deployed globally:',
      '  + /bank (new)', '  + /chat (new)', '  + "Count as answer…" (message menu) (new)', '  + "Not an answer" (message menu) (new)',
      'Registered 4 commands (/bank, /chat, "Count as answer…", "Not an answer") globally (they can take a while to appear everywhere).\n',
    ].join('\n'));
    const put = sandbox.requests.find((r) => r.method === 'PUT')!;
    // It read what was deployed before overwriting it.
    expect(sandbox.requests.findIndex((r) => r.method === 'GET' && r.path === put.path)).toBeLessThan(sandbox.requests.indexOf(put));
    expect(put.path).toBe(`/applications/${sandbox.applicationId}/commands`);
    expect(put.body).toEqual(JSON.parse(JSON.stringify(applicationCommandsJson())));
    expect(await deployCommands(['--guild', sandbox.guild.id], env, stream)).toBe(0);
    expect(sandbox.requests.filter((r) => r.method === 'PUT').at(-1)!.path).toBe(`/applications/${sandbox.applicationId}/guilds/${sandbox.guild.id}/commands`);
    expect(await deployCommands(['--guild', 'nope'], env, stream)).toBe(2);
  });

  it('the command JSON: names, options and permissions people and scripts rely on', async () => {
    const json = await commandsJson();
    const byName = Object.fromEntries(json.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['bank', 'chat']);
    for (const c of json) {
      expect(c.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
      expect(c.contexts).toEqual([0]);
    }
    const subs = (name: string) => Object.fromEntries((byName[name]!.options ?? []).map((o) => [o.name, ('options' in o ? o.options ?? [] : []).map((x) => `${x.name}${'required' in x && x.required ? '!' : ''}`)]));
    expect(subs('chat')).toEqual({
      setup: ['channel', 'tag', 'weekday', 'time', 'timezone', 'questions', 'threads', 'moderator-role', 'preview-minutes'],
      start: ['questions'], next: [], skip: ['question'], pause: [], resume: [], extend: ['minutes!'], end: [], cancel: [], status: [],
      answer: ['question!', 'text!'], recap: ['session', 'format'], 'forget-me': [],
    });
    expect(subs('bank')).toEqual({ list: [], show: ['set!'], add: [], import: ['file!'] });
  });
});

describe('emcee series / emcee session from a terminal', () => {
  it('act on the same database, and the running bot picks the change up without a restart', async () => {
    const path = `${mkdtempSync(`${tmpdir()}/emcee-cli-live-`)}/emcee.sqlite`;
    const sandbox = await startSandbox();
    const store = openStore(path, systemClock);
    const channel = sandbox.createChannel('badgechat');
    const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: systemClock, timers: realTimers, log: silentLog, minuteTick: false });
    cleanups.push(() => sandbox.close(), () => store.close(), () => bot.stop());

    let out = '';
    const io = { stdout: { write: (x: string) => ((out += x), true) }, stderr: { write: (x: string) => ((out += x), true) }, env: { LOG_LEVEL: 'silent' } };
    const cli = (...argv: string[]) => main([...argv, '--db', path], io);
    expect(await cli('series', 'setup', '--guild', sandbox.guild.id, '--channel', channel.id, '--tag', 'BadgeChat', '--timezone', 'America/Denver')).toBe(0);
    expect(await cli('session', 'start', '--channel', channel.id, '--questions', 'One? | Two?')).toBe(0);
    expect(out).toMatch(/Session #1 of #BadgeChat started/);

    const welcome = await sandbox.waitFor(() => sandbox.messages(channel.id).find((m) => m.content.startsWith('Welcome to #BadgeChat')), 5000);
    expect(welcome.author.id).toBe(sandbox.botUser.id);
    expect(await cli('session', 'status', '--channel', channel.id)).toBe(0);
    expect(out).toMatch(/#BadgeChat session #1: running/);
    expect(await cli('session', 'extend', '--channel', channel.id)).toBe(2);
    expect(out).toContain('extend needs --minutes N');
  }, 20_000);
});
