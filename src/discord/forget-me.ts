/**
 * `/chat forget-me` (issue 15, Privacy): a participant asks Emcee to forget them in this
 * server. The command only explains and shows a "Forget me" button (ephemeral, so only
 * they see it); pressing it runs the forget (src/live/forget.ts) for this server's sessions
 * and replaces the message with what was forgotten. The button names the user it is for:
 * anyone else's click is refused. Nothing on Discord is deleted; what Emcee stored is.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { forgetParticipant, forgetSummary } from '../live/forget.ts';
import type { CommandContext } from './interactions.ts';
import { clip, ephemeral } from './replies.ts';

export const FORGET_PREFIX = 'emcee:forget:';
const CUSTOM_ID = /^emcee:forget:(\d{1,20})$/;

export const FORGET_EXPLAINED = [
  'Forget me: Emcee erases the text of every message of yours it has stored from the chats in this server '
  + '(with your earlier edits and answers), leaves them out of every recap and export, and removes your reactions. '
  + 'Moderators see in the session log that you asked and how many messages, never what they said.',
  'Your messages on Discord stay as they are (delete them there if you wish); what you post later is stored as usual.',
  'Press **Forget me** to go ahead.',
].join('\n');

export async function forgetMeCommand(interaction: ChatInputCommandInteraction): Promise<void> {
  const button = new ButtonBuilder().setCustomId(`${FORGET_PREFIX}${interaction.user.id}`).setLabel('Forget me').setStyle(ButtonStyle.Danger);
  await interaction.reply({ content: FORGET_EXPLAINED, components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)], ...ephemeral });
}

/** A click on "Forget me": the forget, in this server only, for the user who asked (anyone else is refused). */
export async function forgetButtonClicked(interaction: ButtonInteraction, ctx: CommandContext): Promise<void> {
  try {
    const userId = CUSTOM_ID.exec(interaction.customId)?.[1];
    if (!interaction.guildId || userId !== interaction.user.id) {
      await interaction.reply({ content: 'This button forgets only the person who asked for it; run /chat forget-me yourself.', ...ephemeral });
      return;
    }
    const counts = await forgetParticipant(ctx.store, ctx.clock, { authorId: userId, guildId: interaction.guildId, actor: userId });
    ctx.log.info({ guildId: interaction.guildId, messages: counts.messages, sessions: counts.sessions.size }, 'participant forgotten');
    await interaction.update({ content: clip(forgetSummary(counts)), components: [], allowedMentions: { parse: [] } });
  } catch (err) {
    ctx.log.error({ err, customId: interaction.customId, userId: interaction.user.id }, 'forget button failed');
    const content = 'Something went wrong forgetting you; nothing was forgotten. It has been logged; please try again.';
    if (!interaction.replied && !interaction.deferred) await interaction.reply({ content, ...ephemeral }).catch(() => {});
  }
}
