import { describe, expect, it } from 'vitest';
import { ownsGuild, shardOf, shardSet } from '../../src/domain/shard.ts';

describe('shards: which process runs which guild', () => {
  it("is Discord's formula, (guild_id >> 22) % shard_count, exact on 64-bit ids", () => {
    // 81384788765712384 (Discord's API server): id >> 22 = 19403645698 (worked out apart, in Python).
    expect(shardOf('81384788765712384', 1)).toBe(0);
    expect(shardOf('81384788765712384', 2)).toBe(0);
    expect(shardOf('81384788765712384', 16)).toBe(2);
    expect(shardOf('81384788765712384', 3)).toBe(19403645698 % 3);
    // The largest snowflake: beyond 2^53, where Number would round ((2^63 - 1) >> 22 = 2199023255551).
    expect(shardOf('9223372036854775807', 1000)).toBe(551);
    expect(shardOf(String(5n << 22n), 4)).toBe(1);
  });

  it('puts guilds that are not snowflakes (and no guild) on shard 0', () => {
    expect(shardOf(null, 4)).toBe(0);
    expect(shardOf('g1', 4)).toBe(0);
    expect(shardOf('', 4)).toBe(0);
  });

  it('owns every guild without a shard set, else the guilds of its shards', () => {
    expect(ownsGuild(null, '81384788765712384')).toBe(true);
    expect(ownsGuild(undefined, null)).toBe(true);
    const odd = shardSet(2, [1]);
    expect(ownsGuild(odd, '81384788765712384')).toBe(false);
    expect(ownsGuild(odd, String((5n << 22n) | 123n))).toBe(true);
    expect(ownsGuild(odd, String(4n << 22n))).toBe(false);
    expect(ownsGuild(shardSet(4, [0, 2]), null)).toBe(true);
  });

  it('refuses a shard set that cannot be, naming the field', () => {
    expect(() => shardSet(0, [])).toThrow(/^shard count: 0 is not a whole number of at least 1$/);
    expect(() => shardSet(2, [2])).toThrow(/^shards: 2 is not a shard of 2 \(0 to 1\)$/);
    expect(() => shardOf('1', 1.5)).toThrow(/shard count/);
    expect(shardSet(4, [3, 1, 3])).toEqual({ count: 4, ids: [1, 3] });
  });
});
