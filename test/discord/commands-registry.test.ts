import { readdirSync } from 'node:fs';
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import * as bank from '../../src/discord/commands/bank.ts';
import * as chat from '../../src/discord/commands/chat.ts';
import * as corrections from '../../src/discord/commands/corrections.ts';
import { applicationCommandsJson, checkCommandNames, commands, commandsJson, loadCommands, messageCommandModules, messageCommands } from '../../src/discord/commands/index.ts';
import { ROOT } from '../helpers/seeds.ts';

/** Issue 11: slash commands are a typed static list, not a readdir + cast. */
describe('the command registry', () => {
  it('lists every command module in src/discord/commands/ (a new file that is not listed fails here)', () => {
    const files = readdirSync(`${ROOT}src/discord/commands`).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();
    // Slash commands are named as their files; the others hold message context-menu commands.
    expect([...commands.map((c) => c.data.name), ...messageCommandModules].sort()).toEqual(files);
    // The very modules, not copies: handlers and definitions are the ones in the files.
    expect(commands).toEqual([bank, chat]);
    expect(loadCommands()).toEqual([bank, chat]);
  });

  it('refuses two commands with the same name', () => {
    expect(() => checkCommandNames([bank, chat])).not.toThrow();
    expect(() => checkCommandNames([bank, chat, bank])).toThrow('two commands are named bank');
  });

  it('the JSON uses guild-only contexts and subcommand groups of typed options', () => {
    for (const c of commandsJson()) {
      expect(c.contexts).toEqual([InteractionContextType.Guild]);
      for (const sub of c.options ?? []) expect(sub.type).toBe(ApplicationCommandOptionType.Subcommand);
    }
    const options = (command: string, sub: string) => Object.fromEntries(
      (commandsJson().find((c) => c.name === command)!.options ?? [])
        .flatMap((s): { name: string; type: ApplicationCommandOptionType }[] => (s.name === sub && 'options' in s ? s.options ?? [] : []))
        .map((o) => [o.name, o.type]),
    );
    expect(options('chat', 'setup')).toEqual({
      channel: ApplicationCommandOptionType.Channel, tag: ApplicationCommandOptionType.String,
      weekday: ApplicationCommandOptionType.String, time: ApplicationCommandOptionType.String,
      timezone: ApplicationCommandOptionType.String, questions: ApplicationCommandOptionType.Integer,
      threads: ApplicationCommandOptionType.Boolean, 'moderator-role': ApplicationCommandOptionType.Role,
      'preview-minutes': ApplicationCommandOptionType.Integer,
    });
    expect(options('bank', 'import')).toEqual({ file: ApplicationCommandOptionType.Attachment });
    expect(options('bank', 'show')).toEqual({ set: ApplicationCommandOptionType.Integer });
  });

  it('message context-menu commands (issue 14): registered after the slash commands, guild-only, for Manage Server by default, no description or options', () => {
    expect(messageCommands).toEqual([corrections.countAsAnswer, corrections.notAnAnswer]);
    const menus = applicationCommandsJson().slice(commandsJson().length);
    expect(menus).toEqual([
      expect.objectContaining({ name: 'Count as answer…', type: ApplicationCommandType.Message, contexts: [InteractionContextType.Guild], default_member_permissions: String(PermissionFlagsBits.ManageGuild) }),
      expect.objectContaining({ name: 'Not an answer', type: ApplicationCommandType.Message, contexts: [InteractionContextType.Guild], default_member_permissions: String(PermissionFlagsBits.ManageGuild) }),
    ]);
    for (const m of menus) expect('options' in m ? m.options : undefined).toBeUndefined();
  });
});
