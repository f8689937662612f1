/**
 * A session's Scheduled Event (table session_events, migration 010): which guild event
 * announces the session, the marker written before the create request, and what the event
 * was last given. The SQLite statements; the PostgreSQL ones are in postgres/scheduled-events.ts.
 */
import type { Db } from './db.ts';

/**
 * 'creating': the marker is written and the create request may be out (outcome unknown until
 * the event id is recorded). 'unavailable': the event could not be made (no permission, the
 * guild's event limit) and the session runs without it; `detail` says why.
 */
export type SessionEventState = 'creating' | 'scheduled' | 'active' | 'completed' | 'canceled' | 'unavailable';

export interface SessionEvent {
  sessionId: number;
  guildId: string;
  marker: string;
  eventId: string | null;
  state: SessionEventState;
  /** The start and end the event was last given. */
  startsAt: Date | null;
  endsAt: Date | null;
  /** The event's "Interested" count read when the session started, and when it closed. */
  interestedAtStart: number | null;
  interestedAtClose: number | null;
  detail: string | null;
  updatedAt: Date;
}

/** What may change on a session's event record. */
export interface SessionEventChange {
  eventId?: string;
  state?: SessionEventState;
  startsAt?: Date | null;
  endsAt?: Date | null;
  interestedAtStart?: number;
  interestedAtClose?: number;
  detail?: string | null;
}

export interface ScheduledEventRepository {
  get(sessionId: number): Promise<SessionEvent | null>;
  /**
   * Written before the create request: the session's record in state 'creating' with this
   * marker. A session has one record: if it has one already, that one is returned unchanged.
   */
  begin(sessionId: number, guildId: string, marker: string, at: Date): Promise<SessionEvent>;
  /** Changes the fields given (and updated_at); null when the session has no record. */
  update(sessionId: number, change: SessionEventChange, at: Date): Promise<SessionEvent | null>;
  /** Records not finished ('creating', 'scheduled', 'active'), by session id. */
  listOpen(): Promise<SessionEvent[]>;
}

export interface SessionEventRow {
  session_id: number | string;
  guild_id: string;
  marker: string;
  event_id: string | null;
  state: SessionEventState;
  starts_at: string | Date | null;
  ends_at: string | Date | null;
  interested_at_start: number | null;
  interested_at_close: number | null;
  detail: string | null;
  updated_at: string | Date;
}

const date = (v: string | Date | null): Date | null => (v === null ? null : new Date(v));

export function toSessionEvent(row: SessionEventRow): SessionEvent {
  return {
    sessionId: Number(row.session_id),
    guildId: row.guild_id,
    marker: row.marker,
    eventId: row.event_id,
    state: row.state,
    startsAt: date(row.starts_at),
    endsAt: date(row.ends_at),
    interestedAtStart: row.interested_at_start,
    interestedAtClose: row.interested_at_close,
    detail: row.detail,
    updatedAt: new Date(row.updated_at),
  };
}

/** The columns a change sets, in a fixed order, with their values (`toDb` turns dates into the dialect's value). */
export function changeColumns<T>(change: SessionEventChange, toDb: (d: Date) => T): [string, unknown][] {
  const cols: [string, unknown][] = [];
  if (change.eventId !== undefined) cols.push(['event_id', change.eventId]);
  if (change.state !== undefined) cols.push(['state', change.state]);
  if (change.startsAt !== undefined) cols.push(['starts_at', change.startsAt && toDb(change.startsAt)]);
  if (change.endsAt !== undefined) cols.push(['ends_at', change.endsAt && toDb(change.endsAt)]);
  if (change.interestedAtStart !== undefined) cols.push(['interested_at_start', change.interestedAtStart]);
  if (change.interestedAtClose !== undefined) cols.push(['interested_at_close', change.interestedAtClose]);
  if (change.detail !== undefined) cols.push(['detail', change.detail]);
  return cols;
}

export class ScheduledEventStore {
  private readonly byId;
  private readonly insert;
  private readonly open;

  constructor(private readonly db: Db) {
    this.byId = db.prepare<[number], SessionEventRow>('SELECT * FROM session_events WHERE session_id = ?');
    this.insert = db.prepare<[number, string, string, string]>(
      "INSERT INTO session_events (session_id, guild_id, marker, state, updated_at) VALUES (?, ?, ?, 'creating', ?) ON CONFLICT (session_id) DO NOTHING",
    );
    this.open = db.prepare<[], SessionEventRow>("SELECT * FROM session_events WHERE state IN ('creating', 'scheduled', 'active') ORDER BY session_id");
  }

  get(sessionId: number): SessionEvent | null {
    const row = this.byId.get(sessionId);
    return row ? toSessionEvent(row) : null;
  }

  begin(sessionId: number, guildId: string, marker: string, at: Date): SessionEvent {
    this.insert.run(sessionId, guildId, marker, at.toISOString());
    return this.get(sessionId)!;
  }

  update(sessionId: number, change: SessionEventChange, at: Date): SessionEvent | null {
    const cols = [...changeColumns(change, (d) => d.toISOString()), ['updated_at', at.toISOString()] as [string, unknown]];
    this.db.prepare(`UPDATE session_events SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE session_id = ?`).run(...cols.map(([, v]) => v), sessionId);
    return this.get(sessionId);
  }

  listOpen(): SessionEvent[] {
    return this.open.all().map(toSessionEvent);
  }
}
