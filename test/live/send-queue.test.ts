import { describe, expect, it } from 'vitest';
import { SendQueue, sendRank, turnRank } from '../../src/live/send-queue.ts';

const at = (ms: number) => new Date(ms);

describe('SendQueue: who posts next when many sessions are due at once', () => {
  it('serves questions first, heads-ups and previews last, and guilds in turn within a rank', async () => {
    const queue = new SendQueue(() => 0, 1);
    const held = await queue.acquire(1, 'g0');
    const order: string[] = [];
    const wait = (rank: 0 | 1 | 2, guild: string, name: string) => queue.acquire(rank, guild).then((release) => {
      order.push(name);
      release();
    });
    const all = [
      wait(1, 'g1', 'g1 welcome a'), wait(1, 'g1', 'g1 welcome b'), wait(1, 'g1', 'g1 welcome c'),
      wait(2, 'g3', 'g3 heads-up'), wait(1, 'g2', 'g2 welcome'), wait(0, 'g4', 'g4 question'),
    ];
    expect(queue.size()).toBe(6);
    held();
    await Promise.all(all);
    // g1's backlog does not hold g2 up: g2 comes second, not fourth.
    expect(order).toEqual(['g4 question', 'g1 welcome a', 'g2 welcome', 'g1 welcome b', 'g1 welcome c', 'g3 heads-up']);
    expect(queue.size()).toBe(0);
  });

  it('moves a waiter up when its better prompt falls due, and keeps at most `slots` out', async () => {
    let now = 0;
    const queue = new SendQueue(() => now, 2);
    const a = await queue.acquire(1, 'g0');
    const b = await queue.acquire(1, 'g0');
    const order: string[] = [];
    const wait = (rank: 0 | 1 | 2, guild: string, later: { at: number; rank: 0 | 1 | 2 } | null, name: string) =>
      queue.acquire(rank, guild, later).then((release) => {
        order.push(name);
        return release;
      });
    const headsUp = wait(2, 'g1', { at: 30_000, rank: 0 }, 'g1 heads-up, its question due at 30 s');
    const welcome = wait(1, 'g2', null, 'g2 welcome');
    now = 30_000;
    a();
    const first = await headsUp;
    expect(order).toEqual(['g1 heads-up, its question due at 30 s']);
    b();
    await welcome;
    expect(order).toEqual(['g1 heads-up, its question due at 30 s', 'g2 welcome']);
    first();
    first(); // giving a slot back twice gives back one
    expect(queue.size()).toBe(0);
  });

  it('ranks a session by the best prompt it has due, rising when a better one falls due', () => {
    expect([sendRank('question'), sendRank('welcome'), sendRank('close'), sendRank('heads_up'), sendRank('preview')]).toEqual([0, 1, 1, 2, 2]);
    const headsUp = { kind: 'heads_up' as const, plannedAt: at(15_000) };
    const question = { kind: 'question' as const, plannedAt: at(30_000) };
    expect(turnRank([headsUp, question], at(20_000))).toEqual([2, { at: 30_000, rank: 0 }]);
    expect(turnRank([headsUp, question], at(30_000))).toEqual([0, null]);
    expect(turnRank([{ kind: 'welcome', plannedAt: at(0) }, headsUp], at(0))).toEqual([1, null]);
  });
});
