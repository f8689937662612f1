/**
 * Answers that no label carries (issue 14): given through the Answer button and its modal
 * ('button'), with `/chat answer` ('command'), or set by a moderator's correction
 * ('correction'). SQLite cannot alter a CHECK constraint, so the table is rebuilt: same
 * columns, rows and index, the constraint widened. Nothing references answers.
 */
export const up = /* sql */ `
CREATE TABLE answers_v9 (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  question    INTEGER,                    -- NULL for takeaways
  takeaway    INTEGER NOT NULL DEFAULT 0,
  via         TEXT NOT NULL CHECK (via IN ('label', 'quote', 'reply', 'thread', 'inferred', 'button', 'command', 'correction')),
  label       TEXT,
  text        TEXT NOT NULL,              -- the answer's content (the quoted tweet for via 'quote')
  CHECK ((question IS NULL) = (takeaway = 1))
);
INSERT INTO answers_v9 (message_id, session_id, question, takeaway, via, label, text)
  SELECT message_id, session_id, question, takeaway, via, label, text FROM answers;
DROP TABLE answers;
ALTER TABLE answers_v9 RENAME TO answers;
CREATE INDEX answers_session ON answers (session_id, question);
`;
