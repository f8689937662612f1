import { describe, expect, it } from 'vitest';
import { shardOf } from '../../../src/domain/shard.ts';
import type { StorePort } from '../../../src/store/port.ts';
import { at, liveSession, type ContractContext } from './support.ts';

/** A snowflake-shaped guild id on shard `shard` of 2 (and of 4: shard % 4). */
const guildOnShard = (shard: number, salt = 7) => String((BigInt(1_000 + shard) << 22n) | BigInt(salt));

async function planned(store: StorePort, text = 'Q1: why?') {
  const s = await liveSession(store);
  return store.prompts.create({ sessionId: s.id, kind: 'question', questionNumber: 1, plannedAt: at(5), state: 'planned', postedAt: null, messageId: null, text });
}

/**
 * Claims (issue 12): several processes on one database post each prompt and each recap
 * once. A claim is a conditional update with a lease; writes by a claimant are fenced.
 */
export function claimsContract(ctx: ContractContext): void {
  const { open, target, opened } = ctx;
  describe('claims and guild ownership', () => {
    it('a prompt is claimed by one owner at a time; the lease expires; a taken-over claimant cannot write', async () => {
      const store = await open();
      const p = await planned(store);
      const mine = await store.prompts.claim(p.id, 'A', at(2), at(0));
      expect(mine).toMatchObject({ id: p.id, state: 'planned', claimedBy: 'A', leaseUntil: at(2) });
      expect(await store.prompts.claim(p.id, 'B', at(3), at(1))).toBeNull(); // A's lease holds
      expect(await store.prompts.claim(p.id, 'A', at(4), at(1))).toMatchObject({ claimedBy: 'A', leaseUntil: at(4) }); // renewed
      expect(await store.prompts.markPosting(p.id, 'n-A', 'A')).toBe(true);
      // A dies after the send; its lease expires and B takes over, seeing the unknown outcome.
      expect(await store.prompts.claim(p.id, 'B', at(10), at(5))).toMatchObject({ state: 'posting', nonce: 'n-A', attempts: 1, claimedBy: 'B' });
      // A comes back late: every fenced write of A changes nothing.
      expect(await store.prompts.markPosted(p.id, 'late-A', at(5), false, 'A')).toBe(false);
      expect(await store.prompts.markFailed(p.id, 'A gave up', 'A')).toBe(false);
      expect(await store.prompts.markSkipped(p.id, 'A skipped', 'A')).toBe(false);
      expect(await store.prompts.retryLater(p.id, at(9), 'A')).toBe(false);
      expect(await store.prompts.attemptFailed(p.id, at(9), 'A')).toBe(false);
      expect(await store.prompts.markPosting(p.id, 'n-A2', 'A')).toBe(false);
      expect(await store.prompts.get(p.id)).toMatchObject({ state: 'posting', nonce: 'n-A', attempts: 1, nextAttemptAt: null, messageId: null });
      // B's result lands; a settled prompt cannot be claimed again by anyone.
      expect(await store.prompts.markPosted(p.id, 'msg-B', at(6), false, 'B')).toBe(true);
      expect(await store.prompts.get(p.id)).toMatchObject({ state: 'posted', messageId: 'msg-B' });
      expect(await store.prompts.claim(p.id, 'B', at(30), at(20))).toBeNull();
      expect(await store.prompts.claim(p.id, 'C', at(30), at(20))).toBeNull();
      // Unfenced writes (moderator controls) still write.
      const q = await store.prompts.create({ ...p, questionNumber: 2, plannedAt: at(9), text: 'Q2' });
      await store.prompts.claim(q.id, 'A', at(12), at(0));
      expect(await store.prompts.markSkipped(q.id, 'skipped by a moderator')).toBe(true);
      expect(await store.prompts.claim(q.id, 'A', at(12), at(0))).toBeNull();
    });

    it("a session's recap is claimed once, recorded once, and taken over after its lease", async () => {
      const store = await open();
      const s = await liveSession(store);
      expect(s).toMatchObject({ recapPostedAt: null, recapMessageId: null });
      expect(await store.sessions.claimRecap(s.id, 'A', at(2), at(0))).toMatchObject({ id: s.id });
      expect(await store.sessions.claimRecap(s.id, 'B', at(3), at(1))).toBeNull();
      expect(await store.sessions.claimRecap(s.id, 'B', at(8), at(3))).toMatchObject({ id: s.id }); // A's lease expired
      expect(await store.sessions.recapPosted(s.id, 'A', 'late-A', at(4))).toBe(false);
      expect(await store.sessions.recapPosted(s.id, 'B', 'recap-B', at(4))).toBe(true);
      expect(await store.sessions.get(s.id)).toMatchObject({ recapPostedAt: at(4), recapMessageId: 'recap-B' });
      expect(await store.sessions.claimRecap(s.id, 'B', at(30), at(20))).toBeNull();
      expect(await store.sessions.recapPosted(s.id, 'B', 'again', at(21))).toBe(false);
    });

    it('recaps to catch up on: ended since the bound, not posted, unclaimed or with an expired lease, by shard', async () => {
      const store = await open();
      const ended = async (guildShard: number, endedAt: Date, channelId: string) => {
        const series = await store.series.saveForChannel({ guildId: guildOnShard(guildShard), channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
        const s = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: at(0), source: 'live', channelId });
        return store.sessions.setState(s.id, 'ended', { endedAt });
      };
      const old = await ended(0, at(1), 'c-old'); // before the bound
      const never = await ended(0, at(12), 'c-never'); // its process died before claiming
      const leased = await ended(1, at(11), 'c-leased');
      const posted = await ended(0, at(10), 'c-posted');
      const running = await liveSession(store, { channelId: 'c-running' });
      await store.sessions.claimRecap(leased.id, 'A', at(20), at(11));
      await store.sessions.claimRecap(posted.id, 'A', at(20), at(10));
      await store.sessions.recapPosted(posted.id, 'A', 'm', at(10));
      const due = async (now: Date, shards?: { count: number; ids: number[] }) =>
        (await store.sessions.recapsDue(at(5), now, shards)).map((s) => s.id);
      expect(await due(at(15))).toEqual([never.id]); // A's lease runs to at(20)
      expect(await due(at(20))).toEqual([leased.id, never.id]); // oldest end first
      expect(await due(at(20), { count: 2, ids: [1] })).toEqual([leased.id]);
      expect(await due(at(20), { count: 2, ids: [0] })).toEqual([never.id]);
      // Ended before the bound, posted already, or not ended: never due.
      expect(await due(at(30))).toEqual([leased.id, never.id]);
    });

    it("sessions know their series' guild; active and collecting sessions are listed by shard", async () => {
      const store = await open();
      const guilds = [guildOnShard(0), guildOnShard(1), guildOnShard(2), guildOnShard(3)];
      expect(guilds.map((g) => shardOf(g, 4))).toEqual([0, 1, 2, 3]);
      const ids: number[] = [];
      for (const [i, guildId] of guilds.entries()) {
        const series = await store.series.saveForChannel({ guildId, channelId: `c${i}`, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
        const session = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: at(i), source: 'live', channelId: `c${i}` });
        expect(session.guildId).toBe(guildId);
        ids.push(session.id);
      }
      const imported = await liveSession(store, { startsAt: at(9) }); // no guild: shard 0
      expect(imported.guildId).toBeNull();
      const active = async (count: number, shards: number[]) => (await store.sessions.listActive({ count, ids: shards })).map((s) => s.id);
      expect((await store.sessions.listActive()).map((s) => s.id)).toEqual([...ids, imported.id]);
      expect(await active(2, [0])).toEqual([ids[0], ids[2], imported.id]);
      expect(await active(2, [1])).toEqual([ids[1], ids[3]]);
      expect(await active(4, [1, 2])).toEqual([ids[1], ids[2]]);
      expect(await active(4, [])).toEqual([]);
      expect((await store.sessions.listCollecting(at(0), { count: 2, ids: [1] })).map((s) => s.id)).toEqual([ids[1], ids[3]]);
      expect((await store.sessions.listCollecting(at(0), null)).map((s) => s.id)).toEqual([...ids, imported.id]);
    });

    // Two processes: only targets with a second handle on one database (a file, a server).
    if (target.second) it('two stores on one database claiming the same prompts at once: exactly one wins each', async () => {
      const a = await open();
      const b = await target.second!(a, ctx.clock);
      opened.push(b);
      const first = await planned(a, 'Q0');
      const prompts = [first, ...await Promise.all(Array.from({ length: 19 }, (_, i) => a.prompts.create({ ...first, questionNumber: i + 2, text: `Q${i + 2}` })))];
      const results = await Promise.all(prompts.flatMap((p) => [
        a.prompts.claim(p.id, 'A', at(2), at(0)).then((won) => (won ? 'A' : null)),
        b.prompts.claim(p.id, 'B', at(2), at(0)).then((won) => (won ? 'B' : null)),
      ]));
      for (let i = 0; i < prompts.length; i++) {
        const pair = results.slice(2 * i, 2 * i + 2).filter((r) => r !== null);
        expect(pair).toHaveLength(1);
        expect((await b.prompts.get(prompts[i]!.id))?.claimedBy).toBe(pair[0]);
      }
      // The loser's fenced writes change nothing; a recap race has one winner too.
      const s = await liveSession(a, { channelId: 'c2', startsAt: at(1) });
      const recap = await Promise.all([a.sessions.claimRecap(s.id, 'A', at(2), at(0)), b.sessions.claimRecap(s.id, 'B', at(2), at(0))]);
      expect(recap.filter((r) => r !== null)).toHaveLength(1);
    });
  });
}
