import type { Db } from './db.ts';

/** One moderator control, as logged: who did what to which session, and when. */
export interface ControlEntry {
  id: number;
  sessionId: number;
  action: string;
  actor: string;
  at: Date;
  details: Record<string, unknown>;
}

interface ControlRow {
  id: number;
  session_id: number;
  action: string;
  actor: string;
  at: string;
  details: string;
}

export function toControlEntry(row: ControlRow): ControlEntry {
  return { id: row.id, sessionId: row.session_id, action: row.action, actor: row.actor, at: new Date(row.at), details: JSON.parse(row.details) as Record<string, unknown> };
}

export class ControlLogStore {
  private readonly insert;
  private readonly bySession;

  constructor(db: Db) {
    this.insert = db.prepare<[number, string, string, string, string], ControlRow>(
      'INSERT INTO control_log (session_id, action, actor, at, details) VALUES (?, ?, ?, ?, ?) RETURNING *',
    );
    this.bySession = db.prepare<[number], ControlRow>('SELECT * FROM control_log WHERE session_id = ? ORDER BY at, id');
  }

  record(sessionId: number, action: string, actor: string, at: Date, details: Record<string, unknown> = {}): ControlEntry {
    return toControlEntry(this.insert.get(sessionId, action, actor, at.toISOString(), JSON.stringify(details))!);
  }

  list(sessionId: number): ControlEntry[] {
    return this.bySession.all(sessionId).map(toControlEntry);
  }
}
