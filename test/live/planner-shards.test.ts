import { describe, expect, it } from 'vitest';
import { SeriesPlanner } from '../../src/live/planner.ts';
import { openStore } from '../../src/store/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FakeTime, silentLog } from '../helpers/live.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const guildOnShard = (shard: number) => String((BigInt(9_000 + shard) << 22n) | 5n);

describe('the planner with shards (issue 12)', () => {
  it('plans only the series of guilds it owns; a second process owning the same shard plans nothing twice', async () => {
    const time = new FakeTime(NOW);
    const path = `${mkdtempSync(`${tmpdir()}/emcee-planner-`)}/emcee.sqlite`;
    const [a, b] = [openStore(path, time), openStore(path, time)];
    try {
      const set = await a.bank.create({ title: 'Weekly', source: 'moderator', questions: ['One?'] });
      const series = await Promise.all([0, 1].map((shard) => a.series.saveForChannel({
        guildId: guildOnShard(shard), channelId: `chat-${shard}`, tag: '#Chat', timezone: 'UTC', schedule: '30 18 * * 1', settings: { questionSetId: set.id },
      })));
      const odd = new SeriesPlanner({ store: a, log: silentLog, owns: { count: 2, ids: [1] } });
      expect((await odd.planUpcoming(NOW)).map((s) => s.seriesId)).toEqual([series[1]!.id]);
      expect((await a.sessions.listActive()).map((s) => s.guildId)).toEqual([guildOnShard(1)]);

      // Two processes owning shard 0 (an overlap) plan its occurrence: one session.
      for (const store of [a, b]) await new SeriesPlanner({ store, log: silentLog, owns: { count: 2, ids: [0] } }).planUpcoming(NOW);
      expect((await b.sessions.listBySeries(series[0]!.id))).toHaveLength(1);
      expect(await b.sessions.listActive({ count: 2, ids: [0] })).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
