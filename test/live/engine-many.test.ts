import { describe, expect, it } from 'vitest';
import { SessionEngine } from '../../src/live/engine.ts';
import { persistSession } from '../../src/live/persist.ts';
import { SendQueue } from '../../src/live/send-queue.ts';
import type { PromptKind } from '../../src/store/prompts.ts';
import { flush, MINUTE, newWorld, silentLog } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:00:00Z');

/** An engine whose SendQueue has one slot, held by the test until every due session waits for it. */
function engineOn(world: ReturnType<typeof newWorld>) {
  const sends = new SendQueue(() => world.time.now().getTime(), 1);
  const engine = new SessionEngine({ store: world.store, platform: world.platform, clock: world.time, timers: world.time, log: silentLog, owner: 'bot', sends });
  return { engine, sends };
}

async function startHeld(engine: SessionEngine, sends: SendQueue, waiting: number): Promise<void> {
  const held = await sends.acquire(0, 'test');
  const started = engine.start();
  for (let i = 0; i < 100 && sends.size() < waiting; i++) await flush();
  expect(sends.size()).toBe(waiting);
  held();
  await started;
  await engine.whenIdle();
}

describe('many sessions due at once (the top of the hour)', () => {
  it('posts questions first, then the other prompts, heads-ups and previews last', async () => {
    const world = newWorld(START);
    const { store } = world;
    const session = async (guildId: string, channelId: string, prompts: [PromptKind, number][]) => {
      const series = await store.series.saveForChannel({ guildId, channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings: {} });
      const s = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: START, source: 'live', channelId });
      for (const [kind, minute] of prompts) {
        const questionNumber = kind === 'question' || kind === 'heads_up' ? 1 : null;
        await store.prompts.create({ sessionId: s.id, kind, questionNumber, plannedAt: new Date(START.getTime() + minute * MINUTE), state: 'planned', postedAt: null, messageId: null, text: `${kind} in ${channelId}` });
      }
    };
    await session('g1', 'c1', [['heads_up', 0], ['question', 10]]);
    await session('g4', 'c4', [['preview', 0]]);
    await session('g2', 'c2', [['welcome', 0]]);
    await session('g3', 'c3', [['question', 0]]);
    const { engine, sends } = engineOn(world);
    await startHeld(engine, sends, 4);
    expect(world.platform.messages.map((m) => `${m.prompt!.kind} ${m.channelId}`)).toEqual(['question c3', 'welcome c2', 'heads_up c1', 'preview c4']);
  });

  it('serves guilds in turn; a heads-up whose question is due is skipped; every prompt once', async () => {
    const world = newWorld(new Date(START.getTime() + 30_000)); // the bot comes up 30 s in: welcome and question due
    const { store } = world;
    const settings = { guidelinesAtMinutes: null, firstQuestionAtMinutes: 0.5, headsUpMinutesBefore: 0.25 };
    const sessions = [];
    // g1 has three channels with a session each; g2, g3, g4 one each.
    for (const [guildId, channelId] of [['g1', 'a'], ['g1', 'b'], ['g1', 'c'], ['g2', 'd'], ['g3', 'e'], ['g4', 'f']] as const) {
      const series = await store.series.saveForChannel({ guildId, channelId, tag: '#Chat', timezone: 'UTC', schedule: null, settings });
      sessions.push(await persistSession(store, { series, startsAt: START, questions: ['Why?'], questionSetId: null }));
    }
    const { engine, sends } = engineOn(world);
    await startHeld(engine, sends, 6);
    const guildOf = (channelId: string) => (['a', 'b', 'c'].includes(channelId) ? 'g1' : channelId);
    const firstRound = world.platform.messages.slice(0, 4).map((m) => guildOf(m.channelId));
    expect(new Set(firstRound).size).toBe(4); // every guild once before g1 again
    for (const s of sessions) {
      const prompts = await store.prompts.listBySession(s.id);
      const state = (kind: string) => prompts.find((p) => p.kind === kind)!;
      expect(state('welcome')).toMatchObject({ state: 'posted' });
      expect(state('question')).toMatchObject({ state: 'posted' });
      expect(state('heads_up')).toMatchObject({ state: 'skipped', skipReason: 'its question was already due' });
    }
    const posts = world.platform.messages.map((m) => m.prompt!.marker);
    expect(new Set(posts).size).toBe(posts.length);
    expect(posts).toHaveLength(12);
    // In each channel, the welcome before its question.
    for (const channelId of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(world.platform.posted(channelId).map((m) => m.prompt!.kind)).toEqual(['welcome', 'question']);
    }
  });
});
