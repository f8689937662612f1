/**
 * Live ingest reads a session's prompts before attributing each message (the posts it
 * learns from), and the engine lists them per session: index prompts by session, so that
 * the read does not scan every prompt of every session ever planned.
 */
export const up = /* sql */ `
CREATE INDEX prompts_session ON prompts (session_id, planned_at);
`;
