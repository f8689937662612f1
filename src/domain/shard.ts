/**
 * Which process runs which guild (issue 12). Discord assigns a guild to a shard by
 * `shard_id = (guild_id >> 22) % shard_count`; a process that runs some shards of a fixed
 * count owns the guilds of those shards, and runs the engine, the planner and the backfill
 * only for them. No shard set: the process owns every guild (one process, the default).
 * A guild id that is not a snowflake (tests, imported chats without a guild) is on shard 0,
 * where Discord puts direct messages. The stores compute the same formula in SQL.
 */

/** The shards this process runs, of a fixed count. */
export interface ShardSet {
  count: number;
  ids: readonly number[];
}

/** The shard of a guild: `(guild_id >> 22) % count`. */
export function shardOf(guildId: string | null, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count: ${count} is not a whole number of at least 1`);
  if (guildId === null || !/^\d+$/.test(guildId)) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** Whether a process with these shards (undefined or null: every guild) runs this guild. */
export function ownsGuild(shards: ShardSet | null | undefined, guildId: string | null): boolean {
  if (!shards) return true;
  return shards.ids.includes(shardOf(guildId, shards.count));
}

/** A checked shard set: ids are distinct whole numbers below count. */
export function shardSet(count: number, ids: readonly number[]): ShardSet {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shard count: ${count} is not a whole number of at least 1`);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= count) throw new Error(`shards: ${id} is not a shard of ${count} (0 to ${count - 1})`);
  }
  return { count, ids: [...new Set(ids)].sort((a, b) => a - b) };
}
