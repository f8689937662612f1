import {
  ActionRowBuilder, ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType, PermissionFlagsBits, StringSelectMenuBuilder,
  type MessageContextMenuCommandInteraction, type RESTPostAPIContextMenuApplicationCommandsJSONBody, type StringSelectMenuInteraction,
} from 'discord.js';
import type { AnswerTarget } from '../../domain/labels.ts';
import { Corrections, targetName } from '../../live/corrections.ts';
import { ControlError } from '../../live/requests.ts';
import type { CommandContext } from '../interactions.ts';
import { checkPreconditions, type Checked, type Preconditions } from '../preconditions.ts';
import { ephemeral, UserError } from '../replies.ts';

/**
 * Moderator corrections (issue 14) as message context-menu commands (right-click a message,
 * Apps): "Count as answer…" answers with an ephemeral select menu of the session's posted
 * questions and "Takeaway"; picking one counts the message there. "Not an answer" takes it
 * out of the answers. Both are for moderators (the preconditions, as for /chat's controls;
 * offered by default to members with Manage Server), in server channels; the work is
 * src/live/corrections.ts (one transaction, the control log, kept through later edits).
 */

/** A message context-menu command: its definition, who may use it, and what it does. */
export interface MessageCommand {
  data: { name: string; toJSON(): RESTPostAPIContextMenuApplicationCommandsJSONBody };
  preconditions: Preconditions;
  execute(interaction: MessageContextMenuCommandInteraction, ctx: CommandContext, checked: Checked): Promise<void>;
}

export const COUNT_AS_ANSWER = 'Count as answer…';
export const NOT_AN_ANSWER = 'Not an answer';
/** The select menu's custom id: this prefix and the target message's id. */
export const CORRECTION_MENU_PREFIX = 'correct:';
/** Discord's limits on a select menu: 25 options, labels of 100 characters. */
const MAX_OPTIONS = 25;
const MAX_LABEL = 100;

const preconditions: Preconditions = { guildOnly: true, moderator: 'correct answers' };

const menuCommand = (name: string) => new ContextMenuCommandBuilder().setName(name).setType(ApplicationCommandType.Message)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild).setContexts(InteractionContextType.Guild);

/** A participant's message, or a refusal that says why not (a bot's post: Emcee's own are told apart by the store). */
function participantMessage(interaction: MessageContextMenuCommandInteraction): string {
  const target = interaction.targetMessage;
  if (target.author.bot && target.author.id !== interaction.client.user.id) {
    throw new UserError("That is another bot's post: only participants' messages can be corrected.");
  }
  return target.id;
}

const corrections = (ctx: CommandContext, interaction: { guildId: string | null }) => new Corrections({
  store: ctx.store, clock: ctx.clock, log: ctx.log, guildId: interaction.guildId,
  ...(ctx.corrected ? { onCorrected: (id: number) => ctx.corrected!(id) } : {}),
});
const actorOf = (interaction: { user: { username: string; id: string } }) => `${interaction.user.username} (${interaction.user.id})`;

export const countAsAnswer: MessageCommand = {
  data: menuCommand(COUNT_AS_ANSWER),
  preconditions,
  async execute(interaction, ctx) {
    const messageId = participantMessage(interaction);
    // The latest questions when there are more than a menu holds (the takeaways always).
    const choices = (await corrections(ctx, interaction).choices(messageId)).slice(-MAX_OPTIONS);
    const menu = new StringSelectMenuBuilder().setCustomId(`${CORRECTION_MENU_PREFIX}${messageId}`).setPlaceholder('Pick the question')
      .addOptions(choices.map((c) => ({ label: clipLabel(c.label), value: String(c.target) })));
    await interaction.reply({
      content: 'Count this message as the answer to which question?',
      components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)],
      ...ephemeral,
    });
  },
};

export const notAnAnswer: MessageCommand = {
  data: menuCommand(NOT_AN_ANSWER),
  preconditions,
  async execute(interaction, ctx) {
    await corrections(ctx, interaction).correct(participantMessage(interaction), null, actorOf(interaction));
    await interaction.reply({ content: 'Done: that message no longer counts as an answer (an edit will not change that).', ...ephemeral });
  },
};

export const messageCommands: readonly MessageCommand[] = [countAsAnswer, notAnAnswer];

/** The select menu of "Count as answer…": moderators only, checked again (a menu can be passed on, or outlive a role). */
export const correctionMenu = {
  preconditions,
  async select(interaction: StringSelectMenuInteraction, ctx: CommandContext): Promise<void> {
    const messageId = interaction.customId.slice(CORRECTION_MENU_PREFIX.length);
    const target = parseTarget(interaction.values[0]);
    await corrections(ctx, interaction).correct(messageId, target, actorOf(interaction));
    await interaction.update({ content: `Done: counted as ${targetName(target)} (an edit will not change that).`, components: [], allowedMentions: { parse: [] } });
  },
};

/** Runs a correction's interaction (a context-menu command or the menu's pick) after its preconditions. */
export async function correctionInteraction(
  interaction: MessageContextMenuCommandInteraction | StringSelectMenuInteraction, ctx: CommandContext,
): Promise<void> {
  const checked = await checkPreconditions(interaction, ctx, preconditions);
  if (interaction.isStringSelectMenu()) return correctionMenu.select(interaction, ctx);
  const command = messageCommands.find((c) => c.data.name === interaction.commandName);
  if (!command) throw new Error(`no message command named ${interaction.commandName}`);
  return command.execute(interaction, ctx, checked);
}

function parseTarget(value: string | undefined): AnswerTarget {
  if (value === 'TA') return 'TA';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ControlError(`"${value ?? ''}" is not a question of this session`);
  return n;
}

function clipLabel(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_LABEL ? `${line.slice(0, MAX_LABEL - 1)}…` : line;
}
