import { describe, expect, it } from 'vitest';
import { at, T0, type ContractContext } from './support.ts';

/** store.series: archive series by tag, one series per channel. */
export function seriesContract(ctx: ContractContext): void {
  describe('series', () => {
    it('archive series: tags compare case-insensitively, made once', async () => {
      const store = await ctx.open();
      const a = await store.series.findOrCreateForArchive('#BadgeChat');
      const b = await store.series.findOrCreateForArchive('#badgechat');
      expect(b.id).toBe(a.id);
      expect(await store.series.list()).toHaveLength(1);
      expect(a).toMatchObject({ tag: '#BadgeChat', guildId: null, channelId: null, timezone: 'America/New_York', schedule: null, settings: {} });
      expect(a.createdAt).toEqual(T0);
      expect(await store.series.get(a.id)).toEqual(a);
      expect(await store.series.get(999)).toBeNull();
    });

    it('one series per channel: saving again updates it in place, keeping its id and creation time', async () => {
      const store = await ctx.open();
      const input = { guildId: 'G1', channelId: 'C1', tag: '#One', timezone: 'America/Denver', schedule: '30 18 * * 1', settings: { questionSetId: 1 } };
      const first = await store.series.saveForChannel(input);
      ctx.clock.set(at(60));
      const second = await store.series.saveForChannel({ ...input, tag: '#Uno', schedule: null, settings: { graceMinutes: 5 } });
      expect(second).toEqual({ ...first, tag: '#Uno', schedule: null, settings: { graceMinutes: 5 } });
      expect(await store.series.getByChannel('G1', 'C1')).toEqual(second);
      expect(await store.series.getByChannel('G2', 'C1')).toBeNull();
      expect(await store.series.listScheduled()).toEqual([]);
      const scheduled = await store.series.saveForChannel({ ...input, channelId: 'C2' });
      await store.series.findOrCreateForArchive('#Old');
      expect((await store.series.listScheduled()).map((s) => s.id)).toEqual([scheduled.id]);
      expect((await store.series.list()).map((s) => s.tag)).toEqual(['#Uno', '#One', '#Old']);
    });
  });
}
