import { describe, expect, it } from 'vitest';
import { at, liveSession, T0, type ContractContext } from './support.ts';

/** store.sessions: creating, finding, state changes, collecting and re-planning. */
export function sessionsContract({ open }: ContractContext): void {
  describe('sessions', () => {
    it('creates, finds by source hash, lists by series (by start)', async () => {
      const store = await open();
      const series = await store.series.findOrCreateForArchive('#BadgeChat');
      const later = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'archived', startsAt: at(60), source: 'archive', sourceHash: 'h2', sourceName: 'b.txt', format: 'plain' });
      const first = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'archived', startsAt: at(0), endedAt: at(30), source: 'archive', sourceHash: 'h1' });
      expect(first).toMatchObject({ state: 'archived', startsAt: T0, endedAt: at(30), source: 'archive', sourceHash: 'h1', sourceName: null, format: null, createdAt: T0, channelId: null, pausedAt: null });
      expect(later).toMatchObject({ sourceName: 'b.txt', format: 'plain', endedAt: null });
      expect(await store.sessions.get(first.id)).toEqual(first);
      expect(await store.sessions.get(999)).toBeNull();
      expect(await store.sessions.findBySourceHash('h2')).toEqual(later);
      expect(await store.sessions.findBySourceHash('nope')).toBeNull();
      expect((await store.sessions.listBySeries(series.id)).map((s) => s.id)).toEqual([first.id, later.id]);
      expect(await store.sessions.latestFinished()).toEqual(later);
      await expect(store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'archived', startsAt: T0, source: 'archive', sourceHash: 'h1' })).rejects.toThrow();
    });

    it('state changes, active and collecting sessions, occurrences and re-planning', async () => {
      const store = await open();
      const planned = await liveSession(store, { state: 'planned', startsAt: at(120), channelId: 'c1' });
      const running = await liveSession(store, { state: 'running', startsAt: at(0), channelId: 'c1' });
      const elsewhere = await liveSession(store, { state: 'running', startsAt: at(10), channelId: 'c2' });
      expect((await store.sessions.listActive()).map((s) => s.id)).toEqual([running.id, elsewhere.id, planned.id]);
      expect(await store.sessions.collectingIn('c1', at(0))).toEqual(running);
      expect(await store.sessions.findOccurrence(planned.seriesId, at(120))).toEqual(planned);
      expect(await store.sessions.findOccurrence(planned.seriesId, at(121))).toBeNull();
      expect((await store.sessions.listInChannel('c1')).map((s) => s.id)).toEqual([planned.id, running.id]);

      const paused = await store.sessions.setState(running.id, 'paused', { pausedAt: at(5) });
      expect(paused).toMatchObject({ state: 'paused', pausedAt: at(5), endedAt: null });
      const ended = await store.sessions.setState(running.id, 'ended', { endedAt: at(45) });
      expect(ended).toMatchObject({ state: 'ended', pausedAt: null, endedAt: at(45) });
      // Ended sessions keep collecting messages for a while, then stop.
      expect(await store.sessions.collectingIn('c1', at(40))).toEqual(ended);
      expect(await store.sessions.collectingIn('c1', at(50))).toBeNull();
      expect((await store.sessions.listCollecting(at(40))).map((s) => s.id)).toEqual([ended.id, elsewhere.id]);
      expect((await store.sessions.listCollecting(at(50))).map((s) => s.id)).toEqual([elsewhere.id]);
      expect(await store.sessions.latestFinished()).toEqual(ended);

      const set = await store.bank.create({ title: 'x', source: 'moderator', questions: ['q'] });
      expect(await store.sessions.replan(planned.id, at(180), set.id)).toMatchObject({ startsAt: at(180), questionSetId: set.id });
      expect(await store.sessions.findOccurrence(planned.seriesId, at(180))).toMatchObject({ id: planned.id });
    });
  });
}
