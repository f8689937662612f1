import {
  Events, MessageFlags, PermissionFlagsBits,
  type AutocompleteInteraction, type ChatInputCommandInteraction, type Client, type Interaction,
  type ModalSubmitInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import { ControlError, type SessionControls } from '../live/controls.ts';
import type { StorePort } from '../store/port.ts';
import type { Series } from '../domain/series.ts';

/** What a command handler gets besides the interaction. */
export interface CommandContext {
  store: StorePort;
  controls: SessionControls;
  clock: Clock;
  log: Logger;
  /** Tells the engine the database changed (a series was set up, a session started). */
  changed(): Promise<void>;
}

/** A slash command module in src/discord/commands/: `data` (the definition) and `execute`. */
export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void>;
  /** Modal submissions whose custom id starts with one of these prefixes. */
  modals?: Record<string, (interaction: ModalSubmitInteraction, ctx: CommandContext) => Promise<void>>;
}

/** An error whose message is for the person who ran the command. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

type Replyable = ChatInputCommandInteraction | ModalSubmitInteraction;

/**
 * The one error boundary: handlers throw UserError (or ControlError) with text for the
 * user; it is shown ephemerally, as a reply or a follow-up as the interaction's state
 * requires. Anything else is logged with context and the user told it was logged.
 */
export async function runWithBoundary(interaction: Replyable, log: Logger, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const forUser = err instanceof UserError || err instanceof ControlError;
    if (!forUser) {
      log.error({ err, command: 'commandName' in interaction ? interaction.commandName : interaction.customId, userId: interaction.user.id, guildId: interaction.guildId, channelId: interaction.channelId }, 'command failed');
    }
    const content = forUser ? (err as Error).message : 'Something went wrong running that command. It has been logged; please try again.';
    const reply = { content: clip(content), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;
    try {
      // Deferred (perhaps already showing progress): the error replaces that message.
      if (interaction.deferred) await interaction.editReply({ content: reply.content, allowedMentions: { parse: [] } });
      else if (interaction.replied || interaction.deferred) await interaction.followUp(reply);
      else await interaction.reply(reply);
    } catch (replyErr) {
      log.warn({ err: replyErr }, 'could not tell the user about an error');
    }
  }
}

/** Routes interactions to the commands; every handler runs inside the boundary. */
export function registerInteractions(client: Client, commands: SlashCommand[], ctx: CommandContext): void {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    void (async () => {
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) return;
        ctx.log.info({ command: interaction.commandName, sub: interaction.options.getSubcommand(false), userId: interaction.user.id, channelId: interaction.channelId }, 'command');
        await runWithBoundary(interaction, ctx.log, () => command.execute(interaction, ctx));
      } else if (interaction.isAutocomplete()) {
        const command = byName.get(interaction.commandName);
        await command?.autocomplete?.(interaction, ctx).catch((err: unknown) => ctx.log.warn({ err }, 'autocomplete failed'));
      } else if (interaction.isModalSubmit()) {
        for (const command of commands) {
          const handler = Object.entries(command.modals ?? {}).find(([prefix]) => interaction.customId.startsWith(prefix))?.[1];
          if (handler) {
            await runWithBoundary(interaction, ctx.log, () => handler(interaction, ctx));
            return;
          }
        }
      }
    })().catch((err: unknown) => ctx.log.error({ err }, 'interaction handling failed'));
  });
}

/**
 * Moderators: members with Manage Server, or with the series' moderator role. Everyone
 * else is refused with the permission they would need; nothing changes.
 */
export function requireModerator(interaction: Replyable, series: Series | null, action: string): void {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return;
  const roleId = series ? series.settings.moderatorRoleId : null;
  const member = interaction.member;
  const roles = member ? (Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()]) : [];
  if (roleId && roles.includes(roleId)) return;
  throw new UserError(`You need the Manage Server permission${roleId ? ` or the <@&${roleId}> role` : ''} to ${action}.`);
}

/** Discord's message limit, with room to spare. */
export function clip(text: string, max = 1990): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
