import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { DEFAULT_SETTINGS, parseSeriesSettings } from '../domain/settings.ts';
import { nextOccurrence, validateTimezone, weeklyCron } from '../domain/recurrence.ts';
import type { Repositories, StorePort } from '../store/port.ts';
import type { Series } from '../domain/series.ts';
import type { Session } from '../store/sessions.ts';
import { ControlError, MAX_QUESTIONS } from './requests.ts';
import { replanSession } from './persist.ts';

/**
 * Creating or updating the recurring chat of a channel: what `/chat setup` and
 * `emcee series setup` both call. Every field is validated; problems come back together as
 * one ControlError the moderator can act on, and nothing changes.
 */

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

const setupSchema = z.object({
  guildId: z.string().min(1),
  channelId: z.string().min(1),
  tag: z.string().trim().regex(/^#?[\p{L}\p{N}_]{1,50}$/u, 'must be a hashtag such as #BadgeChat (letters, digits, _)').transform((t) => (t.startsWith('#') ? t : `#${t}`)).optional(),
  weekday: z.enum(WEEKDAYS, { error: `must be a day of the week (${WEEKDAYS.join(', ')})` }).optional(),
  time: z.string().trim().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 18:30 (24-hour clock)').optional(),
  timezone: z.string().trim().refine((tz) => validateTimezone(tz) === null, { error: 'must be an IANA time zone such as America/Denver (see the autocomplete list)' }).optional(),
  questionSetId: z.number().int().positive('must be a question set id from /bank list').optional(),
  threads: z.boolean().optional(),
  moderatorRoleId: z.string().regex(/^\d{17,20}$/, 'must be a role').nullable().optional(),
  previewMinutes: z.number().int().min(0, 'must be 0 (no preview) or more').max(7 * 24 * 60, 'must be at most 10080 (a week)').optional(),
});

export type SeriesSetupInput = z.input<typeof setupSchema>;

export interface SeriesSetupResult {
  series: Series;
  created: boolean;
  /** The next session's start, when the series has a schedule. */
  nextSession: Date | null;
  /**
   * Planned sessions that had to be cancelled: only when a new time lands on an instant
   * that already has a session of the series (normally 0).
   */
  cancelled: number;
  /** Planned sessions re-planned in place for the new setup (moved: to a new start). */
  updated: { sessionId: number; startsAt: Date; moved: boolean }[];
}

/** The refusal for a question set id the setup may not use: unknown, or (from a server) another server's. */
export const unknownSetupQuestionSet = (id: number) => new ControlError(`questions: there is no question set #${id}; /bank list shows them`);

export async function setupSeries(store: StorePort, clock: Clock, by: string, input: SeriesSetupInput): Promise<SeriesSetupResult> {
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success) throw new ControlError(parsed.error.issues.map((i) => `${String(i.path[0] ?? 'setup')} ${i.message}`).join('; '));
  const v = parsed.data;
  // Read, checked and written in one transaction: nothing changes in between.
  return store.transaction((tx) => setupIn(tx, clock, by, v));
}

async function setupIn(store: Repositories, clock: Clock, by: string, v: z.output<typeof setupSchema>): Promise<SeriesSetupResult> {
  const existing = await store.series.getByChannel(v.guildId, v.channelId);
  const tag = v.tag ?? existing?.tag;
  if (!tag) throw new ControlError('tag is needed to set up a new chat (for example #BadgeChat)');
  if ((v.weekday === undefined) !== (v.time === undefined) && !existing?.schedule) {
    throw new ControlError('give both weekday and time for a weekly chat (or neither, to start sessions by hand)');
  }
  if (v.questionSetId !== undefined && !(await store.bank.get(v.questionSetId))) throw unknownSetupQuestionSet(v.questionSetId);

  const timezone = v.timezone ?? existing?.timezone ?? 'America/New_York';
  const schedule = scheduleFor(v.weekday, v.time, existing?.schedule ?? null);
  const old = existing?.settings ?? DEFAULT_SETTINGS;
  const settings = parseSeriesSettings({
    ...existing?.settings,
    ...(v.questionSetId !== undefined ? { questionSetId: v.questionSetId } : {}),
    ...(v.threads !== undefined ? { threads: v.threads } : {}),
    ...(v.moderatorRoleId !== undefined ? { moderatorRoleId: v.moderatorRoleId } : {}),
    ...(v.previewMinutes !== undefined ? { previewMinutesBefore: v.previewMinutes === 0 ? null : v.previewMinutes } : {}),
  });
  const now = clock.now();
  const nextSession = schedule ? nextOccurrence(schedule, timezone, now) : null;

  {
    const series = await store.series.saveForChannel({ guildId: v.guildId, channelId: v.channelId, tag, timezone, schedule, settings });
    const timeChanged = existing !== null && (existing.schedule !== schedule || existing.timezone !== timezone);
    const changed = timeChanged || JSON.stringify(old) !== JSON.stringify(settings) || existing?.tag !== tag;
    const planned = (await store.sessions.listInChannel(v.channelId))
      .filter((s) => s.seriesId === series.id && s.state === 'planned')
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const updated: SeriesSetupResult['updated'] = [];
    let cancelled = 0;
    if (!changed) return { series, created: existing === null, nextSession, cancelled, updated };
    // Sessions planned but not started follow the new setup in place (issue 10, item 2):
    // never cancelled for a settings change, which left that week's chat unplanned for good
    // (the planner saw the cancelled row of the occurrence). A new time moves the coming
    // session to the next occurrence of the new schedule; the old instant is no longer an
    // occurrence, so it never comes back. Only when the new instant already has a session
    // of the series (or a second planned session would land on it) is one cancelled.
    for (const [i, s] of planned.entries()) {
      const startsAt = timeChanged ? nextSession : s.startsAt;
      const other = startsAt !== null && timeChanged ? await store.sessions.findOccurrence(series.id, startsAt) : null;
      if (startsAt === null || (timeChanged && i > 0) || (other !== null && other.id !== s.id)) {
        for (const p of await store.prompts.listBySession(s.id)) if (p.state === 'planned') await store.prompts.markSkipped(p.id, 'the series was set up anew');
        await store.sessions.setState(s.id, 'cancelled', { endedAt: now });
        await store.controls.record(s.id, 'cancel', by, now, { reason: 'series set up anew; its new time already has a session' });
        cancelled++;
        continue;
      }
      const { questions, questionSetId } = await questionsAfterSetup(store, s, settings.questionSetId);
      await replanSession(store, s, series, { startsAt, questions, questionSetId });
      await store.controls.record(s.id, 'setup', by, now, { from: s.startsAt.toISOString(), to: startsAt.toISOString() });
      updated.push({ sessionId: s.id, startsAt, moved: startsAt.getTime() !== s.startsAt.getTime() });
    }
    return { series, created: existing === null, nextSession, cancelled, updated };
  }
}

/**
 * The questions a re-planned session asks: the new question set's when the setup chose
 * another set (with questions), else the session's own (with any replace or reorder a
 * moderator made to it).
 */
async function questionsAfterSetup(store: Repositories, session: Session, setId: number | null): Promise<{ questions: string[]; questionSetId: number | null }> {
  if (setId !== null && setId !== session.questionSetId) {
    const set = await store.bank.get(setId);
    if (set && set.questions.length > 0) return { questions: set.questions.slice(0, MAX_QUESTIONS), questionSetId: set.id };
  }
  const own = (await store.prompts.listBySession(session.id)).filter((p) => p.kind === 'question').sort((a, b) => a.questionNumber! - b.questionNumber!);
  return { questions: own.map((p) => p.text.replace(/^Q\d+: /, '')), questionSetId: session.questionSetId };
}

function scheduleFor(weekday: (typeof WEEKDAYS)[number] | undefined, time: string | undefined, current: string | null): string | null {
  if (weekday === undefined && time === undefined) return current;
  // Only one of the two given: keep the other from the current weekly schedule.
  const [minute, hour, , , dow] = (current ?? '').split(' ');
  const day = weekday !== undefined ? WEEKDAYS.indexOf(weekday) : Number(dow);
  const at = time ?? `${hour}:${String(minute).padStart(2, '0')}`;
  return weeklyCron(day, at);
}

/** "Mondays 18:30 (America/Denver)" for a weekly schedule. */
export function describeSchedule(series: Pick<Series, 'schedule' | 'timezone'>): string {
  if (!series.schedule) return 'no schedule: sessions start with /chat start';
  const [minute, hour, , , dow] = series.schedule.split(' ');
  const day = WEEKDAYS[Number(dow) % 7];
  if (!day || !/^\d+$/.test(minute ?? '') || !/^\d+$/.test(hour ?? '')) return `cron "${series.schedule}" (${series.timezone})`;
  return `${day[0]!.toUpperCase()}${day.slice(1)}s ${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')} (${series.timezone})`;
}
