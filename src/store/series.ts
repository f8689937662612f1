import type { Clock } from '../core/clock.ts';
import type { Db } from './db.ts';

export interface Series {
  id: number;
  guildId: string | null;
  channelId: string | null;
  tag: string;
  timezone: string;
  schedule: string | null;
  settings: Record<string, unknown>;
  createdAt: Date;
}

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
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
  };
}

export function tagKey(tag: string): string {
  return tag.toLowerCase();
}

export class SeriesStore {
  private readonly byId;
  private readonly all;
  private readonly archivedByTag;
  private readonly insertArchived;

  constructor(db: Db, private readonly clock: Clock) {
    this.byId = db.prepare<[number], SeriesRow>('SELECT * FROM series WHERE id = ?');
    this.all = db.prepare<[], SeriesRow>('SELECT * FROM series ORDER BY id');
    this.archivedByTag = db.prepare<[string], SeriesRow>(
      'SELECT * FROM series WHERE guild_id IS NULL AND channel_id IS NULL AND tag_key = ?',
    );
    this.insertArchived = db.prepare<[string, string, string], SeriesRow>(
      'INSERT INTO series (tag, tag_key, created_at) VALUES (?, ?, ?) RETURNING *',
    );
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
