import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { parseSeriesSettings } from '../core/settings.ts';
import { nextOccurrence, validateTimezone, weeklyCron } from '../scheduler/recurrence.ts';
import type { Store } from '../store/index.ts';
import type { Series } from '../store/series.ts';
import { ControlError } from './controls.ts';

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
  /** Planned sessions of the old schedule that were cancelled. */
  cancelled: number;
}

export function setupSeries(store: Store, clock: Clock, by: string, input: SeriesSetupInput): SeriesSetupResult {
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success) throw new ControlError(parsed.error.issues.map((i) => `${String(i.path[0] ?? 'setup')} ${i.message}`).join('; '));
  const v = parsed.data;
  const existing = store.series.getByChannel(v.guildId, v.channelId);
  const tag = v.tag ?? existing?.tag;
  if (!tag) throw new ControlError('tag is needed to set up a new chat (for example #BadgeChat)');
  if ((v.weekday === undefined) !== (v.time === undefined) && !existing?.schedule) {
    throw new ControlError('give both weekday and time for a weekly chat (or neither, to start sessions by hand)');
  }
  if (v.questionSetId !== undefined && !store.bank.get(v.questionSetId)) {
    throw new ControlError(`questions: there is no question set #${v.questionSetId}; /bank list shows them`);
  }

  const timezone = v.timezone ?? existing?.timezone ?? 'America/New_York';
  const schedule = scheduleFor(v.weekday, v.time, existing?.schedule ?? null);
  const old = existing ? parseSeriesSettings(existing.settings) : parseSeriesSettings({});
  const settings = parseSeriesSettings({
    ...existing?.settings,
    ...(v.questionSetId !== undefined ? { questionSetId: v.questionSetId } : {}),
    ...(v.threads !== undefined ? { threads: v.threads } : {}),
    ...(v.moderatorRoleId !== undefined ? { moderatorRoleId: v.moderatorRoleId } : {}),
    ...(v.previewMinutes !== undefined ? { previewMinutesBefore: v.previewMinutes === 0 ? null : v.previewMinutes } : {}),
  });
  const now = clock.now();
  const nextSession = schedule ? nextOccurrence(schedule, timezone, now) : null;

  return store.transaction(() => {
    const series = store.series.saveForChannel({ guildId: v.guildId, channelId: v.channelId, tag, timezone, schedule, settings });
    // Planned sessions made for the old schedule or settings are replaced: the planner
    // plans the next one afresh.
    let cancelled = 0;
    const timetableChanged = JSON.stringify(old) !== JSON.stringify(settings) || existing?.schedule !== schedule || existing?.timezone !== timezone;
    for (const s of store.sessions.listInChannel(v.channelId)) {
      if (s.seriesId !== series.id || s.state !== 'planned' || !timetableChanged) continue;
      for (const p of store.prompts.listBySession(s.id)) if (p.state === 'planned') store.prompts.markSkipped(p.id, 'the series was set up anew');
      store.sessions.setState(s.id, 'cancelled', { endedAt: now });
      store.controls.record(s.id, 'cancel', by, now, { reason: 'series set up anew' });
      cancelled++;
    }
    return { series, created: existing === null, nextSession, cancelled };
  });
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
