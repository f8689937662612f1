import {
  ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder,
  type ChatInputCommandInteraction, type GuildBasedChannel, type MessageContextMenuCommandInteraction, type ModalSubmitInteraction,
  type PermissionsBitField, type StringSelectMenuInteraction,
} from 'discord.js';
import type { Series } from '../domain/series.ts';
import { parseQuestionsOption } from '../live/requests.ts';
import type { QuestionSet } from '../store/bank.ts';
import type { CommandContext } from './interactions.ts';
import { UserError } from './replies.ts';

/**
 * Preconditions: what must hold before a command may run, declared as data next to each
 * command (per subcommand, and per modal) and checked by the dispatcher
 * (src/discord/interactions.ts) before the handler runs. A handler cannot forget one, and
 * nothing is written before they pass: a refusal leaves the database as it was.
 */
export interface Preconditions {
  /** Only in a server channel (every Emcee command is; Discord offers them nowhere else). */
  guildOnly: true;
  /**
   * Who may: false for everyone, else what a moderator may do, for the refusal ("start a
   * session"). Moderators have Manage Server, or the moderator role of the target channel's chat.
   */
  moderator: string | false;
  /** The channel the command acts on: this channel option (a text channel), else where it ran. */
  channelOption?: string;
  /**
   * The bot must be able to post in the target channel; with threads (this boolean option,
   * else the chat's setting) also open and post in threads.
   */
  botCanPost?: { threadsOption?: string };
  /**
   * This option, when it names a question set (an integer option, or a string option holding
   * a set id), must name one of this server's sets or a shared one; another server's set is
   * refused exactly like an unknown id, with `unknown`.
   */
  ownQuestionSet?: { option: string; unknown: (id: number) => Error };
}

/** What the checks found, handed to the handler so that it need not look again. */
export interface Checked {
  guildId: string;
  /** The target channel (see channelOption) and its chat, if it has one. */
  channelId: string;
  series: Series | null;
  /** The set ownQuestionSet checked, when the option named one. */
  questionSet: QuestionSet | null;
}

/** What may be checked: slash commands, modals, and the corrections' context menus and select menu. */
type Checkable = ChatInputCommandInteraction | ModalSubmitInteraction | MessageContextMenuCommandInteraction | StringSelectMenuInteraction;

/** A slash command for server channels, offered by default to members with Manage Server. */
export function guildCommand(name: string, description: string): SlashCommandBuilder {
  return new SlashCommandBuilder().setName(name).setDescription(description)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .setContexts(InteractionContextType.Guild);
}

/** Checks `pre` in its order (server, target, moderator, bot can post, question set); throws the first refusal. */
export async function checkPreconditions(interaction: Checkable, ctx: CommandContext, pre: Preconditions | undefined): Promise<Checked> {
  // A command whose preconditions are missing is a bug (commands/index.ts checks at load); never run it unchecked.
  if (!pre) throw new Error(`no preconditions are declared for ${interaction.isChatInputCommand() ? `/${interaction.commandName} ${interaction.options.getSubcommand(false) ?? ''}` : 'commandName' in interaction ? interaction.commandName : interaction.customId}`);
  if (!interaction.inGuild() || !interaction.channelId) throw new UserError('Emcee works in server channels only.');
  const guildId = interaction.guildId;
  const command = interaction.isChatInputCommand() ? interaction : null;
  const channel = targetChannel(interaction, command && pre.channelOption ? command : null, pre.channelOption);
  const channelId = channel?.id ?? interaction.channelId;
  const series = await ctx.store.series.getByChannel(guildId, channelId);
  if (pre.moderator !== false) requireModerator(interaction, series, pre.moderator);
  if (pre.botCanPost) {
    const option = command && pre.botCanPost.threadsOption ? command.options.getBoolean(pre.botCanPost.threadsOption) : null;
    checkBotCanPost(interaction, channel, channelId, option ?? series?.settings.threads ?? false);
  }
  let questionSet: QuestionSet | null = null;
  if (command && pre.ownQuestionSet) {
    const raw = command.options.get(pre.ownQuestionSet.option)?.value;
    const id = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseQuestionsOption(raw).questionSetId : undefined;
    if (id !== undefined) {
      questionSet = await ctx.store.bank.get(id, { guildId });
      if (!questionSet) throw pre.ownQuestionSet.unknown(id);
    }
  }
  return { guildId, channelId, series, questionSet };
}

/** The channel option's channel (it must be a text channel), else the channel the interaction came from. */
function targetChannel(interaction: Checkable, command: ChatInputCommandInteraction | null, option: string | undefined): GuildBasedChannel | null {
  if (!command || !option) return interaction.channel as GuildBasedChannel | null;
  const channel = (command.options.getChannel(option) ?? interaction.channel) as GuildBasedChannel | null;
  if (!channel || channel.type !== ChannelType.GuildText) throw new UserError('Choose a text channel for the chat.');
  return channel;
}

/**
 * Moderators: members with Manage Server, or with the series' moderator role. Everyone
 * else is refused with the permission they would need; nothing changes.
 */
export function requireModerator(interaction: Checkable, series: Series | null, action: string): void {
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return;
  const roleId = series ? series.settings.moderatorRoleId : null;
  const member = interaction.member;
  const roles = member ? (Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()]) : [];
  if (roleId && roles.includes(roleId)) return;
  throw new UserError(`You need the Manage Server permission${roleId ? ` or the <@&${roleId}> role` : ''} to ${action}.`);
}

/**
 * The bot must be able to post (and embed, and thread) where the chat runs: its permissions
 * in the channel, overwrites included (a channel not in the cache: Discord's app_permissions
 * for the interaction's own channel; for another, nothing is known and it is refused).
 */
function checkBotCanPost(interaction: Checkable, channel: GuildBasedChannel | null, channelId: string, threads: boolean): void {
  const perms: Readonly<PermissionsBitField> | null = channel && 'permissionsFor' in channel
    ? channel.permissionsFor(interaction.client.user)
    : channelId === interaction.channelId ? interaction.appPermissions : null;
  const needed: [bigint, string][] = [
    [PermissionFlagsBits.ViewChannel, 'View Channel'], [PermissionFlagsBits.SendMessages, 'Send Messages'],
    [PermissionFlagsBits.EmbedLinks, 'Embed Links'], [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
    ...(threads ? [[PermissionFlagsBits.CreatePublicThreads, 'Create Public Threads'], [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads']] as [bigint, string][] : []),
  ];
  const missing = needed.filter(([bit]) => !perms?.has(bit)).map(([, name]) => name);
  if (missing.length) throw new UserError(`I can't run a chat in <#${channelId}>: I'm missing ${missing.join(', ')} there.`);
}

/** The subcommands of a command's definition that have no declared preconditions. */
export function undeclaredSubcommands(command: { data: { toJSON(): { options?: readonly { name: string }[] } }; preconditions: Readonly<Record<string, Preconditions>> }): string[] {
  return (command.data.toJSON().options ?? []).map((o) => o.name).filter((name) => !Object.hasOwn(command.preconditions, name));
}
