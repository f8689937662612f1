import {
  ApplicationCommandOptionType as Option, ApplicationCommandType, ChannelType, InteractionContextType, InteractionResponseType,
  InteractionType, PermissionFlagsBits,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import * as bank from '../../src/discord/commands/bank.ts';
import * as chat from '../../src/discord/commands/chat.ts';
import { checkPreconditionsDeclared, commands, commandsJson } from '../../src/discord/commands/index.ts';
import type { SlashCommand } from '../../src/discord/interactions.ts';
import { discordWorld, opt, runCommand, sub, type DiscordWorld } from '../helpers/discord-world.ts';

// Monday 2026-11-23, 12:00 in Denver.
const NOW = new Date('2026-11-23T19:00:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Every row of every table a command could write: equal before and after means nothing changed. */
const tables = async (w: DiscordWorld) =>
  JSON.stringify(await Promise.all((['series', 'sessions', 'prompts', 'control_log', 'question_sets', 'questions', 'messages', 'answers'] as const).map((t) => w.store.dumpTable(t))));

/** Runs the command as `userId` and expects the refusal, ephemeral, with the database unchanged. */
async function refused(w: DiscordWorld, userId: string, command: string, subcommand: string, options: unknown[], channelId: string, refusal: string) {
  const before = await tables(w);
  const r = await runCommand(w, userId, command, subcommand, options, channelId);
  expect(r.content).toBe(refusal);
  expect(r.ephemeral).toBe(true);
  expect(await tables(w)).toBe(before);
}

describe('every /chat and /bank subcommand declares its preconditions', () => {
  it('lists each subcommand of the registered JSON and finds its declaration (guild only, and who may)', () => {
    const modules: Record<string, SlashCommand> = { bank, chat };
    const declared: string[] = [];
    for (const c of commandsJson()) {
      const command = modules[c.name]!;
      for (const s of c.options ?? []) {
        const pre = command.preconditions[s.name];
        expect(pre, `/${c.name} ${s.name} has no declared preconditions`).toBeDefined();
        expect(pre!.guildOnly).toBe(true);
        expect(pre!.moderator === false || (typeof pre!.moderator === 'string' && pre!.moderator.length > 0)).toBe(true);
        declared.push(`/${c.name} ${s.name}`);
      }
      // Nothing declared for a subcommand that does not exist (a typo would leave the real one undeclared).
      expect(Object.keys(command.preconditions).sort()).toEqual((c.options ?? []).map((s) => s.name).sort());
    }
    expect(declared).toHaveLength(17); // /chat answer (issue 14) is the 16th, /chat forget-me (issue 15) the 17th
    for (const c of commands) for (const m of Object.values(c.modals ?? {})) expect(m.preconditions.guildOnly).toBe(true);
  });

  it('a command that leaves a subcommand undeclared is refused when the commands load', () => {
    expect(() => checkPreconditionsDeclared(commands)).not.toThrow();
    const { status: _status, ...rest } = chat.preconditions;
    expect(() => checkPreconditionsDeclared([bank, { ...chat, preconditions: rest }])).toThrow('/chat status: no preconditions declared');
  });
});

describe('guild only', () => {
  it('a command arriving from a direct message is refused before anything is read or written', async () => {
    const w = await discordWorld(NOW, cleanups);
    const before = await tables(w);
    // The sandbox only serves guild channels (as Discord does for these guild-only
    // commands); the DM interaction is handed to the real client's gateway handling.
    const id = '1310000000000000001';
    const dm = '1310000000000000002';
    const user = { id: w.member, username: 'member', discriminator: '0', global_name: null, avatar: null };
    const client = w.bot.client as unknown as { actions: { InteractionCreate: { handle(data: unknown): void } } };
    client.actions.InteractionCreate.handle({
      id, application_id: w.sandbox.applicationId, type: InteractionType.ApplicationCommand, token: 'dm-token', version: 1,
      data: { id: '1310000000000000003', name: 'chat', type: ApplicationCommandType.ChatInput, options: sub('start', [opt('questions', Option.String, 'One?')]) },
      channel_id: dm, channel: { id: dm, type: ChannelType.DM, recipients: [user] }, user,
      app_permissions: '0', locale: 'en-US', entitlements: [], authorizing_integration_owners: { 1: w.member },
      context: InteractionContextType.BotDM, attachment_size_limit: 8 * 1024 * 1024,
    });
    const reply = await w.sandbox.waitFor(() => w.sandbox.requests.find((r) => r.method === 'POST' && r.path.startsWith(`/interactions/${id}/`)));
    expect(reply.body).toMatchObject({ type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'Emcee works in server channels only.', flags: 64, allowed_mentions: { parse: [] } } });
    expect(await tables(w)).toBe(before);
  });
});

describe('moderator', () => {
  /** Options a subcommand needs to reach its handler at all. */
  const required = (w: DiscordWorld, name: string): unknown[] => {
    if (name === 'extend') return [opt('minutes', Option.Integer, 5)];
    if (name === 'import') {
      const file = w.sandbox.hostFile('chat.txt', '#x Archive\nMonday October 22, 2018\n6:30 PM EDT\n');
      return [opt('file', Option.Attachment, file.id)];
    }
    if (name === 'setup') return [opt('tag', Option.String, '#Other'), opt('threads', Option.Boolean, true)];
    if (name === 'start') return [opt('questions', Option.String, 'One? | Two?')];
    return [];
  };
  const moderated = commands.flatMap((c) => Object.entries(c.preconditions)
    .flatMap(([name, pre]) => (pre.moderator === false ? [] : [[c.data.name, name, pre.moderator] as const])));

  it('covers the subcommands that change something', () => {
    expect(moderated.map(([c, s]) => `${c} ${s}`).sort()).toEqual([
      'bank add', 'bank import', 'chat cancel', 'chat end', 'chat extend', 'chat next', 'chat pause', 'chat resume', 'chat setup', 'chat skip', 'chat start',
    ]);
  });

  it.each(moderated)('/%s %s by a plain member is refused with the permission needed, and nothing changes', async (command, name, action) => {
    const w = await discordWorld(NOW, cleanups);
    await runCommand(w, w.admin, 'chat', 'setup', [opt('tag', Option.String, '#BadgeChat'), opt('moderator-role', Option.Role, w.modRole)]);
    // A running session (and, for resume, a paused one): the control would have something to change.
    if (name !== 'start') expect((await runCommand(w, w.admin, 'chat', 'start', [opt('questions', Option.String, 'One? | Two?')])).content).toMatch(/has started/);
    if (name === 'resume') await runCommand(w, w.admin, 'chat', 'pause');
    await refused(w, w.member, command, name, required(w, name), w.channelId, `You need the Manage Server permission or the <@&${w.modRole}> role to ${action}.`);
  });

  it('the /bank add form, submitted by a plain member, is refused and stores nothing', async () => {
    const w = await discordWorld(NOW, cleanups);
    const before = await tables(w);
    const field = (id: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] });
    const i = w.sandbox.interact({ userId: w.member, channelId: w.channelId, name: 'bank-add', type: 5, data: { components: [field('title', 'Mine'), field('questions', 'Q?'), field('welcome', ''), field('outro', '')] } });
    expect(((await i.callback()).data as { content: string }).content).toBe('You need the Manage Server permission to add question sets.');
    expect(await tables(w)).toBe(before);
  });
});

describe('the bot can post in the target channel', () => {
  it('/chat start in a channel where the bot cannot post is refused before its one-off chat is made', async () => {
    const w = await discordWorld(NOW, cleanups);
    const closed = w.sandbox.createChannel('closed', { denyBot: PermissionFlagsBits.SendMessages });
    await w.sandbox.waitFor(() => w.bot.client.channels.cache.get(closed.id));
    await refused(w, w.admin, 'chat', 'start', [opt('questions', Option.String, 'One?')], closed.id, `I can't run a chat in <#${closed.id}>: I'm missing Send Messages there.`);
    expect(await w.store.series.list()).toEqual([]);
  });

  it('/chat setup of another channel, and with threads, names what is missing there', async () => {
    const w = await discordWorld(NOW, cleanups);
    const closed = w.sandbox.createChannel('closed', { denyBot: PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.CreatePublicThreads });
    await w.sandbox.waitFor(() => w.bot.client.channels.cache.get(closed.id));
    const target = opt('channel', Option.Channel, closed.id);
    await refused(w, w.admin, 'chat', 'setup', [target, opt('tag', Option.String, '#x')], w.channelId, `I can't run a chat in <#${closed.id}>: I'm missing Embed Links there.`);
    await refused(w, w.admin, 'chat', 'setup', [target, opt('tag', Option.String, '#x'), opt('threads', Option.Boolean, true)], w.channelId, `I can't run a chat in <#${closed.id}>: I'm missing Embed Links, Create Public Threads there.`);
  });

  it('/chat start of a chat in thread mode needs the thread permissions too', async () => {
    const w = await discordWorld(NOW, cleanups);
    const closed = w.sandbox.createChannel('nothreads', { denyBot: PermissionFlagsBits.SendMessagesInThreads });
    await w.sandbox.waitFor(() => w.bot.client.channels.cache.get(closed.id));
    await w.store.series.saveForChannel({ guildId: w.sandbox.guild.id, channelId: closed.id, tag: '#Threads', timezone: 'UTC', schedule: null, settings: { threads: true } });
    await refused(w, w.admin, 'chat', 'start', [opt('questions', Option.String, 'One?')], closed.id, `I can't run a chat in <#${closed.id}>: I'm missing Send Messages in Threads there.`);
  });
});

describe('the question set belongs to this server (or is shared)', () => {
  it('another server\'s set is refused exactly like an unknown id by /chat setup, /chat start and /bank show, and nothing changes', async () => {
    const w = await discordWorld(NOW, cleanups);
    const guildB = w.sandbox.createGuild('Other Server');
    const b = w.sandbox.createChannel('otherchat', { guildId: guildB.id }).id;
    await w.sandbox.waitFor(() => w.bot.client.channels.cache.get(b));
    const theirs = (await w.store.bank.create({ title: 'Server A only', source: 'moderator', questions: ['A?'], guildId: w.sandbox.guild.id })).id;
    const unknown = 999;
    const cases: [string, string, (id: number) => unknown[]][] = [
      ['chat', 'setup', (id) => [opt('tag', Option.String, '#Other'), opt('questions', Option.Integer, id)]],
      ['chat', 'start', (id) => [opt('questions', Option.String, ` ${id} `)]],
      ['bank', 'show', (id) => [opt('set', Option.Integer, id)]],
    ];
    for (const [command, name, options] of cases) {
      const before = await tables(w);
      const asUnknown = (await runCommand(w, w.admin, command, name, options(unknown), b)).content;
      expect(asUnknown).toMatch(new RegExp(`#${unknown}\\b`));
      await refused(w, w.admin, command, name, options(theirs), b, asUnknown.replace(`#${unknown}`, `#${theirs}`));
      expect(await tables(w)).toBe(before);
    }
    // In its own server the same set is fine.
    expect((await runCommand(w, w.member, 'bank', 'show', [opt('set', Option.Integer, theirs)])).content).toContain('A?');
  });
});
