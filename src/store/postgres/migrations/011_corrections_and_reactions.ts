/** As SQLite's 011: moderator corrections, and reactions one row per (message, emoji, user, burst). */
export const up = /* sql */ `
CREATE TABLE corrections (
  message_id  bigint PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  session_id  bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('question', 'takeaway', 'none')),
  question    integer,
  actor       text NOT NULL,
  at          timestamptz NOT NULL,
  CHECK ((question IS NULL) = (kind <> 'question'))
);
CREATE INDEX corrections_session ON corrections (session_id);

CREATE TABLE reactions (
  message_id  bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji       text NOT NULL,
  user_id     text NOT NULL,
  burst       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (message_id, emoji, user_id, burst)
);
`;
