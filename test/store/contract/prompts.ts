import { describe, expect, it } from 'vitest';
import { at, liveSession, type ContractContext } from './support.ts';

/** A snowflake-shaped guild id on shard `shard` of 2. */
const guildOnShard = (shard: number) => String((BigInt(2_000 + shard) << 22n) | 5n);

/** store.prompts: planning, posting, retries, skips and failures. */
export function promptsContract({ open }: ContractContext): void {
  describe('prompts', () => {
    it('plans, posts, skips, fails, retries and moves prompts', async () => {
      const store = await open();
      const s = await liveSession(store);
      const base = { sessionId: s.id, questionNumber: null, state: 'planned' as const, postedAt: null, messageId: null };
      const q1 = await store.prompts.create({ ...base, kind: 'question', questionNumber: 1, plannedAt: at(5), text: 'Q1: why?' });
      const welcome = await store.prompts.create({ ...base, kind: 'welcome', plannedAt: at(0), text: 'Welcome' });
      expect(q1).toMatchObject({ kind: 'question', questionNumber: 1, plannedAt: at(5), state: 'planned', late: false, nonce: null, attempts: 0, nextAttemptAt: null, skipReason: null });
      expect((await store.prompts.listBySession(s.id)).map((p) => p.id)).toEqual([welcome.id, q1.id]);

      await store.prompts.markPosting(welcome.id, 'n1');
      expect(await store.prompts.get(welcome.id)).toMatchObject({ state: 'posting', nonce: 'n1', attempts: 1 });
      await store.prompts.markPosting(welcome.id, 'n2');
      expect(await store.prompts.get(welcome.id)).toMatchObject({ state: 'posting', nonce: 'n2', attempts: 2 });
      await store.prompts.markPosted(welcome.id, 'msg1', at(1), true);
      expect(await store.prompts.get(welcome.id)).toMatchObject({ state: 'posted', messageId: 'msg1', postedAt: at(1), late: true });
      // A settled prompt is not put back to posting.
      await store.prompts.markPosting(welcome.id, 'n3');
      expect(await store.prompts.get(welcome.id)).toMatchObject({ state: 'posted', nonce: 'n2' });

      await store.prompts.retryLater(q1.id, at(6));
      expect(await store.prompts.get(q1.id)).toMatchObject({ nextAttemptAt: at(6), attempts: 0 });
      await store.prompts.attemptFailed(q1.id, at(7));
      expect(await store.prompts.get(q1.id)).toMatchObject({ nextAttemptAt: at(7), attempts: 1 });
      await store.prompts.attemptFailed(q1.id, null);
      expect(await store.prompts.get(q1.id)).toMatchObject({ nextAttemptAt: null, attempts: 2 });
      await store.prompts.reschedule(q1.id, at(9));
      await store.prompts.setText(q1.id, 'Q1: why not?');
      expect(await store.prompts.get(q1.id)).toMatchObject({ plannedAt: at(9), text: 'Q1: why not?', state: 'planned' });
      await store.prompts.markSkipped(q1.id, 'too late');
      expect(await store.prompts.get(q1.id)).toMatchObject({ state: 'skipped', skipReason: 'too late' });
      await store.prompts.markFailed(q1.id, 'no access');
      expect(await store.prompts.get(q1.id)).toMatchObject({ state: 'failed', skipReason: 'no access' });
      expect(await store.prompts.get(999)).toBeNull();
    });

    it('lists the open prompts due, of planned and running sessions only, by shard, and the next one after a time', async () => {
      const store = await open();
      const session = async (channelId: string, shard: number, state: 'planned' | 'running' | 'paused' | 'ended') => {
        const series = await store.series.saveForChannel({ guildId: guildOnShard(shard), channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
        const s = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: state === 'paused' || state === 'ended' ? 'running' : state, startsAt: at(0), source: 'live', channelId });
        if (state === 'paused' || state === 'ended') await store.sessions.setState(s.id, state);
        return s;
      };
      const prompt = async (sessionId: number, minute: number, kind: 'welcome' | 'question' = 'question') =>
        store.prompts.create({ sessionId, kind, questionNumber: kind === 'question' ? 1 : null, plannedAt: at(minute), state: 'planned', postedAt: null, messageId: null, text: `at ${minute}` });
      const running = await session('c1', 0, 'running');
      const planned = await session('c2', 1, 'planned');
      const paused = await session('c3', 0, 'paused');
      const ended = await session('c4', 0, 'ended');
      const welcome = await prompt(running.id, 0, 'welcome');
      const q1 = await prompt(running.id, 5);
      const posting = await prompt(running.id, 2);
      const future = await prompt(running.id, 60 * 24 * 7);
      const planned1 = await prompt(planned.id, 3);
      await prompt(paused.id, 1);
      await prompt(ended.id, 1);
      await store.prompts.markPosted(welcome.id, 'm1', at(0), false); // finished: never listed
      await store.prompts.markPosting(posting.id, 'n'); // outcome unknown: still open
      const skipped = await prompt(planned.id, 1);
      await store.prompts.markSkipped(skipped.id, 'no');

      const ids = async (now: Date, shards?: { count: number; ids: number[] }) => (await store.prompts.listDue(now, shards)).map((p) => p.id);
      expect(await ids(at(4))).toEqual([posting.id, planned1.id]);
      expect(await store.prompts.listDue(at(4))).toMatchObject([
        { state: 'posting', nonce: 'n', guildId: guildOnShard(0) }, { state: 'planned', sessionId: planned.id, guildId: guildOnShard(1) },
      ]);
      expect(await ids(at(5))).toEqual([posting.id, planned1.id, q1.id]);
      expect(await ids(at(5), { count: 2, ids: [0] })).toEqual([posting.id, q1.id]);
      expect(await ids(at(5), { count: 2, ids: [1] })).toEqual([planned1.id]);
      expect(await ids(at(-1))).toEqual([]);

      expect(await store.prompts.nextDueAfter(at(0))).toEqual(at(2));
      expect(await store.prompts.nextDueAfter(at(2))).toEqual(at(3));
      expect(await store.prompts.nextDueAfter(at(3), { count: 2, ids: [1] })).toBeNull();
      expect(await store.prompts.nextDueAfter(at(5))).toEqual(future.plannedAt);
      expect(await store.prompts.nextDueAfter(future.plannedAt)).toBeNull();
      // Paused: neither due nor next; running again, both.
      await store.sessions.setState(paused.id, 'running');
      expect(await ids(at(1))).toHaveLength(1);
      expect(await store.prompts.nextDueAfter(at(0))).toEqual(at(1));
    });
  });
}
