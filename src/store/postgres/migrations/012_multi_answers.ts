/** As SQLite's 012: answers keyed by (message, question), so a message may answer several questions (issue 17). */
export const up = /* sql */ `
ALTER TABLE answers DROP CONSTRAINT answers_pkey;
CREATE UNIQUE INDEX answers_message_target ON answers (message_id, (coalesce(question, 0)));
`;
