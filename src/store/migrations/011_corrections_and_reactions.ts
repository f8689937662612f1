/**
 * Moderator corrections and reactions (issue 14).
 *
 * corrections: a moderator's word on what a message is, one row per message (the latest
 * wins; the control log keeps every one): an answer to a question (kind 'question' with its
 * number), a takeaway, or not an answer ('none'). The ingest consults it when a message is
 * edited, so that an edit never re-attributes a corrected message.
 *
 * reactions: who reacted with what, one row per (message, emoji, user, burst) as Discord
 * keys a reaction. A count is a count of rows, so a repeated add (a gateway replay), a
 * remove of an add never seen, or a remove-all after a restart all leave it right.
 */
export const up = /* sql */ `
CREATE TABLE corrections (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('question', 'takeaway', 'none')),
  question    INTEGER,
  actor       TEXT NOT NULL,
  at          TEXT NOT NULL,
  CHECK ((question IS NULL) = (kind <> 'question'))
);
CREATE INDEX corrections_session ON corrections (session_id);

CREATE TABLE reactions (
  message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji       TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  burst       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (message_id, emoji, user_id, burst)
) WITHOUT ROWID;
`;
