import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsError, parseSeriesSettings } from '../../../src/domain/settings.ts';
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
      expect(a).toMatchObject({ tag: '#BadgeChat', guildId: null, channelId: null, timezone: 'America/New_York', schedule: null, settings: DEFAULT_SETTINGS });
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
      expect(second).toEqual({ ...first, tag: '#Uno', schedule: null, settings: parseSeriesSettings({ graceMinutes: 5 }) });
      // Settings come back parsed once, typed, defaults filled in: nobody downstream parses them again.
      expect(first.settings).toEqual({ ...DEFAULT_SETTINGS, questionSetId: 1 });
      expect(second.settings.graceMinutes).toBe(5);
      expect(second.settings.durationMinutes).toBe(DEFAULT_SETTINGS.durationMinutes);
      expect(await store.series.getByChannel('G1', 'C1')).toEqual(second);
      expect(await store.series.getByChannel('G2', 'C1')).toBeNull();
      expect(await store.series.listScheduled()).toEqual([]);
      const scheduled = await store.series.saveForChannel({ ...input, channelId: 'C2' });
      await store.series.findOrCreateForArchive('#Old');
      expect((await store.series.listScheduled()).map((s) => s.id)).toEqual([scheduled.id]);
      expect((await store.series.list()).map((s) => s.tag)).toEqual(['#Uno', '#One', '#Old']);
    });

    it('settings are validated on the way in: a bad field is refused by name and nothing is written', async () => {
      const store = await ctx.open();
      const input = { guildId: 'G1', channelId: 'C1', tag: '#One', timezone: 'UTC', schedule: null, settings: { graceMinutes: 5 } };
      const saved = await store.series.saveForChannel(input);
      const refused = store.series.saveForChannel({ ...input, tag: '#Two', settings: { graceMinutes: -1, bogus: true } as never });
      await expect(refused).rejects.toBeInstanceOf(SettingsError);
      await expect(refused).rejects.toThrow(/graceMinutes: must be 0 or more minutes/);
      expect(await store.series.getByChannel('G1', 'C1')).toEqual(saved);
    });
  });
}
