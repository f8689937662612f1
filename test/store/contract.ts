/**
 * The repository contract: what every implementation of the store port (src/store/port.ts)
 * must do. Run it for an implementation with describeStoreContract (SQLite:
 * contract-sqlite.test.ts); a new backend (PostgreSQL) runs the same suite.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { NewMessage, StorePort } from '../../src/store/port.ts';

export const T0 = new Date('2026-11-23T23:30:00Z');

export interface ContractTarget {
  /** A new, empty store with the schema up to date, reading time from clock. */
  open(clock: ManualClock): Promise<StorePort>;
  /** Opens the same database again (a restart): optional, for backends with a lasting file. */
  reopen?(store: StorePort, clock: ManualClock): Promise<StorePort>;
}

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

export function message(sessionId: number, platformId: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    sessionId, platformId, text, channelId: 'c1', threadId: null, authorId: 'u1', authorName: 'kyle', isModerator: false,
    postedAt: T0, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null, ...extra,
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function describeStoreContract(name: string, target: ContractTarget): void {
  describe(`store contract: ${name}`, () => {
    const opened: StorePort[] = [];
    let clock: ManualClock;
    const open = async () => {
      clock = new ManualClock(T0);
      const store = await target.open(clock);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
    });
    const liveSession = async (store: StorePort, extra: { channelId?: string; startsAt?: Date; state?: 'planned' | 'running' } = {}) => {
      const series = await store.series.findOrCreateForArchive('#BadgeChat');
      return store.sessions.create({ seriesId: series.id, questionSetId: null, state: extra.state ?? 'running', startsAt: extra.startsAt ?? T0, source: 'live', channelId: extra.channelId ?? 'c1' });
    };

    describe('open', () => {
      it('a new store is empty and ready: every repository answers', async () => {
        const store = await open();
        expect(await store.series.list()).toEqual([]);
        expect(await store.bank.list()).toEqual([]);
        expect(await store.sessions.listActive()).toEqual([]);
        expect(await store.sessions.latestFinished()).toBeNull();
        expect(typeof (await store.externalChangeMark())).toBe('number');
      });

      // Only targets that can reopen (a file, a server) register this case: an in-memory
      // store has nothing to reopen, and a case that is always skipped there proves nothing.
      if (target.reopen) it('keeps what was written across a reopen (the schema is migrated once)', async () => {
        const store = await open();
        const set = await store.bank.create({ title: 'Kept', source: 'moderator', questions: ['Q?'] });
        const again = await target.reopen!(store, clock);
        opened.push(again);
        expect(await again.bank.get(set.id)).toEqual(set);
      });

      it('fails every call after close', async () => {
        const store = await open();
        await store.close();
        await expect(store.series.list()).rejects.toThrow(/closed/);
      });
    });

    describe('series', () => {
      it('archive series: tags compare case-insensitively, made once', async () => {
        const store = await open();
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
        const store = await open();
        const input = { guildId: 'G1', channelId: 'C1', tag: '#One', timezone: 'America/Denver', schedule: '30 18 * * 1', settings: { questionSetId: 1 } };
        const first = await store.series.saveForChannel(input);
        clock.set(at(60));
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

    describe('bank', () => {
      it('stores a set with its questions in order, stamped with the clock', async () => {
        const store = await open();
        const set = await store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?', 'How to fail well?'], welcomeText: 'Hi', outroText: 'Bye' });
        expect(set).toMatchObject({ title: 'Failure', source: 'moderator', sourceHash: null, welcomeText: 'Hi', outroText: 'Bye', guildId: null, shared: false, createdAt: T0 });
        expect(await store.bank.get(set.id)).toEqual(set);
        expect((await store.bank.list()).map((s) => s.questions)).toEqual([['Why fail?', 'How to fail well?']]);
        expect(await store.bank.get(999)).toBeNull();
      });

      it('refuses a second set from the same archive, writing nothing', async () => {
        const store = await open();
        const a = await store.bank.create({ title: 'a', source: 'archive', sourceHash: 'h', questions: ['q'] });
        await expect(store.bank.create({ title: 'b', source: 'archive', sourceHash: 'h', questions: ['q'] })).rejects.toThrow();
        expect(await store.bank.list()).toEqual([a]);
        expect(await store.bank.findBySourceHash('h')).toEqual(a);
        expect(await store.bank.findBySourceHash('other')).toBeNull();
      });

      it('tenancy: a server sees its own sets and shared ones; the operator (null) sees every set', async () => {
        const store = await open();
        const operator = await store.bank.create({ title: 'operator', source: 'archive', questions: ['q'] });
        const shared = await store.bank.create({ title: 'shared', source: 'archive', questions: ['q'], shared: true });
        const g1 = await store.bank.create({ title: 'g1', source: 'moderator', questions: ['q'], guildId: 'G1' });
        const g2 = await store.bank.create({ title: 'g2', source: 'moderator', questions: ['q'], guildId: 'G2' });
        expect((await store.bank.list()).map((s) => s.title)).toEqual(['operator', 'shared', 'g1', 'g2']);
        expect((await store.bank.list(null)).map((s) => s.title)).toEqual(['operator', 'shared', 'g1', 'g2']);
        expect((await store.bank.list({ guildId: 'G1' })).map((s) => s.title)).toEqual(['shared', 'g1']);
        expect(await store.bank.get(g2.id, { guildId: 'G1' })).toBeNull();
        expect(await store.bank.get(operator.id, { guildId: 'G1' })).toBeNull();
        expect(await store.bank.get(shared.id, { guildId: 'G1' })).toEqual(shared);
        expect(await store.bank.get(g1.id, { guildId: 'G1' })).toEqual(g1);

        // Sharing: only operator sets change; a server's own set stays its own.
        expect(await store.bank.setShared([operator.id, g2.id, 999])).toBe(1);
        expect(await store.bank.get(operator.id, { guildId: 'G1' })).toMatchObject({ shared: true });
        expect(await store.bank.get(g2.id)).toMatchObject({ shared: false, guildId: 'G2' });
        // An operator set counts whether or not it was shared already (rows matched).
        expect(await store.bank.setShared([operator.id])).toBe(1);
      });

      it('adoptImported: a new set becomes the server\'s; an earlier one is copied once per server', async () => {
        const store = await open();
        const made = await store.bank.create({ title: 'T', source: 'archive', sourceHash: 'hash', questions: ['q1', 'q2'] });
        expect(await store.bank.adoptImported(made.id, 'G1', true)).toEqual({ set: { ...made, guildId: 'G1' }, copied: false });
        // Already visible to G1: nothing changes.
        expect(await store.bank.adoptImported(made.id, 'G1', false)).toEqual({ set: { ...made, guildId: 'G1' }, copied: false });
        // Another server imports the same archive: its own copy, made once.
        const copy = await store.bank.adoptImported(made.id, 'G2', false);
        expect(copy.copied).toBe(true);
        expect(copy.set).toMatchObject({ title: 'T', guildId: 'G2', sourceHash: 'hash@G2', questions: ['q1', 'q2'] });
        expect(copy.set.id).not.toBe(made.id);
        expect(await store.bank.adoptImported(made.id, 'G2', false)).toEqual({ set: copy.set, copied: false });
        expect(await store.bank.get(made.id, { guildId: 'G1' })).not.toBeNull();
        await expect(store.bank.adoptImported(999, 'G1', true)).rejects.toThrow(/does not exist/);
      });
    });

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

    describe('messages and answers', () => {
      it('enforces the session: a message of an unknown session is refused', async () => {
        const store = await open();
        await expect(store.messages.ingest(message(42, 'm1', 'orphan'))).rejects.toThrow();
      });

      it('ingests the same platform message id once (idempotent), even when both arrive at once', async () => {
        const store = await open();
        const s = await liveSession(store);
        const first = await store.messages.ingest(message(s.id, 'm1', 'A1: hi', { quote: { author: 'amy', text: 'A1: x' }, inReplyTo: ['p1'] }));
        const second = await store.messages.ingest(message(s.id, 'm1', 'A1: hi (again)'));
        expect(first.inserted).toBe(true);
        expect(second.inserted).toBe(false);
        expect(second.message).toEqual(first.message);
        expect(await store.messages.get('m1')).toEqual(first.message);
        expect(first.message).toMatchObject({ text: 'A1: hi', late: false, fromSelf: false, editedAt: null, deletedAt: null, quote: { author: 'amy', text: 'A1: x' }, inReplyTo: ['p1'] });
        const both = await Promise.all([store.messages.ingest(message(s.id, 'm2', 'x')), store.messages.ingest(message(s.id, 'm2', 'x'))]);
        expect(both.map((r) => r.inserted).sort()).toEqual([false, true]);
        expect(await store.messages.count(s.id)).toBe(2);
        expect(await store.messages.get('nope')).toBeNull();
      });

      it('keeps the old texts of an edited message, and ignores an edit that changes nothing', async () => {
        const store = await open();
        const s = await liveSession(store);
        await store.messages.ingest(message(s.id, 'm1', 'A1: first'));
        expect(await store.messages.edit('m1', 'A1: second', at(1))).toMatchObject({ text: 'A1: second', editedAt: at(1) });
        expect(await store.messages.edit('m1', 'A1: second', at(2))).toMatchObject({ text: 'A1: second', editedAt: at(1) });
        await store.messages.edit('m1', 'A1: third', at(3));
        expect(await store.messages.previousTexts('m1')).toEqual(['A1: first', 'A1: second']);
        expect(await store.messages.edit('nope', 'x', at(3))).toBeNull();
        expect(await store.messages.previousTexts('nope')).toEqual([]);
      });

      it('records attributions, keeps inferred apart, and leaves deleted messages out of answers', async () => {
        const store = await open();
        const s = await liveSession(store);
        const a = (await store.messages.ingest(message(s.id, 'm1', 'A1: yes'))).message;
        const b = (await store.messages.ingest(message(s.id, 'm2', 'unlabelled', { postedAt: at(1) }))).message;
        const c = (await store.messages.ingest(message(s.id, 'm3', 'TA: learned', { postedAt: at(2), late: true }))).message;
        await store.messages.recordAttribution(a, { kind: 'answer', question: 1, via: 'label', label: 'A1:', text: a.text });
        await store.messages.recordAttribution(b, { kind: 'inferred', question: 1 });
        await store.messages.recordAttribution(c, { kind: 'answer', question: 'TA', via: 'label', label: 'TA:', text: c.text });
        expect((await store.messages.answers(s.id)).map((x) => [x.question, x.via, x.late])).toEqual([[1, 'label', false], ['TA', 'label', true]]);
        expect(await store.messages.answers(s.id, { inferred: true })).toHaveLength(3);
        expect((await store.messages.answers(s.id))[0]).toEqual({
          messageId: a.id, sessionId: s.id, question: 1, via: 'label', label: 'A1:', text: 'A1: yes', authorName: 'kyle',
          archiveIndex: null, postedAt: T0, platformId: 'm1', channelId: 'c1', threadId: null, late: false,
        });

        await store.messages.recordAttribution(a, { kind: 'answer', question: 2, via: 'label', label: 'A2:', text: 'A2: yes' });
        expect((await store.messages.answers(s.id))[0]).toMatchObject({ question: 2, label: 'A2:' });
        await store.messages.recordAttribution(c, { kind: 'none', reason: 'empty' });
        expect((await store.messages.answers(s.id)).map((x) => x.question)).toEqual([2]);

        expect(await store.messages.delete('m1', T0)).toBe(true);
        expect(await store.messages.delete('m1', T0)).toBe(false);
        expect(await store.messages.answers(s.id)).toEqual([]);
        expect(await store.messages.get('m1')).toMatchObject({ deletedAt: T0 });
      });

      it('iterators stream every message and answer in chat order (by time, archive position, arrival), past page boundaries', async () => {
        const store = await open();
        const s = await liveSession(store);
        const n = 1234;
        // Written out of order: posted times descend with the platform id.
        for (let i = 0; i < n; i++) {
          const m = (await store.messages.ingest(message(s.id, `m${i}`, `A1: ${i}`, { postedAt: new Date(T0.getTime() + (n - i) * 1000) }))).message;
          if (i % 2 === 0) await store.messages.recordAttribution(m, { kind: 'answer', question: 1, via: 'label', label: 'A1:', text: m.text });
          else if (i % 3 === 0) await store.messages.recordAttribution(m, { kind: 'inferred', question: 1 });
        }
        const list = await store.messages.listBySession(s.id);
        expect(list).toHaveLength(n);
        expect(list[0]!.platformId).toBe(`m${n - 1}`);
        expect(await collect(store.messages.iterate(s.id))).toEqual(list);
        expect(await collect(store.messages.iterateAnswers(s.id))).toEqual(await store.messages.answers(s.id));
        expect(await collect(store.messages.iterateAnswers(s.id, { inferred: true }))).toEqual(await store.messages.answers(s.id, { inferred: true }));
        expect(await collect(store.messages.iterate(999))).toEqual([]);
      });

      it('an iterator lets other calls run between items, even writes', async () => {
        const store = await open();
        const s = await liveSession(store);
        for (let i = 0; i < 3; i++) await store.messages.ingest(message(s.id, `m${i}`, `x${i}`, { postedAt: at(i) }));
        const seen: string[] = [];
        for await (const m of store.messages.iterate(s.id)) {
          seen.push(m.text);
          await store.messages.ingest(message(s.id, `late-${m.platformId}`, 'y', { postedAt: at(10) }));
        }
        expect(seen).toEqual(['x0', 'x1', 'x2']);
        expect(await store.messages.count(s.id)).toBe(6);
      });

      it('archive order: messages without time sort by archive position', async () => {
        const store = await open();
        const s = await liveSession(store);
        for (const i of [2, 0, 1]) await store.messages.ingest(message(s.id, `archive:${i}`, `m${i}`, { postedAt: null, archiveIndex: i }));
        expect((await store.messages.listBySession(s.id)).map((m) => m.archiveIndex)).toEqual([0, 1, 2]);
        expect((await collect(store.messages.iterate(s.id))).map((m) => m.archiveIndex)).toEqual([0, 1, 2]);
      });

      it('lastSeenId: the newest snowflake of a channel or one thread (longer is later)', async () => {
        const store = await open();
        const s = await liveSession(store);
        await store.messages.ingest(message(s.id, '999', 'a'));
        await store.messages.ingest(message(s.id, '1000', 'b'));
        await store.messages.ingest(message(s.id, '2000', 'c', { threadId: 't1' }));
        expect(await store.messages.lastSeenId(s.id, 'c1', null)).toBe('1000');
        expect(await store.messages.lastSeenId(s.id, 'c1', 't1')).toBe('2000');
        expect(await store.messages.lastSeenId(s.id, 'c2', null)).toBeNull();
      });

      it('authorsBefore: who wrote in the series\' earlier sessions (not the bot, not deleted)', async () => {
        const store = await open();
        const earlier = await liveSession(store, { startsAt: at(-60 * 24 * 7) });
        const now = await liveSession(store, { startsAt: T0 });
        await store.messages.ingest(message(earlier.id, 'e1', 'hi', { authorName: 'amy' }));
        await store.messages.ingest(message(earlier.id, 'e2', 'hi', { authorName: 'bot', fromSelf: true }));
        await store.messages.ingest(message(earlier.id, 'e3', 'hi', { authorName: 'gone' }));
        await store.messages.delete('e3', T0);
        await store.messages.ingest(message(now.id, 'n1', 'hi', { authorName: 'new' }));
        expect(await store.messages.authorsBefore(now.seriesId, T0)).toEqual(new Set(['amy']));
      });
    });

    describe('control log', () => {
      it('records who did what, with details, and lists a session\'s controls in order', async () => {
        const store = await open();
        const s = await liveSession(store);
        const later = await store.controls.record(s.id, 'resume', 'mod#2', at(5));
        const first = await store.controls.record(s.id, 'pause', 'mod#1', at(1), { reason: 'fire drill' });
        expect(first).toMatchObject({ sessionId: s.id, action: 'pause', actor: 'mod#1', at: at(1), details: { reason: 'fire drill' } });
        expect(later.details).toEqual({});
        expect(await store.controls.list(s.id)).toEqual([first, later]);
        expect(await store.controls.list(999)).toEqual([]);
      });
    });

    describe('transactions', () => {
      it('commits every write of fn, and returns its result', async () => {
        const store = await open();
        const id = await store.transaction(async (tx) => {
          const set = await tx.bank.create({ title: 'a', source: 'moderator', questions: ['q'] });
          await tx.bank.create({ title: 'b', source: 'moderator', questions: ['q'] });
          return set.id;
        });
        expect((await store.bank.list()).map((s) => s.title)).toEqual(['a', 'b']);
        expect(await store.bank.get(id)).toMatchObject({ title: 'a' });
      });

      it('rolls back every write when fn throws, and passes the error on', async () => {
        const store = await open();
        await expect(store.transaction(async (tx) => {
          const series = await tx.series.findOrCreateForArchive('#Gone');
          await tx.sessions.create({ seriesId: series.id, questionSetId: null, state: 'archived', startsAt: T0, source: 'archive' });
          await tx.bank.create({ title: 'a', source: 'moderator', questions: ['q'] });
          throw new Error('changed my mind');
        })).rejects.toThrow('changed my mind');
        expect(await store.series.list()).toEqual([]);
        expect(await store.bank.list()).toEqual([]);
        // The store is usable afterwards.
        await store.transaction(async (tx) => { await tx.bank.create({ title: 'b', source: 'moderator', questions: ['q'] }); });
        expect((await store.bank.list()).map((s) => s.title)).toEqual(['b']);
      });

      it('a call outside the transaction waits for it: it never sees or joins a transaction in progress', async () => {
        const store = await open();
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let inside!: () => void;
        const entered = new Promise<void>((r) => (inside = r));
        const tx = store.transaction(async (t) => {
          await t.bank.create({ title: 'inside', source: 'moderator', questions: ['q'] });
          inside();
          await gate;
          throw new Error('rolled back');
        });
        await entered;
        const outside = store.bank.create({ title: 'outside', source: 'moderator', questions: ['q'] });
        const seen = store.bank.list();
        release();
        await expect(tx).rejects.toThrow('rolled back');
        await outside;
        // Asked after the write outside and served after it: never the rolled-back one inside.
        expect((await seen).map((s) => s.title)).toEqual(['outside']);
        expect((await store.bank.list()).map((s) => s.title)).toEqual(['outside']);
      });

      it('runs transactions one at a time, in the order they were asked for', async () => {
        const store = await open();
        const order: string[] = [];
        const run = (name: string, ms: number) => store.transaction(async (tx) => {
          order.push(`${name}:begin`);
          await new Promise((r) => setTimeout(r, ms));
          await tx.controls.list(0);
          order.push(`${name}:end`);
          return name;
        });
        expect(await Promise.all([run('a', 20), run('b', 1), run('c', 5)])).toEqual(['a', 'b', 'c']);
        expect(order).toEqual(['a:begin', 'a:end', 'b:begin', 'b:end', 'c:begin', 'c:end']);
      });

      it('the store used inside fn joins the transaction (no deadlock) and rolls back with it', async () => {
        const store = await open();
        await expect(store.transaction(async () => {
          await store.bank.create({ title: 'via store', source: 'moderator', questions: ['q'] });
          expect(await store.bank.list()).toHaveLength(1);
          throw new Error('undo');
        })).rejects.toThrow('undo');
        expect(await store.bank.list()).toEqual([]);
      });

      it('nested: a throw undoes only the nested part; the outer one may go on and commit', async () => {
        const store = await open();
        await store.transaction(async (tx) => {
          await tx.bank.create({ title: 'outer', source: 'moderator', questions: ['q'] });
          await expect(tx.transaction(async (inner) => {
            await inner.bank.create({ title: 'inner', source: 'moderator', questions: ['q'] });
            throw new Error('inner fails');
          })).rejects.toThrow('inner fails');
          await tx.transaction(async (inner) => { await inner.bank.create({ title: 'inner ok', source: 'moderator', questions: ['q'] }); });
          // store.transaction from inside nests too.
          await store.transaction(async (inner) => { await inner.bank.create({ title: 'nested via store', source: 'moderator', questions: ['q'] }); });
        });
        expect((await store.bank.list()).map((s) => s.title)).toEqual(['outer', 'inner ok', 'nested via store']);
      });

      it('a transaction object kept after the end refuses to be used', async () => {
        const store = await open();
        const kept = await store.transaction(async (tx) => tx);
        await expect(kept.bank.list()).rejects.toThrow(/ended/);
      });

      it('iterators inside a transaction read its own writes', async () => {
        const store = await open();
        const s = await liveSession(store);
        const texts = await store.transaction(async (tx) => {
          await tx.messages.ingest(message(s.id, 'm1', 'in tx'));
          return (await collect(tx.messages.iterate(s.id))).map((m) => m.text);
        });
        expect(texts).toEqual(['in tx']);
      });
    });
  });
}
