import {
  Events,
  type AutocompleteInteraction, type ChatInputCommandInteraction, type Client, type Interaction,
  type ModalSubmitInteraction, type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type MessageContextMenuCommandInteraction, type StringSelectMenuInteraction,
} from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { SessionControls } from '../live/controls.ts';
import { ControlError } from '../live/requests.ts';
import type { StorePort } from '../store/port.ts';
import { ANSWER_PREFIX, answerButtonClicked } from './answer-button.ts';
import { FORGET_PREFIX, forgetButtonClicked } from './forget-me.ts';
import { CORRECTION_MENU_PREFIX, correctionInteraction } from './commands/corrections.ts';
import { checkPreconditions, type Checked, type Preconditions } from './preconditions.ts';
import { clip, ephemeral, UserError } from './replies.ts';
import type { Telemetry } from '../live/telemetry.ts';

/** What a command handler gets besides the interaction. */
export interface CommandContext {
  store: StorePort;
  controls: SessionControls;
  clock: Clock;
  log: Logger;
  /** Tells the engine the database changed (a series was set up, a session started). */
  changed(): Promise<void>;
  /** Tells the ingest a moderator corrected a message of the session (its replies follow the correction). */
  corrected?(sessionId: number): Promise<void>;
  /** Counts the answers given by button or command (src/ops; default nowhere). */
  telemetry?: Pick<Telemetry, 'answers'> | undefined;
}

/**
 * A slash command module in src/discord/commands/: `data` (the definition), the
 * preconditions of each subcommand, and `execute`, which runs only once they hold.
 */
export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  /** Per subcommand name: checked by the dispatcher before execute (commands/index.ts refuses a command that misses one). */
  preconditions: Readonly<Record<string, Preconditions>>;
  execute(interaction: ChatInputCommandInteraction, ctx: CommandContext, checked: Checked): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void>;
  /** Modal submissions whose custom id starts with one of these prefixes. */
  modals?: Readonly<Record<string, ModalHandler>>;
}

/** A modal submission handler, with its preconditions (checked as a subcommand's are). */
export interface ModalHandler {
  preconditions: Preconditions;
  submit(interaction: ModalSubmitInteraction, ctx: CommandContext, checked: Checked): Promise<void>;
}

type Replyable = ChatInputCommandInteraction | ModalSubmitInteraction | MessageContextMenuCommandInteraction | StringSelectMenuInteraction;

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
    const reply = { content: clip(content), ...ephemeral };
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

/**
 * Routes interactions to the commands; every handler runs inside the boundary, after the
 * preconditions its command declares for that subcommand (or modal) have passed.
 */
export function registerInteractions(client: Client, commands: SlashCommand[], ctx: CommandContext): void {
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    void (async () => {
      if (interaction.isButton() && interaction.customId.startsWith(ANSWER_PREFIX)) {
        await answerButtonClicked(interaction, ctx);
      } else if (interaction.isButton() && interaction.customId.startsWith(FORGET_PREFIX)) {
        await forgetButtonClicked(interaction, ctx);
      } else if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command) return;
        const sub = interaction.options.getSubcommand(false);
        ctx.log.info({ command: interaction.commandName, sub, userId: interaction.user.id, channelId: interaction.channelId }, 'command');
        await runWithBoundary(interaction, ctx.log, async () => {
          const checked = await checkPreconditions(interaction, ctx, sub === null ? undefined : command.preconditions[sub]);
          await command.execute(interaction, ctx, checked);
        });
      } else if (interaction.isAutocomplete()) {
        const command = byName.get(interaction.commandName);
        await command?.autocomplete?.(interaction, ctx).catch((err: unknown) => ctx.log.warn({ err }, 'autocomplete failed'));
      } else if (interaction.isModalSubmit()) {
        for (const command of commands) {
          const handler = Object.entries(command.modals ?? {}).find(([prefix]) => interaction.customId.startsWith(prefix))?.[1];
          if (handler) {
            await runWithBoundary(interaction, ctx.log, async () => handler.submit(interaction, ctx, await checkPreconditions(interaction, ctx, handler.preconditions)));
            return;
          }
        }
      } else if (interaction.isMessageContextMenuCommand() || (interaction.isStringSelectMenu() && interaction.customId.startsWith(CORRECTION_MENU_PREFIX))) {
        // Moderator corrections (commands/corrections.ts): "Count as answer…" and its menu, "Not an answer".
        await runWithBoundary(interaction, ctx.log, () => correctionInteraction(interaction, ctx));
      }
    })().catch((err: unknown) => ctx.log.error({ err }, 'interaction handling failed'));
  });
}
