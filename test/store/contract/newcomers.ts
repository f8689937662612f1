import { describe, expect, it } from 'vitest';
import { at, liveSession, message, type ContractContext } from './support.ts';

/** store.newcomers (issue 15, /chat status): first-timers of a session and whether anyone replied to them. */
export function newcomersContract(ctx: ContractContext): void {
  const { open } = ctx;
  describe('newcomers', () => {
    it('lists who wrote in no earlier session of the series, first message first, and whether someone else replied', async () => {
      const store = await open();
      const before = await liveSession(store, { startsAt: at(-7 * 24 * 60) });
      const s = await liveSession(store, { channelId: 'c2', startsAt: at(0) });
      const other = await store.sessions.create({
        seriesId: (await store.series.findOrCreateForArchive('#OtherChat')).id, questionSetId: null, state: 'running', startsAt: at(-60), source: 'live', channelId: 'c3',
      });
      const m = (id: string, name: string, minute: number, extra = {}) => message(s.id, id, `${name} says`, { channelId: 'c2', authorId: name, authorName: name, postedAt: at(minute), ...extra });
      await store.messages.ingest(message(before.id, 'old1', 'hi', { authorName: 'ret' }));
      await store.messages.ingest(message(other.id, 'x1', 'hi', { authorName: 'ann', channelId: 'c3' })); // another series: not returning
      await store.messages.ingest(m('r1', 'ret', 1));
      await store.messages.ingest(m('b1', 'bob', 2, { threadId: 't1' }));
      await store.messages.ingest(m('a1', 'ann', 3));
      await store.messages.ingest(m('a2', 'ann', 4));
      await store.messages.ingest(m('mod1', 'host', 5, { isModerator: true }));
      await store.messages.ingest(m('c1', 'cy', 6));
      await store.messages.ingest(m('c2', 'cy', 7, { replyToId: 'c1' })); // replying to oneself is not being replied to
      await store.messages.ingest(m('bot1', 'emcee', 8, { fromSelf: true, replyToId: 'a1' })); // the bot is nobody
      await store.messages.ingest(m('d1', 'dee', 9));
      await store.messages.ingest(m('r2', 'ret', 10, { replyToId: 'a2' }));
      await store.messages.ingest(m('gone', 'gus', 11));
      await store.messages.delete('gone', at(12));
      const list = await store.newcomers.firstTimers(s.id);
      expect(list.map((f) => [f.authorName, f.messages, f.first.platformId, f.repliedTo])).toEqual([
        ['bob', 1, 'b1', false], ['ann', 2, 'a1', true], ['cy', 2, 'c1', false], ['dee', 1, 'd1', false],
      ]);
      expect(list[0]!.first).toEqual({ platformId: 'b1', channelId: 'c2', threadId: 't1', postedAt: at(2) });

      await store.messages.ingest(m('h2', 'host', 13, { isModerator: true, replyToId: 'd1' })); // a moderator's reply counts
      await store.messages.ingest(m('r3', 'ret', 14, { replyToId: 'b1' }));
      await store.messages.delete('r3', at(15)); // a deleted reply does not
      expect((await store.newcomers.firstTimers(s.id)).filter((f) => !f.repliedTo).map((f) => f.authorName)).toEqual(['bob', 'cy']);
      expect((await store.newcomers.firstTimers(before.id)).map((f) => f.authorName)).toEqual(['ret']);
      expect(await store.newcomers.firstTimers(999)).toEqual([]);
    });
  });
}
