/**
 * A Scheduled Event per session (issue 14): the guild event that announces a session, one per
 * session. The marker is written before the create request is sent (state 'creating', no
 * event id yet): a process that dies before recording the answer leaves it so, and the next
 * one finds the event by its marker instead of creating another. starts_at and ends_at are
 * what the event was last given; interested_* the "Interested" count read at start and close.
 */
export const up = /* sql */ `
CREATE TABLE session_events (
  session_id          INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  guild_id            TEXT NOT NULL,
  marker              TEXT NOT NULL UNIQUE,
  event_id            TEXT,
  state               TEXT NOT NULL CHECK (state IN ('creating', 'scheduled', 'active', 'completed', 'canceled', 'unavailable')),
  starts_at           TEXT,
  ends_at             TEXT,
  interested_at_start INTEGER,
  interested_at_close INTEGER,
  detail              TEXT,
  updated_at          TEXT NOT NULL
);
CREATE INDEX session_events_open ON session_events (state) WHERE state IN ('creating', 'scheduled', 'active');
`;
