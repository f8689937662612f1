/**
 * Sharding as Discord does it (https://discord.com/developers/docs/events/gateway#sharding):
 * a guild belongs to shard `(guild_id >> 22) % num_shards`; DMs go to shard 0. An IDENTIFY
 * carries `shard: [shard_id, num_shards]`; the session then gets READY and GUILD_CREATE for its
 * shard's guilds only, and only their events. Discord closes a bad shard with 4010 Invalid shard,
 * and with 4011 Sharding required when a shard would hold more guilds than it allows (2,500 per
 * shard is the documented point where sharding becomes required).
 */

/** Discord: "Sharding is required for apps in 2,500 or more guilds" (per shard from then on). */
export const DISCORD_MAX_GUILDS_PER_SHARD = 2_500;
/** What GET /gateway/bot recommends: Discord suggests about one shard per 1,000 guilds. */
export const DISCORD_GUILDS_PER_RECOMMENDED_SHARD = 1_000;

export interface ShardingOptions {
  /** `shards` of GET /gateway/bot; default one per 1,000 guilds (at least 1). */
  recommendedShards?: number;
  /** An IDENTIFY whose shard would hold more guilds is closed with 4011 (default 2,500). */
  maxGuildsPerShard?: number;
  /**
   * `session_start_limit.max_concurrency` of GET /gateway/bot: how many shards may identify
   * in each 5 s (Discord: 1 for most bots; discord.js waits 5 s between identifies of the same
   * `shard_id % max_concurrency`). Tests of several shards in one client may raise it.
   */
  maxConcurrency?: number;
  /** `session_start_limit.total` (default 1,000 identifies per 24 h, as Discord gives most bots). */
  sessionStartTotal?: number;
}

/** The shard a guild's events go to. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * A snowflake like `id` (the same increment bits) whose timestamp is moved forward by the least
 * number of ms that puts it on shard `shard` of `count`.
 */
export function onShard(id: string, shard: number, count: number): string {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a whole number >= 1, got ${count}`);
  if (!Number.isInteger(shard) || shard < 0 || shard >= count) throw new RangeError(`shard must be in 0..${count - 1}, got ${shard}`);
  const value = BigInt(id);
  const time = value >> 22n;
  const n = BigInt(count);
  const delta = (BigInt(shard) - (time % n) + n) % n;
  return (((time + delta) << 22n) | (value & 0x3fffffn)).toString();
}

/** Why an IDENTIFY's shard is refused: the close code and reason Discord sends, or null when it is fine. */
export function refuseShard(
  raw: unknown,
  liveCounts: number[],
  guildIds: string[],
  maxGuildsPerShard: number,
): { code: 4010 | 4011; reason: string } | null {
  const shard = raw === undefined ? [0, 1] : raw;
  const [id, count] = Array.isArray(shard) && shard.length === 2 ? shard : [NaN, NaN];
  if (!Number.isInteger(id) || !Number.isInteger(count) || count < 1 || id < 0 || id >= count) {
    return { code: 4010, reason: 'Invalid shard.' };
  }
  if (liveCounts.some((live) => live !== count)) return { code: 4010, reason: 'Invalid shard.' };
  const held = guildIds.filter((guildId) => shardOf(guildId, count) === id).length;
  if (held > maxGuildsPerShard) return { code: 4011, reason: 'Sharding required.' };
  return null;
}

/** The guild an event belongs to (GUILD_CREATE/UPDATE/DELETE carry it as `id`), if any. */
export function eventGuild(t: string, d: unknown): string | undefined {
  if (!d || typeof d !== 'object') return undefined;
  const data = d as { id?: unknown; guild_id?: unknown };
  const id = t === 'GUILD_CREATE' || t === 'GUILD_UPDATE' || t === 'GUILD_DELETE' ? data.id : data.guild_id;
  return typeof id === 'string' ? id : undefined;
}

/** Does a session of `shard` receive an event of `guildId` (undefined: not a guild's, so shard 0)? */
export function receives(shard: [number, number], guildId: string | undefined): boolean {
  return guildId === undefined ? shard[0] === 0 : shardOf(guildId, shard[1]) === shard[0];
}

/** The body of GET /gateway/bot. */
export function gatewayBot(url: string, guildCount: number, options: ShardingOptions, identifies: { used: number; resetAfterMs: number }) {
  const total = options.sessionStartTotal ?? 1_000;
  return {
    url,
    shards: options.recommendedShards ?? Math.max(1, Math.ceil(guildCount / DISCORD_GUILDS_PER_RECOMMENDED_SHARD)),
    session_start_limit: {
      total,
      remaining: Math.max(0, total - identifies.used),
      reset_after: identifies.resetAfterMs,
      max_concurrency: options.maxConcurrency ?? 1,
    },
  };
}
