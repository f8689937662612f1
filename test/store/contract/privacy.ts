import { describe, expect, it } from 'vitest';
import type { StorePort } from '../../../src/store/port.ts';
import { FORGOTTEN_NAME } from '../../../src/store/privacy.ts';
import { at, message, T0, type ContractContext } from './support.ts';

const SECRET = 'zebra-quartz-forgetme';

/** A running session in a server's channel (its guild comes from its series). */
async function guildSession(store: StorePort, guildId: string, channelId: string) {
  const series = await store.series.saveForChannel({ guildId, channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
  return store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: T0, source: 'live', channelId });
}

/** store.privacy.forgetAuthor (issue 15, forget-me). */
export function privacyContract(ctx: ContractContext): void {
  const { open } = ctx;
  describe('privacy: forgetAuthor', () => {
    it("erases the author's text, edits, answers, corrections and reactions in one server's sessions only", async () => {
      const store = await open();
      const s1 = await guildSession(store, 'g1', 'c1');
      const s2 = await guildSession(store, 'g2', 'c2');
      const mine = (await store.messages.ingest(message(s1.id, 'm1', `A1 ${SECRET} first`, {
        quote: { author: 'someone', text: `quoted ${SECRET}` },
      }))).message;
      const other = (await store.messages.ingest(message(s1.id, 'm2', 'A1 mine', { authorId: 'u2', authorName: 'ann' }))).message;
      const elsewhere = (await store.messages.ingest(message(s2.id, 'm3', `A1 ${SECRET} there`, { channelId: 'c2' }))).message;
      const edited = (await store.messages.edit('m1', `A1 ${SECRET} edited`, at(1)))!;
      await store.messages.recordAttribution(edited, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: edited.text });
      await store.messages.recordAttribution(other, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: other.text });
      await store.messages.recordAttribution(elsewhere, { kind: 'answer', question: 1, via: 'label', label: 'A1', text: elsewhere.text });
      await store.corrections.set({ messageId: mine.id, sessionId: s1.id, target: 1, actor: 'mod', at: at(2) });
      await store.reactions.add({ messageId: 'm1', emoji: '👍', userId: 'u2', burst: false }); // on their message
      await store.reactions.add({ messageId: 'm2', emoji: '🎉', userId: 'u1', burst: false }); // they made it
      await store.reactions.add({ messageId: 'm2', emoji: '👍', userId: 'u3', burst: false }); // stays
      await store.reactions.add({ messageId: 'm3', emoji: '👍', userId: 'u1', burst: false }); // another server: stays

      const counts = await store.privacy.forgetAuthor('u1', 'g1', at(5));
      expect(counts).toEqual({ sessions: new Map([[s1.id, 1]]), messages: 1, edits: 1, answers: 1, reactions: 2, corrections: 1 });

      const gone = (await store.messages.get('m1'))!;
      expect([gone.text, gone.authorName, gone.quote, gone.deletedAt]).toEqual(['', FORGOTTEN_NAME, null, at(5)]);
      expect(await store.messages.previousTexts('m1')).toEqual([]);
      expect(await store.corrections.get(mine.id)).toBeNull();
      expect((await store.messages.answers(s1.id)).map((a) => a.text)).toEqual(['A1 mine']);
      expect(await store.reactions.countsBySession(s1.id)).toEqual(new Map([[other.id, 1]]));
      // The other server's session is untouched.
      expect((await store.messages.get('m3'))!.text).toBe(`A1 ${SECRET} there`);
      expect(await store.reactions.countsBySession(s2.id)).toEqual(new Map([[elsewhere.id, 1]]));
      // A backfill seeing the message again changes nothing.
      expect((await store.messages.ingest(message(s1.id, 'm1', `A1 ${SECRET} first`))).inserted).toBe(false);
      expect((await store.messages.get('m1'))!.text).toBe('');

      // Everywhere (the operator): the other server's message goes too; the first is not counted twice.
      const all = await store.privacy.forgetAuthor('u1', null, at(6));
      expect(all).toEqual({ sessions: new Map([[s2.id, 1]]), messages: 1, edits: 0, answers: 1, reactions: 1, corrections: 0 });
      expect((await store.messages.get('m3'))!.text).toBe('');
      expect((await store.messages.get('m1'))!.deletedAt).toEqual(at(5));
      for (const m of await store.messages.listBySession(s2.id)) expect(JSON.stringify(m)).not.toContain(SECRET);
      expect(await store.privacy.forgetAuthor('u1', null, at(7))).toEqual({ sessions: new Map(), messages: 0, edits: 0, answers: 0, reactions: 0, corrections: 0 });
    });

    it('inside a transaction: rolled back with it', async () => {
      const store = await open();
      const s = await guildSession(store, 'g1', 'c1');
      await store.messages.ingest(message(s.id, 'm1', SECRET));
      await expect(store.transaction(async (tx) => {
        expect((await tx.privacy.forgetAuthor('u1', 'g1', at(1))).messages).toBe(1);
        throw new Error('undo');
      })).rejects.toThrow('undo');
      expect((await store.messages.get('m1'))!.text).toBe(SECRET);
      expect((await store.privacy.forgetAuthor('u9', 'g1', at(1))).messages).toBe(0);
    });
  });
}
