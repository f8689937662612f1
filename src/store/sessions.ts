import type { Clock } from '../domain/clock.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Db } from './db.ts';

export type SessionState = 'planned' | 'running' | 'paused' | 'ended' | 'cancelled' | 'archived';

export interface Session {
  id: number;
  seriesId: number;
  questionSetId: number | null;
  state: SessionState;
  startsAt: Date;
  endedAt: Date | null;
  source: 'live' | 'archive';
  sourceHash: string | null;
  sourceName: string | null;
  format: string | null;
  createdAt: Date;
  /** Where a live session runs. */
  channelId: string | null;
  /** Set while paused: the timetable is frozen from this instant. */
  pausedAt: Date | null;
  /** The guild of its series (null: an imported chat): which process runs it (src/domain/shard.ts). */
  guildId: string | null;
  /** When its recap was posted, and the message (null: not posted, or from before recaps were recorded). */
  recapPostedAt: Date | null;
  recapMessageId: string | null;
}

export interface NewSession {
  seriesId: number;
  questionSetId: number | null;
  state: SessionState;
  startsAt: Date;
  endedAt?: Date | null;
  source: Session['source'];
  sourceHash?: string | null;
  sourceName?: string | null;
  format?: string | null;
  channelId?: string | null;
}

interface SessionRow {
  id: number;
  series_id: number;
  question_set_id: number | null;
  state: SessionState;
  starts_at: string;
  ended_at: string | null;
  source: Session['source'];
  source_hash: string | null;
  source_name: string | null;
  format: string | null;
  created_at: string;
  channel_id: string | null;
  paused_at: string | null;
  guild_id: string | null;
  recap_posted_at: string | null;
  recap_message_id: string | null;
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    seriesId: row.series_id,
    questionSetId: row.question_set_id,
    state: row.state,
    startsAt: new Date(row.starts_at),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at),
    source: row.source,
    sourceHash: row.source_hash,
    sourceName: row.source_name,
    format: row.format,
    createdAt: new Date(row.created_at),
    channelId: row.channel_id,
    pausedAt: row.paused_at === null ? null : new Date(row.paused_at),
    guildId: row.guild_id ?? null,
    recapPostedAt: row.recap_posted_at ? new Date(row.recap_posted_at) : null,
    recapMessageId: row.recap_message_id ?? null,
  };
}

/**
 * The sessions of some shards' guilds, in SQLite: `(guild_id >> 22) % count` in the shard
 * ids (JSON); no count: every guild. Same formula as src/domain/shard.ts (no guild, or one
 * not a number: shard 0).
 */
export const SHARDS = `(@count IS NULL OR (CASE WHEN guild_id GLOB '[0-9]*' AND guild_id NOT GLOB '*[^0-9]*' THEN (CAST(guild_id AS INTEGER) >> 22) % @count ELSE 0 END)
  IN (SELECT value FROM json_each(@ids)))`;
export type ShardParams = { count: number | null; ids: string };
export const shardParams = (shards?: ShardSet | null): ShardParams => ({ count: shards?.count ?? null, ids: JSON.stringify(shards?.ids ?? []) });

export const ACTIVE_STATES: readonly SessionState[] = ['planned', 'running', 'paused'];

export class SessionStore {
  private readonly byId;
  private readonly byHash;
  private readonly bySeries;
  private readonly insert;
  private readonly active;
  private readonly byOccurrence;
  private readonly inChannel;
  private readonly setStateStmt;
  private readonly recent;
  private readonly finished;
  private readonly collectingHere;
  private readonly moveStmt;
  private readonly recapClaim;
  private readonly recapDone;
  private readonly recapDue;

  constructor(db: Db, private readonly clock: Clock) {
    this.active = db.prepare<ShardParams, SessionRow>(`SELECT * FROM sessions WHERE state IN ('planned', 'running', 'paused') AND ${SHARDS} ORDER BY starts_at, id`);
    this.byOccurrence = db.prepare<[number, string], SessionRow>("SELECT * FROM sessions WHERE series_id = ? AND starts_at = ? AND source = 'live'");
    this.inChannel = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE channel_id = ? AND source = 'live' ORDER BY starts_at DESC, id DESC");
    this.recent = db.prepare<ShardParams & { since: string }, SessionRow>(
      `SELECT * FROM sessions WHERE source = 'live' AND (state IN ('running', 'paused') OR (state = 'ended' AND ended_at >= @since)) AND ${SHARDS} ORDER BY starts_at, id`,
    );
    this.recapClaim = db.prepare<{ id: number; owner: string; leaseUntil: string; now: string }, SessionRow>(
      `UPDATE sessions SET recap_claimed_by = @owner, recap_lease_until = @leaseUntil
       WHERE id = @id AND recap_posted_at IS NULL
         AND (recap_claimed_by IS NULL OR recap_claimed_by = @owner OR recap_lease_until IS NULL OR recap_lease_until <= @now)
       RETURNING *`,
    );
    this.recapDue = db.prepare<ShardParams & { since: string; now: string }, SessionRow>(
      `SELECT * FROM sessions WHERE source = 'live' AND state = 'ended' AND ended_at >= @since AND recap_posted_at IS NULL
         AND (recap_claimed_by IS NULL OR recap_lease_until IS NULL OR recap_lease_until <= @now) AND ${SHARDS}
       ORDER BY ended_at, id`,
    );
    this.recapDone = db.prepare<{ id: number; owner: string; messageId: string; at: string }>(
      'UPDATE sessions SET recap_posted_at = @at, recap_message_id = @messageId WHERE id = @id AND recap_claimed_by = @owner AND recap_posted_at IS NULL',
    );
    this.collectingHere = db.prepare<[string, string], SessionRow>(
      `SELECT * FROM sessions WHERE channel_id = ? AND source = 'live'
         AND (state IN ('running', 'paused') OR (state = 'ended' AND ended_at >= ?))
       ORDER BY state = 'ended', starts_at DESC, id DESC LIMIT 1`,
    );
    this.finished = db.prepare<[], SessionRow>("SELECT * FROM sessions WHERE state IN ('ended', 'archived') ORDER BY starts_at DESC, id DESC LIMIT 1");
    this.setStateStmt = db.prepare<{ id: number; state: SessionState; endedAt: string | null; pausedAt: string | null }>(
      'UPDATE sessions SET state = @state, ended_at = @endedAt, paused_at = @pausedAt WHERE id = @id',
    );
    this.moveStmt = db.prepare<[string, number | null, number]>('UPDATE sessions SET starts_at = ?, question_set_id = ? WHERE id = ?');
    this.byId = db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE id = ?');
    this.byHash = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE source_hash = ?');
    this.bySeries = db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE series_id = ? ORDER BY starts_at');
    this.insert = db.prepare<[number, number | null, SessionState, string, string | null, string, string | null, string | null, string | null, string, string | null, number], SessionRow>(
      `INSERT INTO sessions (series_id, question_set_id, state, starts_at, ended_at, source, source_hash, source_name, format, created_at, channel_id, guild_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT guild_id FROM series WHERE id = ?)) RETURNING *`,
    );
  }

  get(id: number): Session | null {
    const row = this.byId.get(id);
    return row ? toSession(row) : null;
  }

  findBySourceHash(hash: string): Session | null {
    const row = this.byHash.get(hash);
    return row ? toSession(row) : null;
  }

  listBySeries(seriesId: number): Session[] {
    return this.bySeries.all(seriesId).map(toSession);
  }

  create(s: NewSession): Session {
    return toSession(this.insert.get(
      s.seriesId, s.questionSetId, s.state, s.startsAt.toISOString(), s.endedAt?.toISOString() ?? null,
      s.source, s.sourceHash ?? null, s.sourceName ?? null, s.format ?? null, this.clock.now().toISOString(), s.channelId ?? null, s.seriesId,
    )!);
  }

  /** Sessions not over yet (planned, running or paused), soonest first. */
  listActive(shards?: ShardSet | null): Session[] {
    return this.active.all(shardParams(shards)).map(toSession);
  }

  /** The session that finished most recently (by start), live or imported. */
  latestFinished(): Session | null {
    const row = this.finished.get();
    return row ? toSession(row) : null;
  }

  /** The session a channel's messages go to: running or paused, else one ended since `endedSince`. */
  collectingIn(channelId: string, endedSince: Date): Session | null {
    const row = this.collectingHere.get(channelId, endedSince.toISOString());
    return row ? toSession(row) : null;
  }

  /** Live sessions that collect messages: running, paused, or ended since `endedSince`. */
  listCollecting(endedSince: Date, shards?: ShardSet | null): Session[] {
    return this.recent.all({ since: endedSince.toISOString(), ...shardParams(shards) }).map(toSession);
  }

  findOccurrence(seriesId: number, startsAt: Date): Session | null {
    const row = this.byOccurrence.get(seriesId, startsAt.toISOString());
    return row ? toSession(row) : null;
  }

  /** Live sessions of a channel, newest first. */
  listInChannel(channelId: string): Session[] {
    return this.inChannel.all(channelId).map(toSession);
  }

  /** A planned session re-planned: its start (its occurrence) and question set. */
  replan(id: number, startsAt: Date, questionSetId: number | null): Session {
    this.moveStmt.run(startsAt.toISOString(), questionSetId, id);
    return this.get(id)!;
  }

  setState(id: number, state: SessionState, { endedAt = null, pausedAt = null }: { endedAt?: Date | null; pausedAt?: Date | null } = {}): Session {
    this.setStateStmt.run({ id, state, endedAt: endedAt?.toISOString() ?? null, pausedAt: pausedAt?.toISOString() ?? null });
    return this.get(id)!;
  }

  claimRecap(id: number, owner: string, leaseUntil: Date, now: Date): Session | null {
    const row = this.recapClaim.get({ id, owner, leaseUntil: leaseUntil.toISOString(), now: now.toISOString() });
    return row ? toSession(row) : null;
  }

  recapsDue(endedSince: Date, now: Date, shards?: ShardSet | null): Session[] {
    return this.recapDue.all({ since: endedSince.toISOString(), now: now.toISOString(), ...shardParams(shards) }).map(toSession);
  }

  recapPosted(id: number, owner: string, messageId: string, at: Date): boolean {
    return this.recapDone.run({ id, owner, messageId, at: at.toISOString() }).changes > 0;
  }
}
