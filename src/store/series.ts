import type { Clock } from '../domain/clock.ts';
import type { Series, SeriesInput } from '../domain/series.ts';
import { SettingsError, compactSettings, parseSeriesSettings } from '../domain/settings.ts';
import type { Db } from './db.ts';

export type { Series, SeriesInput } from '../domain/series.ts';

interface SeriesRow {
  id: number;
  guild_id: string | null;
  channel_id: string | null;
  tag: string;
  tag_key: string;
  timezone: string;
  schedule: string | null;
  settings: string;
  created_at: string;
}

export function toSeries(row: SeriesRow): Series {
  return {
    id: row.id,
    guildId: row.guild_id,
    channelId: row.channel_id,
    tag: row.tag,
    timezone: row.timezone,
    schedule: row.schedule,
    settings: storedSettings(row),
    createdAt: new Date(row.created_at),
  };
}

export function tagKey(tag: string): string {
  return tag.toLowerCase();
}

/** Settings as stored are parsed here, once per read; a row edited by hand into something invalid names its series. */
function storedSettings(row: SeriesRow) {
  try {
    return parseSeriesSettings(JSON.parse(row.settings));
  } catch (err) {
    const issues = err instanceof SettingsError ? err.issues : [`not JSON (${(err as Error).message})`];
    throw new SettingsError(issues.map((i) => `series #${row.id} ${row.tag}: ${i}`));
  }
}

/** Settings on the way in, as stored (JSON of what differs from the defaults); a bad field throws SettingsError naming it. Both stores save through this. */
export function storedSettingsJson(settings: SeriesInput['settings']): string {
  return JSON.stringify(compactSettings(parseSeriesSettings(settings)));
}

export class SeriesStore {
  private readonly byId;
  private readonly all;
  private readonly archivedByTag;
  private readonly insertArchived;
  private readonly byChannel;
  private readonly upsert;
  private readonly scheduled;

  constructor(db: Db, private readonly clock: Clock) {
    this.byId = db.prepare<[number], SeriesRow>('SELECT * FROM series WHERE id = ?');
    this.all = db.prepare<[], SeriesRow>('SELECT * FROM series ORDER BY id');
    this.archivedByTag = db.prepare<[string], SeriesRow>(
      'SELECT * FROM series WHERE guild_id IS NULL AND channel_id IS NULL AND tag_key = ?',
    );
    this.insertArchived = db.prepare<[string, string, string], SeriesRow>(
      'INSERT INTO series (tag, tag_key, created_at) VALUES (?, ?, ?) RETURNING *',
    );
    this.byChannel = db.prepare<[string, string], SeriesRow>('SELECT * FROM series WHERE guild_id = ? AND channel_id = ? ORDER BY id LIMIT 1');
    this.scheduled = db.prepare<[], SeriesRow>('SELECT * FROM series WHERE schedule IS NOT NULL AND channel_id IS NOT NULL ORDER BY id');
    this.upsert = db.prepare<{ id: number | null; guildId: string; channelId: string; tag: string; tagKey: string; timezone: string; schedule: string | null; settings: string; now: string }, SeriesRow>(
      `INSERT INTO series (id, guild_id, channel_id, tag, tag_key, timezone, schedule, settings, created_at)
       VALUES (@id, @guildId, @channelId, @tag, @tagKey, @timezone, @schedule, @settings, @now)
       ON CONFLICT (id) DO UPDATE SET tag = excluded.tag, tag_key = excluded.tag_key, timezone = excluded.timezone,
         schedule = excluded.schedule, settings = excluded.settings
       RETURNING *`,
    );
  }

  /** The series of a channel (one per channel). */
  getByChannel(guildId: string, channelId: string): Series | null {
    const row = this.byChannel.get(guildId, channelId);
    return row ? toSeries(row) : null;
  }

  /** Creates the channel's series, or updates it in place (same id, sessions kept). */
  saveForChannel(input: SeriesInput): Series {
    const existing = this.byChannel.get(input.guildId, input.channelId);
    return toSeries(this.upsert.get({
      id: existing?.id ?? null, ...input, tagKey: tagKey(input.tag), settings: storedSettingsJson(input.settings), now: this.clock.now().toISOString(),
    })!);
  }

  /** Series with a recurring schedule. */
  listScheduled(): Series[] {
    return this.scheduled.all().map(toSeries);
  }

  get(id: number): Series | null {
    const row = this.byId.get(id);
    return row ? toSeries(row) : null;
  }

  list(): Series[] {
    return this.all.all().map(toSeries);
  }

  /** The series that archives with this tag are imported into (tags compare case-insensitively). */
  findOrCreateForArchive(tag: string): Series {
    const row = this.archivedByTag.get(tagKey(tag)) ?? this.insertArchived.get(tag, tagKey(tag), this.clock.now().toISOString())!;
    return toSeries(row);
  }
}
