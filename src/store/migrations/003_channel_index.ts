/** Live messages look up their channel's session: index it. */
export const up = /* sql */ `
CREATE INDEX sessions_channel ON sessions (channel_id, state, starts_at);
`;
