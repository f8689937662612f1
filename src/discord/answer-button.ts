import {
  ActionRowBuilder, ButtonBuilder, ButtonStyle, DiscordAPIError, ModalBuilder, PermissionFlagsBits, TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction, type ChatInputCommandInteraction, type GuildMember, type ModalSubmitInteraction,
} from 'discord.js';
import { ControlError } from '../live/requests.ts';
import { answerableQuestion, MAX_GIVEN_ANSWER, storeGivenAnswer, type QuestionRef } from '../live/interaction-answer.ts';
import { echoAnswer } from './answer-echo.ts';
import type { CommandContext, ModalHandler } from './interactions.ts';
import { clip, ephemeral, UserError } from './replies.ts';

/**
 * The Answer button on every question post, its modal, and `/chat answer`: answering without
 * the Message Content intent (Discord delivers interactions whatever the intents). The
 * button's custom id names the session and prompt (`emcee:answer:<session>:<prompt>`, from
 * the prompt's marker), so it keeps working across restarts with no state in memory.
 */
export const ANSWER_PREFIX = 'emcee:answer:';
const ANSWER_FIELD = 'answer';

/** What /chat setup tells moderators to tell participants when the bot reads no message text. */
export const NO_CONTENT_HOWTO = 'This bot runs without the Message Content intent, so it cannot read "A1: …" labels: participants answer with the **Answer** button under each question (or `/chat answer`), or reply to a question with the reply ping on.';
const CUSTOM_ID = /^emcee:answer:(\d+):(\d+)$/;

/** The Answer button's row for a prompt posted with this marker (`emcee:<session>:<prompt>`). */
export function answerButtonRow(marker: string): ActionRowBuilder<ButtonBuilder> {
  const customId = marker.replace(/^emcee:/, ANSWER_PREFIX);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(customId).setLabel('Answer').setStyle(ButtonStyle.Primary),
  );
}

function promptOf(customId: string): number {
  const m = CUSTOM_ID.exec(customId);
  if (!m) throw new UserError('That Answer button is not one of this bot\'s.');
  return Number(m[2]);
}

const displayName = (i: { member: unknown; user: { displayName: string; username: string } }): string =>
  (i.member && typeof i.member === 'object' && 'displayName' in i.member ? (i.member as GuildMember).displayName : null) ?? i.user.displayName ?? i.user.username;

const isModerator = (i: ButtonInteraction | ModalSubmitInteraction | ChatInputCommandInteraction): boolean =>
  i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;

/** A click on Answer: the modal (one empty paragraph field), or one line saying why not. */
export async function answerButtonClicked(interaction: ButtonInteraction, ctx: CommandContext): Promise<void> {
  try {
    const promptId = promptOf(interaction.customId);
    const { questionNumber } = await answerableQuestion(ctx.store, { promptId, guildId: interaction.guildId }, ctx.clock.now());
    const field = new TextInputBuilder().setCustomId(ANSWER_FIELD).setLabel(`Your answer to Q${questionNumber}`)
      .setStyle(TextInputStyle.Paragraph).setRequired(true).setMinLength(1).setMaxLength(MAX_GIVEN_ANSWER);
    await interaction.showModal(new ModalBuilder().setCustomId(interaction.customId).setTitle(`Answer Q${questionNumber}`)
      .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(field)));
  } catch (err) {
    const forUser = err instanceof UserError || err instanceof ControlError;
    if (!forUser) ctx.log.error({ err, customId: interaction.customId, userId: interaction.user.id }, 'answer button failed');
    const content = forUser ? (err as Error).message : 'Something went wrong opening the answer form. It has been logged; please try again.';
    if (!interaction.replied && !interaction.deferred) await interaction.reply({ content: clip(content), ...ephemeral }).catch(() => {});
  }
}

/**
 * Stores an answer given by button or command, tells the participant at once (the answer is
 * in before Discord's 3 s are up, however busy the channel's webhook is: Discord allows 5
 * webhook posts per 2 s), then shows it in the channel (or the question's thread) as theirs.
 */
async function giveAnswer(
  interaction: ModalSubmitInteraction | ChatInputCommandInteraction, ctx: CommandContext, ref: QuestionRef, text: string, via: 'button' | 'command',
): Promise<void> {
  if (text.trim() === '') throw new UserError('The answer is empty: write something to answer with.');
  if (text.length > MAX_GIVEN_ANSWER) throw new UserError(`text: at most ${MAX_GIVEN_ANSWER} characters (this one has ${text.length}).`);
  const name = displayName(interaction);
  const stored = await storeGivenAnswer(ctx.store, ref, {
    interactionId: interaction.id, authorId: interaction.user.id, authorName: name, moderator: isModerator(interaction),
    at: interaction.createdAt, text, via,
  });
  const n = stored.questionNumber;
  if (stored.inserted) ctx.telemetry?.answers(via, 1, stored.session.guildId);
  await interaction.reply({ content: `Your answer to Q${n} is in.`, ...ephemeral });
  if (!stored.inserted) return;
  try {
    await echoAnswer(interaction, {
      channelId: stored.session.channelId!, questionMessageId: stored.prompt.messageId, questionNumber: n, name,
      avatarUrl: interaction.user.displayAvatarURL(), text,
    }, ctx.log);
  } catch (err) {
    // The answer counts; only showing it failed.
    ctx.log.warn({ err: err instanceof DiscordAPIError ? err.message : err, sessionId: stored.session.id }, 'could not show an answer given by button or command in the channel');
  }
}

/** The Answer modal submitted. */
export const answerModal: ModalHandler = {
  preconditions: { guildOnly: true, moderator: false },
  submit: (interaction, ctx) =>
    giveAnswer(interaction, ctx, { promptId: promptOf(interaction.customId), guildId: interaction.guildId }, interaction.fields.getTextInputValue(ANSWER_FIELD), 'button'),
};

/** `/chat answer question:<n> text:<…>`: the keyboard's way to the same answer (via "command"). */
export async function answerCommand(interaction: ChatInputCommandInteraction, ctx: CommandContext, channelId: string): Promise<void> {
  const questionNumber = interaction.options.getInteger('question', true);
  // In a question's thread: the session is its parent channel's.
  const channel = interaction.channel;
  const sessionChannel = channel?.isThread() && channel.parentId ? channel.parentId : channelId;
  await giveAnswer(interaction, ctx, { channelId: sessionChannel, questionNumber }, interaction.options.getString('text', true), 'command');
}
