import {
  ApplicationCommandOptionType, ChannelType, MessageFlags,
  type AutocompleteInteraction, type ChatInputCommandInteraction,
} from 'discord.js';
import { discordTimestamp } from '../../domain/timetable.ts';
import { escapeText } from '../escape.ts';
import type { CommandContext } from '../interactions.ts';
import { guildCommand, type Checked, type Preconditions } from '../preconditions.ts';
import { UserError, clip, ephemeral } from '../replies.ts';
import { questionSetChoices, timezoneChoices } from '../autocomplete.ts';
import { EMBED_RECAP, MAX_UPLOAD_BYTES, recapFiles, sendFitting } from '../recap-post.ts';
import { buildRecap } from '../../recap/model.ts';
import { formatStatus, formatSummary } from '../../live/format.ts';
import { currentSession, sessionStatus } from '../../live/status.ts';
import {
  MAX_QUESTIONS, controlAction, describeOutcome, isControlName, parseQuestionsOption, planStart, runControl, unknownQuestionSet,
  type ControlAction, type ControlWording,
} from '../../live/requests.ts';
import { WEEKDAYS, describeSchedule, setupSeries, unknownSetupQuestionSet } from '../../live/series-setup.ts';
import { eventsNote } from '../scheduled-events.ts';
import type { Session } from '../../store/sessions.ts';
import { ANSWER_PREFIX, NO_CONTENT_HOWTO, answerCommand, answerModal } from '../answer-button.ts';
import { readsContent } from '../intents.ts';
import { forgetMeCommand } from '../forget-me.ts';
import { MAX_GIVEN_ANSWER } from '../../live/interaction-answer.ts';
import type { ModalHandler } from '../interactions.ts';

/** The Answer button's modal (answer-button.ts). */
export const modals: Record<string, ModalHandler> = { [ANSWER_PREFIX]: answerModal };

/** `/chat`: set up the channel's recurring chat and steer its sessions. */
export const data = guildCommand('chat', 'Run Twitter-chat style sessions in this channel')
  .addSubcommand((s) => s.setName('setup').setDescription('Create or update the recurring chat of a channel')
    .addChannelOption((o) => o.setName('channel').setDescription('Where the chat runs (default: here)').addChannelTypes(ChannelType.GuildText))
    .addStringOption((o) => o.setName('tag').setDescription('The chat hashtag, e.g. #BadgeChat').setMaxLength(51))
    .addStringOption((o) => o.setName('weekday').setDescription('Day of the week').addChoices(...WEEKDAYS.map((d) => ({ name: d[0]!.toUpperCase() + d.slice(1), value: d }))))
    .addStringOption((o) => o.setName('time').setDescription('Start time, 24-hour clock, e.g. 18:30').setMaxLength(5))
    .addStringOption((o) => o.setName('timezone').setDescription('IANA time zone, e.g. America/Denver').setAutocomplete(true))
    .addIntegerOption((o) => o.setName('questions').setDescription('Question set from the bank').setAutocomplete(true).setMinValue(1))
    .addBooleanOption((o) => o.setName('threads').setDescription('Open a thread on each question'))
    .addRoleOption((o) => o.setName('moderator-role').setDescription('Members with this role may steer the chat'))
    .addIntegerOption((o) => o.setName('preview-minutes').setDescription('Post the questions this long before the start (0: no preview)').setMinValue(0).setMaxValue(10080)))
  .addSubcommand((s) => s.setName('start').setDescription('Start a session now')
    .addStringOption((o) => o.setName('questions').setDescription('A question set, or questions separated by |').setAutocomplete(true).setMaxLength(4000)))
  .addSubcommand((s) => s.setName('next').setDescription('Post the next question now'))
  .addSubcommand((s) => s.setName('skip').setDescription('Skip a question (default: the next one)')
    .addIntegerOption((o) => o.setName('question').setDescription('Question number').setMinValue(1).setMaxValue(MAX_QUESTIONS)))
  .addSubcommand((s) => s.setName('pause').setDescription('Freeze the timetable'))
  .addSubcommand((s) => s.setName('resume').setDescription('Unfreeze the timetable'))
  .addSubcommand((s) => s.setName('extend').setDescription('Give the current question more time')
    .addIntegerOption((o) => o.setName('minutes').setDescription('Minutes to add').setRequired(true).setMinValue(1).setMaxValue(120)))
  .addSubcommand((s) => s.setName('end').setDescription('Post the outro now'))
  .addSubcommand((s) => s.setName('cancel').setDescription('Call the session off: nothing more is posted'))
  .addSubcommand((s) => s.setName('status').setDescription('What has been posted, what comes next, answers so far'))
  .addSubcommand((s) => s.setName('answer').setDescription('Answer a question of the session here (like the Answer button)')
    .addIntegerOption((o) => o.setName('question').setDescription('Question number').setRequired(true).setMinValue(1).setMaxValue(MAX_QUESTIONS))
    .addStringOption((o) => o.setName('text').setDescription('Your answer').setRequired(true).setMaxLength(MAX_GIVEN_ANSWER)))
  .addSubcommand((s) => s.setName('recap').setDescription('Answers per question')
    .addIntegerOption((o) => o.setName('session').setDescription('Session number (default: the latest here)').setMinValue(1))
    .addStringOption((o) => o.setName('format').setDescription('Which file to attach (default: Markdown and HTML)').addChoices(
      { name: 'Markdown and HTML', value: 'summary' }, { name: 'Markdown', value: 'md' }, { name: 'HTML page', value: 'html' })))
  .addSubcommand((s) => s.setName('forget-me').setDescription("Erase what you wrote from this server's chats (asks you to confirm)"));

/** Moderators steer a session; the refusal names what they tried. */
const steer = (moderator: string): Preconditions => ({ guildOnly: true, moderator });

/** What must hold before each subcommand runs (checked by the dispatcher, before any write). */
export const preconditions = {
  setup: {
    guildOnly: true, moderator: 'set up the chat', channelOption: 'channel', botCanPost: { threadsOption: 'threads' },
    ownQuestionSet: { option: 'questions', unknown: unknownSetupQuestionSet },
  },
  start: { guildOnly: true, moderator: 'start a session', botCanPost: {}, ownQuestionSet: { option: 'questions', unknown: unknownQuestionSet } },
  next: steer('move on to the next question'),
  skip: steer('skip a question'),
  pause: steer('pause the session'),
  resume: steer('resume the session'),
  extend: steer('give the current question more time'),
  end: steer('end the session'),
  cancel: steer('cancel the session'),
  status: { guildOnly: true, moderator: false },
  answer: { guildOnly: true, moderator: false },
  recap: { guildOnly: true, moderator: false },
  'forget-me': { guildOnly: true, moderator: false },
} satisfies Record<string, Preconditions>;

const time = (at: Date) => `${discordTimestamp(at, 'f')} (${discordTimestamp(at, 'R')})`;

export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext, checked: Checked): Promise<void> {
  const sub = interaction.options.getSubcommand();
  const actor = `${interaction.user.username} (${interaction.user.id})`;
  if (isControlName(sub)) {
    return control(interaction, ctx, actor, controlAction(sub, { question: interaction.options.getInteger('question'), minutes: interaction.options.getInteger('minutes') }));
  }
  switch (sub) {
    case 'setup':
      return setup(interaction, ctx, checked, actor);
    case 'start':
      return start(interaction, ctx, checked, actor);
    case 'status': {
      const session = await current(ctx, interaction.channelId);
      const status = await sessionStatus(ctx.store, session.id, ctx.clock);
      await interaction.reply({ content: clip(formatStatus({ ...status, tag: escapeText(status.tag) }, time, escapeText)), ...ephemeral });
      return;
    }
    case 'recap':
      return recap(interaction, ctx);
    case 'answer':
      return answerCommand(interaction, ctx, checked.channelId);
    case 'forget-me':
      return forgetMeCommand(interaction);
    default:
      throw new UserError(`Unknown subcommand ${sub}.`);
  }
}

async function start(interaction: ChatInputCommandInteraction, ctx: CommandContext, checked: Checked, actor: string): Promise<void> {
  const options = parseQuestionsOption(interaction.options.getString('questions'));
  // All input is checked before the first write: a channel without a chat gets its
  // one-off series only once the questions are known to be good.
  await planStart(ctx.store, checked.series, options);
  await acknowledge(interaction);
  const chat = checked.series ?? (await setupSeries(ctx.store, ctx.clock, actor, { guildId: checked.guildId, channelId: checked.channelId, tag: `#${channelName(interaction)}` })).series;
  const session = await ctx.controls.start(chat, actor, options);
  await interaction.editReply({ content: `Session #${session.id} of **${escapeText(chat.tag)}** has started.`, allowedMentions: { parse: [] } });
}

async function recap(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  const id = interaction.options.getInteger('session');
  const session = id === null ? await latest(ctx, interaction.channelId) : await ctx.store.sessions.get(id);
  if (!session || session.channelId !== interaction.channelId) throw new UserError(id === null ? 'No session has run in this channel yet.' : `There is no session #${id} in this channel.`);
  // Building the Markdown and HTML of a long session, and uploading them, can take a while.
  await acknowledge(interaction);
  const recap = await buildRecap(ctx.store, session.id, EMBED_RECAP);
  const format = interaction.options.getString('format') ?? 'summary';
  const files = (await recapFiles(ctx.store, recap)).filter((f) => format === 'summary' || f.name?.endsWith(`.${format}`));
  // Discord tells each interaction its upload limit; what does not fit is left out, with how to get it.
  const limit = interaction.attachmentSizeLimit > 0 ? interaction.attachmentSizeLimit : MAX_UPLOAD_BYTES;
  const summary = await formatSummary(ctx.store, session.id, escapeText);
  await sendFitting(files, session.id, limit, (attach, leftOut) => interaction.editReply({
    content: leftOut.length ? `${clip(summary, 1990 - leftOut.join('\n').length - 2)}\n\n${leftOut.join('\n')}` : clip(summary),
    files: attach, allowedMentions: { parse: [] },
  }));
}

/** How /chat words what a control did. */
const DONE: ControlWording = {
  next: (o) => `Q${o.questionNumber} is going out now; the rest of the timetable moved up.`,
  skip: (o) => `Q${o.questionNumber} is skipped.`,
  pause: () => 'Paused: nothing is posted until /chat resume.',
  resume: () => 'Resumed: everything left moved later by the length of the pause.',
  extend: (o) => `Extended by ${o.minutes} minute${o.minutes === 1 ? '' : 's'}.`,
  end: () => 'The outro is going out now; answers close after the grace period.',
  cancel: (o) => `Session #${o.sessionId} is cancelled.`,
};

async function control(interaction: ChatInputCommandInteraction, ctx: CommandContext, actor: string, action: ControlAction): Promise<void> {
  const session = await current(ctx, interaction.channelId);
  await acknowledge(interaction);
  const outcome = await runControl(ctx.controls, session.id, action, actor);
  await interaction.editReply({ content: describeOutcome(DONE, outcome), allowedMentions: { parse: [] } });
}

/**
 * Discord wants the first answer to an interaction within 3 seconds, or the user sees "The
 * application did not respond". Commands whose work waits on Discord (a control waits for
 * the engine's cycle, which posts) or may take long (a recap) defer first, ephemerally, and
 * edit the reply when done; their errors replace the "thinking…" message (runWithBoundary).
 * Checks that need no waiting (permissions, is there a session) run before, so refusals
 * still come as a plain reply.
 */
async function acknowledge(interaction: ChatInputCommandInteraction): Promise<void> {
  if (!interaction.deferred && !interaction.replied) await interaction.deferReply({ flags: MessageFlags.Ephemeral });
}

async function setup(interaction: ChatInputCommandInteraction, ctx: CommandContext, checked: Checked, actor: string): Promise<void> {
  // The target channel, who may set it up, that the bot can post there and that the question
  // set is this server's were checked before this runs (preconditions.setup).
  const channelId = checked.channelId;
  const result = await setupSeries(ctx.store, ctx.clock, actor, {
    guildId: checked.guildId,
    channelId,
    tag: interaction.options.getString('tag') ?? undefined,
    weekday: (interaction.options.getString('weekday') ?? undefined) as (typeof WEEKDAYS)[number] | undefined,
    time: interaction.options.getString('time') ?? undefined,
    timezone: interaction.options.getString('timezone') ?? undefined,
    questionSetId: interaction.options.getInteger('questions') ?? undefined,
    threads: interaction.options.getBoolean('threads') ?? undefined,
    moderatorRoleId: interaction.options.getRole('moderator-role')?.id,
    previewMinutes: interaction.options.getInteger('preview-minutes') ?? undefined,
  });
  const { series, nextSession } = result;
  const lines = [
    `${result.created ? 'Set up' : 'Updated'} **${escapeText(series.tag)}** in <#${channelId}>: ${describeSchedule(series)}.`,
    nextSession ? `Next session: ${time(nextSession)}.` : 'Start a session any time with /chat start.',
  ];
  for (const u of result.updated) {
    lines.push(u.moved ? `Session #${u.sessionId} moves to ${time(u.startsAt)}.` : `Session #${u.sessionId} (${time(u.startsAt)}) follows the new settings.`);
  }
  if (result.cancelled) lines.push(`A planned session fell on the same time as another and was cancelled.`);
  const events = eventsNote(interaction.guild, series.settings.scheduledEvents);
  if (events) lines.push(events);
  if (!readsContent(interaction.client)) lines.push(NO_CONTENT_HOWTO);
  // The engine's cycle may wait on Discord; the reply does not wait for it.
  const planned = ctx.changed();
  await interaction.reply({ content: lines.join('\n'), ...ephemeral });
  await planned;
}

async function current(ctx: CommandContext, channelId: string): Promise<Session> {
  const session = await currentSession(ctx.store, channelId);
  if (!session) throw new UserError('There is no session in this channel right now; /chat start begins one.');
  return session;
}

async function latest(ctx: CommandContext, channelId: string): Promise<Session | null> {
  return (await ctx.store.sessions.listInChannel(channelId)).find((s) => s.state !== 'planned' && s.state !== 'cancelled') ?? null;
}

function channelName(interaction: ChatInputCommandInteraction): string {
  const name = interaction.channel && 'name' in interaction.channel ? interaction.channel.name : 'chat';
  return (name ?? 'chat').replace(/[^\p{L}\p{N}_]/gu, '') || 'chat';
}

export async function autocomplete(interaction: AutocompleteInteraction, ctx: CommandContext): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name === 'timezone') await interaction.respond(timezoneChoices(String(focused.value)));
  else if (focused.name === 'questions' && interaction.guildId) await interaction.respond(await questionSetChoices(ctx.store, interaction.guildId, String(focused.value), focused.type === ApplicationCommandOptionType.Integer ? 'number' : 'string'));
  else await interaction.respond([]);
}
