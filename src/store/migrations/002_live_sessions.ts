/** Live sessions: where they run, pausing, posting attempts, late messages, the control log. */
export const up = /* sql */ `
ALTER TABLE sessions ADD COLUMN channel_id TEXT;
ALTER TABLE sessions ADD COLUMN paused_at TEXT;
-- A recurring series plans each occurrence once.
CREATE UNIQUE INDEX sessions_occurrence ON sessions (series_id, starts_at) WHERE source = 'live';
CREATE INDEX sessions_active ON sessions (state) WHERE state IN ('planned', 'running', 'paused');

ALTER TABLE prompts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE prompts ADD COLUMN next_attempt_at TEXT;
ALTER TABLE prompts ADD COLUMN skip_reason TEXT;

-- Messages that arrive after the session's close are kept, flagged late.
ALTER TABLE messages ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN from_self INTEGER NOT NULL DEFAULT 0;

-- Every moderator control: who did what, when.
CREATE TABLE control_log (
  id          INTEGER PRIMARY KEY,
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  action      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  at          TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX control_log_session ON control_log (session_id, at);
`;
