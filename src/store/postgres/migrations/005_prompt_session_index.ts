/** Prompts by session, for the per-message read of a session's posts (as SQLite's 005). */
export const up = /* sql */ `
CREATE INDEX prompts_session ON prompts (session_id, planned_at);
`;
