/**
 * Sessions know their guild (filled from the series); prompt and recap claims with a lease
 * (the schema of SQLite's 006, in one ALTER per table).
 */
export const up = /* sql */ `
ALTER TABLE sessions
  ADD COLUMN guild_id text, ADD COLUMN recap_claimed_by text, ADD COLUMN recap_lease_until timestamptz,
  ADD COLUMN recap_posted_at timestamptz, ADD COLUMN recap_message_id text;
UPDATE sessions SET guild_id = series.guild_id FROM series WHERE series.id = sessions.series_id;
CREATE INDEX sessions_guild_active ON sessions (guild_id) WHERE state IN ('planned', 'running', 'paused');
ALTER TABLE prompts ADD COLUMN claimed_by text, ADD COLUMN lease_until timestamptz;
`;
