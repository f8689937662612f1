/** As SQLite's 009: answers.via also takes 'button', 'command' and 'correction' (issue 14). */
export const up = /* sql */ `
ALTER TABLE answers DROP CONSTRAINT answers_via_check;
ALTER TABLE answers ADD CONSTRAINT answers_via_check
  CHECK (via IN ('label', 'quote', 'reply', 'thread', 'inferred', 'button', 'command', 'correction'));
`;
