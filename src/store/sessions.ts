import type { Clock } from '../core/clock.ts';
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
  };
}

export class SessionStore {
  private readonly byId;
  private readonly byHash;
  private readonly bySeries;
  private readonly insert;

  constructor(db: Db, private readonly clock: Clock) {
    this.byId = db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE id = ?');
    this.byHash = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE source_hash = ?');
    this.bySeries = db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE series_id = ? ORDER BY starts_at');
    this.insert = db.prepare<[number, number | null, SessionState, string, string | null, string, string | null, string | null, string | null, string], SessionRow>(
      `INSERT INTO sessions (series_id, question_set_id, state, starts_at, ended_at, source, source_hash, source_name, format, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
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
      s.source, s.sourceHash ?? null, s.sourceName ?? null, s.format ?? null, this.clock.now().toISOString(),
    )!);
  }
}
