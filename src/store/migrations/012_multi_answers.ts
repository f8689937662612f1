/**
 * A message may answer several questions (issue 17: "A2/A3: …" is one answer to each), so
 * answers are keyed by message and question, no longer by message alone. SQLite cannot drop
 * a primary key, so the table is rebuilt: same columns and rows, the rowid as its key, one
 * row per (message, question or takeaway) by a unique index. Nothing references answers.
 */
export const up = /* sql */ `
CREATE TABLE answers_v12 (
  message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  question    INTEGER,                    -- NULL for takeaways
  takeaway    INTEGER NOT NULL DEFAULT 0,
  via         TEXT NOT NULL CHECK (via IN ('label', 'quote', 'reply', 'thread', 'inferred', 'button', 'command', 'correction')),
  label       TEXT,
  text        TEXT NOT NULL,              -- the answer's content (the quoted tweet for via 'quote')
  CHECK ((question IS NULL) = (takeaway = 1))
);
INSERT INTO answers_v12 (message_id, session_id, question, takeaway, via, label, text)
  SELECT message_id, session_id, question, takeaway, via, label, text FROM answers;
DROP TABLE answers;
ALTER TABLE answers_v12 RENAME TO answers;
CREATE INDEX answers_session ON answers (session_id, question);
CREATE UNIQUE INDEX answers_message_target ON answers (message_id, ifnull(question, 0));
`;
