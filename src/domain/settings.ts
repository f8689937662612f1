import { z } from 'zod';

/**
 * Per-series settings: the timetable of a session and how it runs. Minutes are offsets
 * from the session's start (T+0). Stored as JSON on the series; validated here with
 * errors that name the field.
 */
const minutes = z.number().finite().min(0, 'must be 0 or more minutes').max(24 * 60, 'must be at most 1440 minutes (a day)');

export const seriesSettingsSchema = z.strictObject({
  /** Question set from the bank that scheduled sessions ask. */
  questionSetId: z.number().int().positive().nullable().default(null),
  /** Nominal length of the chat; the outro comes at this offset unless set otherwise. */
  durationMinutes: z.number().int().min(5, 'must be at least 5 minutes').max(24 * 60, 'must be at most 1440 minutes').default(30),
  /** When the "how to answer" post goes out; null: no such post. */
  guidelinesAtMinutes: minutes.nullable().default(2),
  firstQuestionAtMinutes: minutes.default(5),
  questionIntervalMinutes: z.number().finite().min(1, 'must be at least 1 minute').max(240).default(7),
  /** Explicit question offsets (Q1, Q2, …), overriding first + interval. */
  questionOffsetsMinutes: z.array(minutes).min(1).max(10).optional(),
  /** Heads-up ("First question coming up…") this long before each question; null: none. */
  headsUpMinutesBefore: z.number().finite().min(0.25, 'must be at least 15 seconds').max(30).nullable().default(1),
  /** The outro (takeaways prompt); default: durationMinutes. */
  outroAtMinutes: minutes.optional(),
  /** Answers are collected this long after the outro; later ones are kept but flagged late. */
  graceMinutes: minutes.default(15),
  /** Preview post listing the questions this long before the start; null: none. */
  previewMinutesBefore: z.number().finite().min(1).max(7 * 24 * 60).nullable().default(null),
  /** Prompts whose time passed while the bot was down: post them late, or skip them. */
  missedPrompts: z.enum(['post-late', 'skip']).default('post-late'),
  /** How late a prompt may be and still count as on time. */
  lateToleranceSeconds: z.number().finite().min(0).max(3600).default(60),
  /** Open a thread on each question; messages in it answer that question. */
  threads: z.boolean().default(false),
  /** Where the recap goes at close; null: the session's own channel. */
  recapChannelId: z.string().regex(/^\d{17,20}$/, 'must be a channel id').nullable().default(null),
  /** Announce each session as a guild Scheduled Event (needs Manage Events; without it the chat runs without events). */
  scheduledEvents: z.boolean().default(true),
  /** Where the event takes place: a stage or voice channel; null: the session's own channel (an external event). */
  eventChannelId: z.string().regex(/^\d{17,20}$/, 'must be a channel id').nullable().default(null),
  /** A role pinged once shortly before each session starts (the only ping Emcee ever sends); null: none. */
  reminderRoleId: z.string().regex(/^\d{17,20}$/, 'must be a role id').nullable().default(null),
  /** Role whose members may steer the chat (besides Manage Server). */
  moderatorRoleId: z.string().nullable().default(null),
  /** Custom texts for the bot's posts; defaults are used for any left out. */
  texts: z.strictObject({
    welcome: z.string().trim().min(1).max(1800).optional(),
    guidelines: z.string().trim().min(1).max(1800).optional(),
    outro: z.string().trim().min(1).max(1800).optional(),
    close: z.string().trim().min(1).max(1800).optional(),
  }).default({}),
}).superRefine((s, ctx) => {
  const offsets = s.questionOffsetsMinutes;
  offsets?.forEach((m, i) => {
    if (i > 0 && m <= offsets[i - 1]!) {
      ctx.addIssue({ code: 'custom', path: ['questionOffsetsMinutes', i], message: `must come after question ${i} (${offsets[i - 1]} min)` });
    }
  });
  if (s.headsUpMinutesBefore !== null) {
    const first = offsets?.[0] ?? s.firstQuestionAtMinutes;
    if (first - s.headsUpMinutesBefore < 0) {
      ctx.addIssue({ code: 'custom', path: ['headsUpMinutesBefore'], message: `the first question's heads-up would come before the start (question at ${first} min)` });
    }
  }
});

export type SeriesSettings = z.output<typeof seriesSettingsSchema>;
export type SeriesSettingsInput = z.input<typeof seriesSettingsSchema>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly issues: string[]) {
    super(`invalid series settings: ${issues.join('; ')}`);
  }
}

// Settings are read on every live message: the (slow) validation runs once per distinct value.
const parsedSettings = new Map<string, SeriesSettings>();
const MAX_CACHED_SETTINGS = 256;

/**
 * Validates settings, filling in defaults; throws SettingsError naming every bad field.
 * The result is shared between callers with equal input: treat it as read-only.
 */
export function parseSeriesSettings(input: unknown): SeriesSettings {
  const key = JSON.stringify(input ?? {});
  const cached = parsedSettings.get(key);
  if (cached) return cached;
  const parsed = seriesSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(settings)'}: ${i.message}`));
  }
  if (parsedSettings.size >= MAX_CACHED_SETTINGS) parsedSettings.clear();
  parsedSettings.set(key, Object.freeze(parsed.data) as SeriesSettings);
  return parsed.data;
}

export const DEFAULT_SETTINGS: SeriesSettings = parseSeriesSettings({});

/**
 * The settings that differ from the defaults: what is stored, so that a series keeps
 * following the defaults it never changed.
 */
export function compactSettings(settings: SeriesSettings): Partial<SeriesSettings> {
  const defaults = DEFAULT_SETTINGS as Record<string, unknown>;
  return Object.fromEntries(Object.entries(settings).filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(defaults[k])));
}
