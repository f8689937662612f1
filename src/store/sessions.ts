import type { Clock } from '../domain/clock.ts';
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
  };
}

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

  constructor(db: Db, private readonly clock: Clock) {
    this.active = db.prepare<[], SessionRow>("SELECT * FROM sessions WHERE state IN ('planned', 'running', 'paused') ORDER BY starts_at, id");
    this.byOccurrence = db.prepare<[number, string], SessionRow>("SELECT * FROM sessions WHERE series_id = ? AND starts_at = ? AND source = 'live'");
    this.inChannel = db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE channel_id = ? AND source = 'live' ORDER BY starts_at DESC, id DESC");
    this.recent = db.prepare<[string], SessionRow>(
      "SELECT * FROM sessions WHERE source = 'live' AND (state IN ('running', 'paused') OR (state = 'ended' AND ended_at >= ?)) ORDER BY starts_at, id",
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
    this.insert = db.prepare<[number, number | null, SessionState, string, string | null, string, string | null, string | null, string | null, string, string | null], SessionRow>(
      `INSERT INTO sessions (series_id, question_set_id, state, starts_at, ended_at, source, source_hash, source_name, format, created_at, channel_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
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
      s.source, s.sourceHash ?? null, s.sourceName ?? null, s.format ?? null, this.clock.now().toISOString(), s.channelId ?? null,
    )!);
  }

  /** Sessions not over yet (planned, running or paused), soonest first. */
  listActive(): Session[] {
    return this.active.all().map(toSession);
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
  listCollecting(endedSince: Date): Session[] {
    return this.recent.all(endedSince.toISOString()).map(toSession);
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
}
