import {
  ChannelType, InteractionContextType, MessageFlags, PermissionFlagsBits, SlashCommandBuilder,
  type AutocompleteInteraction, type ChatInputCommandInteraction, type GuildBasedChannel,
} from 'discord.js';
import { discordTimestamp } from '../../domain/timetable.ts';
import { escapeText } from '../escape.ts';
import { UserError, clip, requireModerator, type CommandContext } from '../interactions.ts';
import { questionSetChoices, timezoneChoices } from '../autocomplete.ts';
import { MAX_UPLOAD_BYTES, recapFiles, sendFitting } from '../recap-post.ts';
import { buildRecap } from '../../recap/model.ts';
import { formatStatus, formatSummary } from '../../live/format.ts';
import { currentSession, sessionStatus } from '../../live/status.ts';
import { ControlError, MAX_QUESTIONS, validateQuestion } from '../../live/controls.ts';
import type { Series } from '../../domain/series.ts';
import { WEEKDAYS, describeSchedule, setupSeries } from '../../live/series-setup.ts';
import type { Session } from '../../store/sessions.ts';

/** `/chat`: set up the channel's recurring chat and steer its sessions. */
export const data = new SlashCommandBuilder()
  .setName('chat')
  .setDescription('Run Twitter-chat style sessions in this channel')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
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
  .addSubcommand((s) => s.setName('recap').setDescription('Answers per question')
    .addIntegerOption((o) => o.setName('session').setDescription('Session number (default: the latest here)').setMinValue(1))
    .addStringOption((o) => o.setName('format').setDescription('Which file to attach (default: Markdown and HTML)').addChoices(
      { name: 'Markdown and HTML', value: 'summary' }, { name: 'Markdown', value: 'md' }, { name: 'HTML page', value: 'html' })));

const time = (at: Date) => `${discordTimestamp(at, 'f')} (${discordTimestamp(at, 'R')})`;
const ephemeral = { flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;

export async function execute(interaction: ChatInputCommandInteraction, ctx: CommandContext): Promise<void> {
  if (!interaction.inGuild()) throw new UserError('Emcee works in server channels only.');
  const sub = interaction.options.getSubcommand();
  const actor = `${interaction.user.username} (${interaction.user.id})`;
  const series = await ctx.store.series.getByChannel(interaction.guildId, interaction.channelId);

  switch (sub) {
    case 'setup':
      return setup(interaction, ctx, actor);
    case 'start': {
      requireModerator(interaction, series, 'start a session');
      const raw = interaction.options.getString('questions');
      const options = raw === null ? {} : /^\d+$/.test(raw.trim()) ? { questionSetId: Number(raw) } : { questions: raw.split(/\s*\|\s*|\n/).filter((q) => q.trim() !== '') };
      // All input is checked before the first write: a channel without a chat gets its
      // one-off series only once the questions are known to be good.
      await checkStartQuestions(ctx, interaction.guildId, series, options);
      await acknowledge(interaction);
      const chat = series ?? (await setupSeries(ctx.store, ctx.clock, actor, { guildId: interaction.guildId, channelId: interaction.channelId, tag: `#${channelName(interaction)}` })).series;
      const session = await ctx.controls.start(chat, actor, options);
      await interaction.editReply({ content: `Session #${session.id} of **${escapeText(chat.tag)}** has started.`, allowedMentions: { parse: [] } });
      return;
    }
    case 'status': {
      const session = await current(ctx, interaction.channelId);
      const status = await sessionStatus(ctx.store, session.id);
      await interaction.reply({ content: clip(formatStatus({ ...status, tag: escapeText(status.tag) }, time)), ...ephemeral });
      return;
    }
    case 'recap': {
      const id = interaction.options.getInteger('session');
      const session = id === null ? await latest(ctx, interaction.channelId) : await ctx.store.sessions.get(id);
      if (!session || session.channelId !== interaction.channelId) throw new UserError(id === null ? 'No session has run in this channel yet.' : `There is no session #${id} in this channel.`);
      // Building the Markdown and HTML of a long session, and uploading them, can take a while.
      await acknowledge(interaction);
      const recap = await buildRecap(ctx.store, session.id);
      const format = interaction.options.getString('format') ?? 'summary';
      const files = recapFiles(recap).filter((f) => format === 'summary' || f.name?.endsWith(`.${format}`));
      // Discord tells each interaction its upload limit; what does not fit is left out, with how to get it.
      const limit = interaction.attachmentSizeLimit > 0 ? interaction.attachmentSizeLimit : MAX_UPLOAD_BYTES;
      const summary = await formatSummary(ctx.store, session.id, escapeText);
      await sendFitting(files, session.id, limit, (attach, leftOut) => interaction.editReply({
        content: leftOut.length ? `${clip(summary, 1990 - leftOut.join('\n').length - 2)}\n\n${leftOut.join('\n')}` : clip(summary),
        files: attach, allowedMentions: { parse: [] },
      }));
      return;
    }
    default:
      return control(interaction, ctx, sub, actor);
  }
}

async function control(interaction: ChatInputCommandInteraction, ctx: CommandContext, sub: string, actor: string): Promise<void> {
  const series = await ctx.store.series.getByChannel(interaction.guildId!, interaction.channelId);
  requireModerator(interaction, series, CONTROL_ACTIONS[sub] ?? 'steer the session');
  const session = await current(ctx, interaction.channelId);
  await acknowledge(interaction);
  const { controls } = ctx;
  let done: string;
  switch (sub) {
    case 'next': {
      const q = await controls.next(session.id, actor);
      done = `Q${q.questionNumber} is going out now; the rest of the timetable moved up.`;
      break;
    }
    case 'skip': {
      const q = await controls.skip(session.id, actor, interaction.options.getInteger('question') ?? undefined);
      done = `Q${q.questionNumber} is skipped.`;
      break;
    }
    case 'pause':
      await controls.pause(session.id, actor);
      done = 'Paused: nothing is posted until /chat resume.';
      break;
    case 'resume':
      await controls.resume(session.id, actor);
      done = 'Resumed: everything left moved later by the length of the pause.';
      break;
    case 'extend': {
      const minutes = interaction.options.getInteger('minutes', true);
      await controls.extend(session.id, actor, minutes);
      done = `Extended by ${minutes} minute${minutes === 1 ? '' : 's'}.`;
      break;
    }
    case 'end':
      await controls.end(session.id, actor);
      done = 'The outro is going out now; answers close after the grace period.';
      break;
    case 'cancel':
      await controls.cancel(session.id, actor);
      done = `Session #${session.id} is cancelled.`;
      break;
    default:
      throw new UserError(`Unknown subcommand ${sub}.`);
  }
  await interaction.editReply({ content: done, allowedMentions: { parse: [] } });
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

async function setup(interaction: ChatInputCommandInteraction, ctx: CommandContext, actor: string): Promise<void> {
  const channel = (interaction.options.getChannel('channel') ?? interaction.channel) as GuildBasedChannel | null;
  if (!channel || channel.type !== ChannelType.GuildText) throw new UserError('Choose a text channel for the chat.');
  const existing = await ctx.store.series.getByChannel(interaction.guildId!, channel.id);
  requireModerator(interaction, existing, 'set up the chat');
  const threads = interaction.options.getBoolean('threads');
  checkBotCanPost(interaction, channel, threads ?? false);
  const questionSetId = interaction.options.getInteger('questions');
  // The series layer knows every set; a server may only pick its own and the shared ones.
  if (questionSetId !== null && !(await ctx.store.bank.get(questionSetId, { guildId: interaction.guildId! }))) {
    throw new ControlError(`questions: there is no question set #${questionSetId}; /bank list shows them`);
  }

  const result = await setupSeries(ctx.store, ctx.clock, actor, {
    guildId: interaction.guildId!,
    channelId: channel.id,
    tag: interaction.options.getString('tag') ?? undefined,
    weekday: (interaction.options.getString('weekday') ?? undefined) as (typeof WEEKDAYS)[number] | undefined,
    time: interaction.options.getString('time') ?? undefined,
    timezone: interaction.options.getString('timezone') ?? undefined,
    questionSetId: questionSetId ?? undefined,
    threads: threads ?? undefined,
    moderatorRoleId: interaction.options.getRole('moderator-role')?.id,
    previewMinutes: interaction.options.getInteger('preview-minutes') ?? undefined,
  });
  const { series, nextSession } = result;
  const lines = [
    `${result.created ? 'Set up' : 'Updated'} **${escapeText(series.tag)}** in <#${channel.id}>: ${describeSchedule(series)}.`,
    nextSession ? `Next session: ${time(nextSession)}.` : 'Start a session any time with /chat start.',
  ];
  for (const u of result.updated) {
    lines.push(u.moved ? `Session #${u.sessionId} moves to ${time(u.startsAt)}.` : `Session #${u.sessionId} (${time(u.startsAt)}) follows the new settings.`);
  }
  if (result.cancelled) lines.push(`A planned session fell on the same time as another and was cancelled.`);
  // The engine's cycle may wait on Discord; the reply does not wait for it.
  const planned = ctx.changed();
  await interaction.reply({ content: lines.join('\n'), ...ephemeral });
  await planned;
}

/** The bot must be able to post (and embed, and thread) where the chat runs. */
function checkBotCanPost(interaction: ChatInputCommandInteraction, channel: GuildBasedChannel, threads: boolean): void {
  const me = interaction.client.user;
  const perms = channel.permissionsFor(me);
  const needed: [bigint, string][] = [
    [PermissionFlagsBits.ViewChannel, 'View Channel'], [PermissionFlagsBits.SendMessages, 'Send Messages'],
    [PermissionFlagsBits.EmbedLinks, 'Embed Links'], [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
    ...(threads ? [[PermissionFlagsBits.CreatePublicThreads, 'Create Public Threads'], [PermissionFlagsBits.SendMessagesInThreads, 'Send Messages in Threads']] as [bigint, string][] : []),
  ];
  const missing = needed.filter(([bit]) => !perms?.has(bit)).map(([, name]) => name);
  if (missing.length) throw new UserError(`I can't run a chat in <#${channel.id}>: I'm missing ${missing.join(', ')} there.`);
}

/** What each control does, for refusals: "You need … to move on to the next question." */
const CONTROL_ACTIONS: Record<string, string> = {
  next: 'move on to the next question',
  skip: 'skip a question',
  pause: 'pause the session',
  resume: 'resume the session',
  extend: 'give the current question more time',
  end: 'end the session',
  cancel: 'cancel the session',
};

/**
 * The questions /chat start would ask, checked as the session layer checks them (same
 * wording), so that nothing is written for a start that is going to be refused.
 */
async function checkStartQuestions(ctx: CommandContext, guildId: string, series: Series | null, options: { questions?: string[]; questionSetId?: number }): Promise<void> {
  if (options.questions) {
    if (options.questions.length === 0 || options.questions.length > MAX_QUESTIONS) throw new ControlError(`give between 1 and ${MAX_QUESTIONS} questions`);
    options.questions.forEach((q, i) => validateQuestion(q, i + 1));
    return;
  }
  const setId = options.questionSetId ?? (series ? series.settings.questionSetId : null);
  if (setId === null) throw new ControlError('no questions: give some, or choose a question set from the bank for this series');
  // A set id typed here must be this server's or shared: another server's is refused exactly
  // like an unknown one. The chat's own set was checked when it was chosen (or the operator
  // chose it, with `emcee series setup`), and is used as the schedule uses it.
  const set = await ctx.store.bank.get(setId, options.questionSetId === undefined ? null : { guildId });
  if (!set) throw new ControlError(`there is no question set #${setId} in the bank`);
  if (set.questions.length === 0) throw new ControlError(`question set #${setId} has no questions`);
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
  else if (focused.name === 'questions' && interaction.guildId) await interaction.respond(await questionSetChoices(ctx.store, interaction.guildId, String(focused.value), focused.type === 4 ? 'number' : 'string'));
  else await interaction.respond([]);
}
