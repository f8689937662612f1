import { describe, expect, it } from 'vitest';
import { at, liveSession, type ContractContext } from './support.ts';

/** store.scheduledEvents: each session's Scheduled Event, its marker written before the request. */
export function scheduledEventsContract(ctx: ContractContext): void {
  const { open, target } = ctx;
  describe('scheduled events', () => {
    it('begin writes the marker in state creating, once per session; a second begin returns the first', async () => {
      const store = await open();
      const s = await liveSession(store, { state: 'planned' });
      expect(await store.scheduledEvents.get(s.id)).toBeNull();
      const first = await store.scheduledEvents.begin(s.id, 'g1', 'emcee-ev-1', at(0));
      expect(first).toEqual({
        sessionId: s.id, guildId: 'g1', marker: 'emcee-ev-1', eventId: null, state: 'creating', startsAt: null, endsAt: null,
        interestedAtStart: null, interestedAtClose: null, detail: null, updatedAt: at(0),
      });
      expect(await store.scheduledEvents.begin(s.id, 'g1', 'emcee-ev-2', at(1))).toEqual(first);
      expect(await store.scheduledEvents.get(s.id)).toEqual(first);
    });

    it('update changes only the fields given; listOpen lists creating, scheduled and active records', async () => {
      const store = await open();
      const a = await liveSession(store, { state: 'planned' });
      const b = await liveSession(store, { state: 'planned', startsAt: at(60) });
      const c = await liveSession(store, { state: 'planned', startsAt: at(120) });
      for (const [s, marker] of [[a, 'm-a'], [b, 'm-b'], [c, 'm-c']] as const) await store.scheduledEvents.begin(s.id, 'g1', marker, at(0));
      const created = await store.scheduledEvents.update(a.id, { eventId: '123', state: 'scheduled', startsAt: at(10), endsAt: at(55) }, at(1));
      expect(created).toMatchObject({ eventId: '123', state: 'scheduled', startsAt: at(10), endsAt: at(55), marker: 'm-a', updatedAt: at(1) });
      const counted = await store.scheduledEvents.update(a.id, { state: 'active', interestedAtStart: 7 }, at(10));
      expect(counted).toMatchObject({ eventId: '123', state: 'active', startsAt: at(10), endsAt: at(55), interestedAtStart: 7, interestedAtClose: null });
      await store.scheduledEvents.update(a.id, { state: 'completed', interestedAtClose: 9, endsAt: null }, at(60));
      expect(await store.scheduledEvents.get(a.id)).toMatchObject({ state: 'completed', interestedAtStart: 7, interestedAtClose: 9, endsAt: null });
      await store.scheduledEvents.update(b.id, { state: 'unavailable', detail: 'no-permission' }, at(2));
      expect((await store.scheduledEvents.listOpen()).map((e) => [e.sessionId, e.state])).toEqual([[c.id, 'creating']]);
      expect(await store.scheduledEvents.update(9999, { state: 'active' }, at(3))).toBeNull();
    });

    it('a marker is unique: another session cannot take it', async () => {
      const store = await open();
      const a = await liveSession(store, { state: 'planned' });
      const b = await liveSession(store, { state: 'planned', startsAt: at(60) });
      await store.scheduledEvents.begin(a.id, 'g1', 'same', at(0));
      await expect(store.scheduledEvents.begin(b.id, 'g1', 'same', at(0))).rejects.toThrow();
    });

    // Only targets that can reopen register it (as open.ts).
    if (target.reopen) it('the marker written before the request survives a restart', async () => {
      const store = await open();
      const s = await liveSession(store, { state: 'planned' });
      await store.scheduledEvents.begin(s.id, 'g1', 'emcee-ev-9', at(0));
      const again = await target.reopen!(store, ctx.clock);
      ctx.opened.push(again);
      expect(await again.scheduledEvents.listOpen()).toMatchObject([{ sessionId: s.id, marker: 'emcee-ev-9', state: 'creating', eventId: null }]);
    });
  });
}
