import type { SeriesSettings, SeriesSettingsInput } from './settings.ts';

/**
 * A recurring chat: where it runs, when, and how. `settings` is parsed once, when the series
 * is read from the store (defaults filled in, every field typed); nothing downstream parses
 * it again.
 */
export interface Series {
  id: number;
  /** null for the series that imported archives belong to. */
  guildId: string | null;
  channelId: string | null;
  tag: string;
  timezone: string;
  /** Cron expression; null for a series that only runs when started by hand. */
  schedule: string | null;
  settings: SeriesSettings;
  createdAt: Date;
}

/** What creating or updating a channel's series takes; settings are validated on the way in. */
export interface SeriesInput {
  guildId: string;
  channelId: string;
  tag: string;
  timezone: string;
  schedule: string | null;
  settings: SeriesSettingsInput;
}
