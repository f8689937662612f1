/** Live messages look up their channel's session: index it (as SQLite's 003). */
export const up = /* sql */ `
CREATE INDEX sessions_channel ON sessions (channel_id, state, starts_at);
`;
