import { describe, expect, it } from 'vitest';
import { at, liveSession, type ContractContext } from './support.ts';

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
  });
}
