import { describe, expect, it } from 'vitest';
import { DISCORD_REQUESTS_PER_SECOND, RequestPacer } from '../../src/discord/pacer.ts';

describe('RequestPacer: the bot paces its requests below Discord\'s global limit', () => {
  it('spaces grants evenly (no burst), best rank first', async () => {
    const pacer = new RequestPacer(100); // one every 10 ms
    const grants: { name: string; at: number }[] = [];
    const take = (rank: 0 | 1 | 2, name: string) => pacer.take(rank).then(() => grants.push({ name, at: performance.now() }));
    const all = [take(1, 'first')];
    for (let i = 0; i < 10; i++) all.push(take(2, `heads-up ${i}`));
    all.push(take(1, 'welcome'), take(0, 'question'));
    await Promise.all(all);
    expect(grants.map((g) => g.name).slice(0, 4)).toEqual(['first', 'question', 'welcome', 'heads-up 0']);
    // 13 grants on a 10 ms grid: never two within one gap less a timer's slack, at most one window's worth a second.
    const span = grants.at(-1)!.at - grants[0]!.at;
    expect(span).toBeGreaterThanOrEqual(12 * 10 - 2);
    for (let i = 1; i < grants.length; i++) expect(grants[i]!.at - grants[0]!.at).toBeGreaterThanOrEqual(i * 10 - 2);
  });

  it('keeps under Discord\'s 50 requests a second', () => {
    expect(DISCORD_REQUESTS_PER_SECOND).toBeLessThan(50);
    expect(() => new RequestPacer(0)).toThrow('perSecond must be above 0');
  });
});
