/**
 * Several processes on one database (issue 12): a session knows its guild (filled from its
 * series), so a process can pick the sessions of its own shards; a prompt carries the claim
 * of the process posting it (who, and until when: a lease), so that two processes never
 * both post it; a session's recap is claimed the same way and records its post.
 */
export const up = /* sql */ `
ALTER TABLE sessions ADD COLUMN guild_id TEXT;
UPDATE sessions SET guild_id = (SELECT guild_id FROM series WHERE series.id = sessions.series_id);
ALTER TABLE sessions ADD COLUMN recap_claimed_by TEXT;
ALTER TABLE sessions ADD COLUMN recap_lease_until TEXT;
ALTER TABLE sessions ADD COLUMN recap_posted_at TEXT;
ALTER TABLE sessions ADD COLUMN recap_message_id TEXT;
CREATE INDEX sessions_guild_active ON sessions (guild_id) WHERE state IN ('planned', 'running', 'paused');

ALTER TABLE prompts ADD COLUMN claimed_by TEXT;
ALTER TABLE prompts ADD COLUMN lease_until TEXT;
`;
