/** A channel's series by guild and channel, for getByChannel and saveForChannel (as SQLite's 008). */
export const up = /* sql */ `
CREATE INDEX series_channel ON series (guild_id, channel_id);
`;
