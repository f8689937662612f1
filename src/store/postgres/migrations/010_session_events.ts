/** A Scheduled Event per session (as SQLite's 010). */
export const up = /* sql */ `
CREATE TABLE session_events (
  session_id          bigint PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  guild_id            text NOT NULL,
  marker              text NOT NULL UNIQUE,
  event_id            text,
  state               text NOT NULL CHECK (state IN ('creating', 'scheduled', 'active', 'completed', 'canceled', 'unavailable')),
  starts_at           timestamptz,
  ends_at             timestamptz,
  interested_at_start integer,
  interested_at_close integer,
  detail              text,
  updated_at          timestamptz NOT NULL
);
CREATE INDEX session_events_open ON session_events (state) WHERE state IN ('creating', 'scheduled', 'active');
`;
