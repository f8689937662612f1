import { userInfo } from 'node:os';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import { SessionControls } from '../live/controls.ts';
import { controlAction, describeOutcome, isControlName, parseQuestionsOption, runControl, type ControlWording } from '../live/requests.ts';
import { formatStatus } from '../live/format.ts';
import { currentSession, sessionStatus } from '../live/status.ts';
import { WEEKDAYS, describeSchedule, setupSeries } from '../live/series-setup.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { CliError, line, type CliIo } from './io.ts';
import { seriesReportCommand } from './series-report.ts';

/**
 * `emcee series …` and `emcee session …`: the moderator controls from a terminal, on the
 * same database as the bot. The running bot notices the change (SQLite data_version) and
 * posts what is now due.
 */

export type Flags = Record<string, string | boolean | undefined>;

const actor = () => `cli:${userInfo().username}`;
const iso = (at: Date) => at.toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z').replace('T', ' ');

/** Refuses a bad `emcee series` line before any database is opened (so nothing is created or migrated for it). */
export function checkSeriesUsage(sub: string | undefined, which?: string): void {
  if (sub === 'report') return;
  if (which !== undefined) throw new CliError(`series does not take "${which}" (emcee series --help)`, 2);
  if (sub !== 'list' && sub !== 'setup') throw new CliError(SERIES_USAGE, 2);
}

const SERIES_USAGE = 'usage: emcee series setup --guild ID --channel ID [--tag #Chat] [--weekday monday --time 18:30] [--timezone Area/City] [--questions SET] [--threads true|false] [--moderator-role ID] [--preview-minutes N] | emcee series list | emcee series report <tag|id> [--format md|html|json] [--out FILE]';

export async function seriesCommand(io: CliIo, store: StorePort, clock: Clock, sub: string | undefined, flags: Flags, which?: string): Promise<void> {
  checkSeriesUsage(sub, which);
  if (sub === 'report') return seriesReportCommand(io, store, which, flags);
  if (sub === 'list') {
    const all = (await store.series.list()).filter((s) => s.channelId !== null);
    if (all.length === 0) line(io.stdout, 'No chats are set up yet: emcee series setup --guild ID --channel ID --tag #Chat …');
    for (const s of all) line(io.stdout, `#${s.id} ${s.tag} in channel ${s.channelId} (server ${s.guildId}): ${describeSchedule(s)}`);
    return;
  }
  const guildId = text(flags, 'guild', true)!;
  const channelId = text(flags, 'channel', true)!;
  const weekday = text(flags, 'weekday')?.toLowerCase();
  if (weekday !== undefined && !(WEEKDAYS as readonly string[]).includes(weekday)) throw new CliError(`--weekday must be one of ${WEEKDAYS.join(', ')}`, 2);
  const threads = text(flags, 'threads');
  if (threads !== undefined && threads !== 'true' && threads !== 'false') throw new CliError('--threads takes true or false', 2);
  const result = await setupSeries(store, clock, actor(), {
    guildId, channelId,
    tag: text(flags, 'tag'),
    weekday: weekday as (typeof WEEKDAYS)[number] | undefined,
    time: text(flags, 'time'),
    timezone: text(flags, 'timezone'),
    questionSetId: int(flags, 'questions'),
    threads: threads === undefined ? undefined : threads === 'true',
    moderatorRoleId: text(flags, 'moderator-role'),
    previewMinutes: int(flags, 'preview-minutes'),
  });
  line(io.stdout, `${result.created ? 'Set up' : 'Updated'} ${result.series.tag} in channel ${channelId}: ${describeSchedule(result.series)}.`);
  if (result.nextSession) line(io.stdout, `Next session: ${iso(result.nextSession)}.`);
  for (const u of result.updated) {
    line(io.stdout, u.moved ? `Session #${u.sessionId} moves to ${iso(u.startsAt)}.` : `Session #${u.sessionId} (${iso(u.startsAt)}) follows the new settings.`);
  }
  if (result.cancelled) line(io.stdout, `${result.cancelled} planned session fell on the same time as another and was cancelled.`);
}

export async function sessionCommand(io: CliIo, store: StorePort, clock: Clock, log: Logger, sub: string | undefined, flags: Flags): Promise<void> {
  const controls = new SessionControls({ store, clock, log });
  const by = actor();
  const session = async (): Promise<Session> => {
    const id = int(flags, 'session');
    if (id !== undefined) {
      const s = await store.sessions.get(id);
      if (!s) throw new CliError(`there is no session #${id}`);
      return s;
    }
    const channel = text(flags, 'channel');
    if (!channel) throw new CliError('say which session: --channel ID (its current session) or --session N', 2);
    const s = await currentSession(store, channel);
    if (!s) throw new CliError(`there is no session in channel ${channel}; emcee session start --channel ${channel} begins one`);
    return s;
  };
  const out = (s: string) => line(io.stdout, s);
  if (sub === 'start') {
    const channel = text(flags, 'channel', true)!;
    const series = (await store.series.list()).find((s) => s.channelId === channel);
    if (!series) throw new CliError(`channel ${channel} has no chat set up: emcee series setup --guild ID --channel ${channel} --tag #Chat`);
    const started = await controls.start(series, by, parseQuestionsOption(text(flags, 'questions')));
    out(`Session #${started.id} of ${series.tag} started; the running bot posts the welcome now.`);
  } else if (sub === 'status') {
    out(formatStatus(await sessionStatus(store, (await session()).id), iso).replace(/\*\*/g, ''));
  } else if (isControlName(sub)) {
    const minutes = int(flags, 'minutes');
    if (sub === 'extend' && minutes === undefined) throw new CliError('extend needs --minutes N', 2);
    const action = controlAction(sub, { question: int(flags, 'question'), minutes });
    out(describeOutcome(DONE, await runControl(controls, (await session()).id, action, by)));
  } else {
    throw new CliError('usage: emcee session start|next|skip|pause|resume|extend|end|cancel|status --channel ID (or --session N) [--questions SET] [--question N] [--minutes N]', 2);
  }
}

/** How the terminal words what a control did: short lines. */
const DONE: ControlWording = {
  next: (o) => `Q${o.questionNumber} goes out now.`,
  skip: (o) => `Q${o.questionNumber} skipped.`,
  pause: () => 'Paused.',
  resume: () => 'Resumed.',
  extend: (o) => `Extended by ${o.minutes} minutes.`,
  end: () => 'The outro goes out now.',
  cancel: () => 'Cancelled.',
};

function text(flags: Flags, name: string, required = false): string | undefined {
  const v = flags[name];
  if (v === undefined || v === true || v === false) {
    if (required) throw new CliError(`--${name} is required`, 2);
    return undefined;
  }
  return v;
}

function int(flags: Flags, name: string): number | undefined {
  const v = text(flags, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new CliError(`--${name} takes a whole number, not "${v}"`, 2);
  return Number(v);
}
