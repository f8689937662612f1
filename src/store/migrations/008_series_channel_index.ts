/**
 * A channel's series is looked up by guild and channel (SeriesRepository.getByChannel, and
 * saveForChannel before every save): the unique index series_place is on ifnull(guild_id, '')
 * and so does not serve `guild_id = ? AND channel_id = ?`, and each lookup read every series
 * (setting up 10,000 series took time growing with the square of their number). Index it.
 */
export const up = /* sql */ `
CREATE INDEX series_channel ON series (guild_id, channel_id);
`;
