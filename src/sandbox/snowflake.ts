import type { Clock } from '../domain/clock.ts';
import { onShard } from './sharding.ts';

/** Discord's epoch (2015-01-01T00:00:00Z) in ms. */
export const DISCORD_EPOCH = 1420070400000n;

/**
 * Snowflake ids drawn from an injected clock: ((ms - epoch) << 22) | increment, as a
 * decimal string. Ids are strictly increasing even when the clock stands still or
 * goes back (the increment then carries on from the last id).
 */
export class Snowflakes {
  private last = 0n;
  private increment = 0n;

  constructor(private readonly clock: Clock) {}

  next(): string {
    const ms = BigInt(this.clock.now().getTime());
    const since = ms > DISCORD_EPOCH ? ms - DISCORD_EPOCH : 0n;
    this.increment = (this.increment + 1n) & 0xfffn;
    let id = (since << 22n) | this.increment;
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }

  /** The next id that lands on shard `shard` of `count` (its timestamp moved forward a few ms at most). */
  nextOnShard(shard: number, count: number): string {
    const id = onShard(this.next(), shard, count);
    this.last = BigInt(id);
    return id;
  }
}

/** The ms timestamp encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Compares two snowflakes numerically. */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
