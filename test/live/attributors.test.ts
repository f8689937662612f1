import { describe, expect, it } from 'vitest';
import { AttributorCache, readPosts } from '../../src/live/attributors.ts';
import { LiveIngest } from '../../src/live/ingest.ts';
import { persistSession } from '../../src/live/persist.ts';
import type { Store } from '../../src/store/index.ts';
import { MINUTE, newWorld, silentLog } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);

async function runningSession(store: Store, channelId: string) {
  const series = await store.series.saveForChannel({ guildId: 'g1', channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const session = await persistSession(store, { series, startsAt: START, questions: ['One?', 'Two?'], questionSetId: null, state: 'running' });
  const q1 = (await store.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === 1)!;
  await store.prompts.markPosted(q1.id, `${channelId}-q1`, at(5), false);
  return session;
}

describe('the cache of attributors (no one tells it a session ended)', () => {
  it('drops a session no message touched for the idle time, and one beyond its size, least recently used first', async () => {
    const { store } = newWorld(at(-1));
    const [a, b, c] = [await runningSession(store, 'a'), await runningSession(store, 'b'), await runningSession(store, 'c')];
    const cache = new AttributorCache(60 * MINUTE, 2);
    const use = async (id: number, minute: number) => cache.at(store, id, await readPosts(store, id), at(minute));

    const first = await use(a.id, 6);
    await use(b.id, 7);
    expect(await use(a.id, 8)).toBe(first); // cached
    await use(c.id, 9); // three sessions, room for two: b (least recently used) goes
    expect(cache.size).toBe(2);
    await use(a.id, 70); // c idle for 61 minutes: dropped
    expect(cache.size).toBe(1);
    expect(await use(a.id, 71)).toBe(first);
  });

  it('a dropped session is rebuilt from the database: replies to earlier answers and repeats still resolve', async () => {
    const { store } = newWorld(at(-1));
    const chat = await runningSession(store, 'chat');
    await runningSession(store, 'other');
    const ingest = new LiveIngest({ store, log: silentLog, lateWindowMs: 60 * MINUTE });
    const base = { channelId: 'chat', threadId: null, authorId: 'u1', authorName: 'kyle', moderator: false, fromSelf: false, replyToId: null };
    await ingest.messageCreated({ ...base, id: 'm1', at: at(6), text: 'A1: first' });
    // Two hours of another channel only: the chat's attributor is dropped meanwhile.
    await ingest.messageCreated({ ...base, channelId: 'other', id: 'o1', at: at(130), text: 'A1: elsewhere' });
    const reply = await ingest.messageCreated({ ...base, id: 'm2', at: at(131), text: 'agreed', replyToId: 'm1' });
    const repeat = await ingest.messageCreated({ ...base, id: 'm3', at: at(131), text: 'A1: first' });
    expect([reply?.attribution, repeat?.attribution]).toEqual([
      { kind: 'answer', question: 1, via: 'reply', label: null, text: 'agreed' },
      { kind: 'none', reason: 'repeat' },
    ]);
    expect((await store.messages.answers(chat.id)).map((x) => x.text)).toEqual(['A1: first', 'agreed']);
  });
});
