import {
  ActionRowBuilder, MessageFlags, ModalBuilder, TextInputBuilder, TextInputStyle,
  type AutocompleteInteraction, type ChatInputCommandInteraction,
} from 'discord.js';
import { importArchives } from '../../archive/import.ts';
import { MAX_ARCHIVE_BYTES } from '../../archive/parse.ts';
import { parseArchiveBytes } from '../../archive/read.ts';
import { ArchiveError } from '../../archive/types.ts';
import { replayTranscript } from '../../archive/replay.ts';
import { questionSetChoices } from '../autocomplete.ts';
import { escapeText } from '../escape.ts';
import type { CommandContext, ModalHandler } from '../interactions.ts';
import { guildCommand, type Checked, type Preconditions } from '../preconditions.ts';
import { UserError, clip, ephemeral } from '../replies.ts';
import { MAX_QUESTIONS, validateQuestion } from '../../live/requests.ts';

/** `/bank`: the question sets sessions ask. */
export const data = guildCommand('bank', 'The question bank')
  .addSubcommand((s) => s.setName('list').setDescription('Every question set'))
  .addSubcommand((s) => s.setName('show').setDescription('One question set in full')
    .addIntegerOption((o) => o.setName('set').setDescription('The question set').setRequired(true).setAutocomplete(true).setMinValue(1)))
  .addSubcommand((s) => s.setName('add').setDescription('Add a question set (opens a form)'))
  .addSubcommand((s) => s.setName('import').setDescription('Import a chat archive: its questions become a set')
    .addAttachmentOption((o) => o.setName('file').setDescription('A chat archive (.txt, at most 5 MB)').setRequired(true)));

const ADD_MODAL = 'bank-add';

/** What must hold before each subcommand runs (checked by the dispatcher, before any write). */
export const preconditions = {
  list: { guildOnly: true, moderator: false },
  show: { guildOnly: true, moderator: false, ownQuestionSet: { option: 'set', unknown: (id) => new UserError(`There is no question set #${id}; /bank list shows them.`) } },
  add: { guildOnly: true, moderator: 'add question sets' },
  import: { guildOnly: true, moderator: 'import archives' },
} satisfies Record<string, Preconditions>;

export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext, checked: Checked): Promise<void> {
  switch (interaction.options.getSubcommand()) {
    case 'list': {
      const sets = await ctx.store.bank.list({ guildId: checked.guildId });
      const text = sets.length === 0
        ? 'The bank is empty: /bank add or /bank import fills it.'
        : sets.map((s) => `**#${s.id}** ${escapeText(s.title)} (${s.questions.length} question${s.questions.length === 1 ? '' : 's'})`).join('\n');
      await interaction.reply({ content: clip(text), ...ephemeral });
      return;
    }
    case 'show': {
      // This server's or a shared one (another server's was refused like an unknown id).
      const set = checked.questionSet!;
      const lines = [`**#${set.id} ${escapeText(set.title)}**`, ...set.questions.map((q, i) => `Q${i + 1}. ${escapeText(q)}`)];
      if (set.welcomeText) lines.push('', `Welcome: ${escapeText(set.welcomeText)}`);
      if (set.outroText) lines.push(`Outro: ${escapeText(set.outroText)}`);
      await interaction.reply({ content: clip(lines.join('\n')), ...ephemeral });
      return;
    }
    case 'add': {
      const input = (id: string, label: string, style: TextInputStyle, required: boolean, max: number, placeholder?: string) => {
        const field = new TextInputBuilder().setCustomId(id).setLabel(label).setStyle(style).setRequired(required).setMaxLength(max);
        if (placeholder) field.setPlaceholder(placeholder);
        return new ActionRowBuilder<TextInputBuilder>().addComponents(field);
      };
      await interaction.showModal(new ModalBuilder().setCustomId(ADD_MODAL).setTitle('New question set').addComponents(
        input('title', 'Title', TextInputStyle.Short, true, 100),
        input('questions', `Questions, one per line (at most ${MAX_QUESTIONS})`, TextInputStyle.Paragraph, true, 4000, 'How do you…?\nWhat would…?'),
        input('welcome', 'Welcome text (optional)', TextInputStyle.Paragraph, false, 1000),
        input('outro', 'Outro text (optional)', TextInputStyle.Paragraph, false, 1000),
      ));
      return;
    }
    case 'import':
      return importArchive(interaction, ctx, checked);
    default:
      throw new UserError('Unknown subcommand.');
  }
}

/** Long work: the reply is deferred, then edited with progress. */
async function importArchive(interaction: ChatInputCommandInteraction, ctx: CommandContext, { guildId }: Checked): Promise<void> {
  const file = interaction.options.getAttachment('file', true);
  // Everything shown about the file (its name, its tag and date line) is the uploader's text.
  const name = escapeText(file.name);
  if (file.size > MAX_ARCHIVE_BYTES) throw new UserError(`${name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; archives larger than 5 MB are refused.`);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const progress = (text: string) => interaction.editReply({ content: text, allowedMentions: { parse: [] } });
  await progress(`Downloading ${name} (${Math.ceil(file.size / 1024)} KB)…`);
  const response = await fetch(file.url);
  if (!response.ok) throw new UserError(`Could not download ${name} (HTTP ${response.status}).`);
  const bytes = new Uint8Array(await response.arrayBuffer());

  let transcript;
  try {
    transcript = parseArchiveBytes(bytes, file.name);
  } catch (err) {
    if (err instanceof ArchiveError) throw new UserError(`Nothing was imported: ${escapeText(err.message)}`);
    throw err;
  }
  if (transcript.messages.length === 0) throw new UserError(`Nothing was imported: ${name} has a header but no messages.`);
  await progress(`Reading ${transcript.messages.length} messages of ${escapeText(transcript.tag)}, ${escapeText(transcript.dateLine)}…`);
  // The import and the server's claim on its question set are one transaction.
  const { report, set, copied } = await ctx.store.transaction(async (tx) => {
    const [r] = await importArchives(tx, [{ transcript, replayed: replayTranscript(transcript).messages }]);
    if (r!.questionSetId === null) return { report: r!, set: null, copied: false };
    return { report: r!, ...(await tx.bank.adoptImported(r!.questionSetId, guildId, r!.status === 'imported')) };
  });
  await progress(report.status === 'unchanged'
    ? copied
      ? `${name} was imported before (session #${report.sessionId}); its question set #${set!.id} is now in this server's bank.`
      : `${name} was already imported (session #${report.sessionId}${set ? `; question set #${set.id}` : ''}); nothing changed.`
    : `Imported ${name}: ${report.messages} messages, ${report.questions} questions, ${report.answers} answers.${set ? ` Question set #${set.id} is in the bank.` : ''}`);
}

export const modals: Record<string, ModalHandler> = {
  [ADD_MODAL]: {
    preconditions: { guildOnly: true, moderator: 'add question sets' },
    submit: async (interaction, ctx, { guildId }) => {
      const title = interaction.fields.getTextInputValue('title').trim();
      const questions = interaction.fields.getTextInputValue('questions').split('\n').map((q) => q.trim()).filter(Boolean);
      if (!title) throw new UserError('The title is empty.');
      if (questions.length === 0 || questions.length > MAX_QUESTIONS) throw new UserError(`Give between 1 and ${MAX_QUESTIONS} questions, one per line (you gave ${questions.length}).`);
      questions.forEach((q, i) => validateQuestion(q, i + 1));
      const optional = (id: string) => interaction.fields.getTextInputValue(id)?.trim() || null;
      const set = await ctx.store.bank.create({ title, source: 'moderator', questions, welcomeText: optional('welcome'), outroText: optional('outro'), guildId });
      await interaction.reply({ content: `Question set #${set.id} "${escapeText(set.title)}" is in the bank with ${questions.length} question${questions.length === 1 ? '' : 's'}.`, ...ephemeral });
    },
  },
};

export async function autocomplete(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void> {
  await interaction.respond(interaction.guildId ? await questionSetChoices(ctx.store, interaction.guildId, String(interaction.options.getFocused()), 'number') : []);
}
