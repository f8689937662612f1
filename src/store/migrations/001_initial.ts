/**
 * The first schema. Times are ISO-8601 UTC strings; ids from the chat platform (Discord
 * snowflakes, or "archive:<hash>:<index>" for imported archives) are TEXT.
 */
export const up = /* sql */ `
CREATE TABLE series (
  id          INTEGER PRIMARY KEY,
  guild_id    TEXT,                       -- NULL for chats imported from archives
  channel_id  TEXT,
  tag         TEXT NOT NULL,              -- as the chat writes it, e.g. "#BadgeChat"
  tag_key     TEXT NOT NULL,              -- lower-case tag: "#badgechat" and "#BadgeChat" are one chat
  timezone    TEXT NOT NULL DEFAULT 'America/New_York',
  schedule    TEXT,                       -- cron expression; NULL when not recurring
  settings    TEXT NOT NULL DEFAULT '{}', -- JSON, validated by the series settings schema
  created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX series_place ON series (ifnull(guild_id, ''), ifnull(channel_id, ''), tag_key);

CREATE TABLE question_sets (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  source       TEXT NOT NULL CHECK (source IN ('archive', 'moderator')),
  source_hash  TEXT UNIQUE,               -- sha256 of the archive it came from
  welcome_text TEXT,
  outro_text   TEXT,
  created_at   TEXT NOT NULL
);

CREATE TABLE questions (
  id        INTEGER PRIMARY KEY,
  set_id    INTEGER NOT NULL REFERENCES question_sets (id) ON DELETE CASCADE,
  position  INTEGER NOT NULL CHECK (position >= 1),
  text      TEXT NOT NULL,
  UNIQUE (set_id, position)
);

CREATE TABLE sessions (
  id               INTEGER PRIMARY KEY,
  series_id        INTEGER NOT NULL REFERENCES series (id),
  question_set_id  INTEGER REFERENCES question_sets (id),
  state            TEXT NOT NULL CHECK (state IN ('planned', 'running', 'paused', 'ended', 'cancelled', 'archived')),
  starts_at        TEXT NOT NULL,
  ended_at         TEXT,
  source           TEXT NOT NULL CHECK (source IN ('live', 'archive')),
  source_hash      TEXT UNIQUE,           -- sha256 of the imported archive: importing twice is a no-op
  source_name      TEXT,
  format           TEXT,                  -- archive format, for imported sessions
  created_at       TEXT NOT NULL
);
CREATE INDEX sessions_series ON sessions (series_id, starts_at);

CREATE TABLE prompts (
  id               INTEGER PRIMARY KEY,
  session_id       INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  kind             TEXT NOT NULL CHECK (kind IN ('preview', 'welcome', 'guidelines', 'heads_up', 'question', 'outro', 'close')),
  question_number  INTEGER,
  planned_at       TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('planned', 'posting', 'posted', 'skipped', 'failed')),
  posted_at        TEXT,
  late             INTEGER NOT NULL DEFAULT 0,
  message_id       TEXT,
  nonce            TEXT UNIQUE,
  text             TEXT NOT NULL
);
CREATE INDEX prompts_due ON prompts (state, planned_at);

CREATE TABLE messages (
  id            INTEGER PRIMARY KEY,
  session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  platform_id   TEXT NOT NULL UNIQUE,     -- the same message seen twice is one row
  channel_id    TEXT,
  thread_id     TEXT,
  author_id     TEXT,
  author_name   TEXT,
  is_moderator  INTEGER NOT NULL DEFAULT 0,
  posted_at     TEXT,                     -- NULL when the archive gives no time
  text          TEXT NOT NULL,
  reply_to_id   TEXT,
  in_reply_to   TEXT NOT NULL DEFAULT '[]', -- JSON array of handles (archives)
  quote_author  TEXT,
  quote_text    TEXT,
  archive_index INTEGER,                  -- position in the archive, for imported sessions
  edited_at     TEXT,
  deleted_at    TEXT
);
CREATE INDEX messages_session ON messages (session_id, posted_at);

-- Earlier texts of edited messages, oldest first.
CREATE TABLE message_edits (
  id          INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  old_text    TEXT NOT NULL,
  replaced_at TEXT NOT NULL
);

-- What a message answers. One row per message; inferred rows are kept apart by "via".
CREATE TABLE answers (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  question    INTEGER,                    -- NULL for takeaways
  takeaway    INTEGER NOT NULL DEFAULT 0,
  via         TEXT NOT NULL CHECK (via IN ('label', 'quote', 'reply', 'thread', 'inferred')),
  label       TEXT,
  text        TEXT NOT NULL,              -- the answer's content (the quoted tweet for via 'quote')
  CHECK ((question IS NULL) = (takeaway = 1))
);
CREATE INDEX answers_session ON answers (session_id, question);
`;
