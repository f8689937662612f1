import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { SessionEngine } from '../../src/live/engine.ts';
import { SeriesPlanner } from '../../src/live/planner.ts';
import { newWorld } from '../helpers/live.ts';

const log = pino({ level: 'silent' });

/** Runs a weekly series on fake time and returns the instants its welcomes went out. */
async function welcomes(timezone: string, schedule: string, from: string, to: string, questionSet = true) {
  const world = newWorld(new Date(from));
  const store = world.store;
  const set = await store.bank.create({ title: 'Weekly', source: 'moderator', questions: ['One?', 'Two?'] });
  await store.series.saveForChannel({
    guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone, schedule,
    settings: questionSet ? { questionSetId: set.id } : {},
  });
  const engine = new SessionEngine({ store, platform: world.platform, clock: world.time, timers: world.time, log, planner: new SeriesPlanner({ store, log }) });
  await engine.start();
  await world.time.advanceTo(new Date(to), () => engine.whenIdle());
  engine.stop();
  return { store, at: world.platform.posted('chat').filter((m) => m.prompt!.kind === 'welcome').map((m) => m.at.toISOString()) };
}

describe('recurring series on fake time, across DST changes', () => {
  it('Monday 18:30 America/New_York: 22:30 UTC on 2026-10-26, 23:30 UTC on 2026-11-02', async () => {
    const { at } = await welcomes('America/New_York', '30 18 * * 1', '2026-10-20T00:00:00Z', '2026-11-03T00:00:00Z');
    expect(at).toEqual(['2026-10-26T22:30:00.000Z', '2026-11-02T23:30:00.000Z']);
  });

  it('Monday 18:30 America/New_York around 2026-03-08: 23:30 UTC, then 22:30 UTC', async () => {
    const { at } = await welcomes('America/New_York', '30 18 * * 1', '2026-02-28T00:00:00Z', '2026-03-10T00:00:00Z');
    expect(at).toEqual(['2026-03-02T23:30:00.000Z', '2026-03-09T22:30:00.000Z']);
  });

  it('Monday 18:30 Europe/London around the end of BST (2026-10-25)', async () => {
    const { at } = await welcomes('Europe/London', '30 18 * * 1', '2026-10-15T00:00:00Z', '2026-10-27T00:00:00Z');
    expect(at).toEqual(['2026-10-19T17:30:00.000Z', '2026-10-26T18:30:00.000Z']);
  });

  it('Monday 18:30 Australia/Sydney around the start of daylight time (2026-10-04)', async () => {
    const { at } = await welcomes('Australia/Sydney', '30 18 * * 1', '2026-09-25T00:00:00Z', '2026-10-06T00:00:00Z');
    expect(at).toEqual(['2026-09-28T08:30:00.000Z', '2026-10-05T07:30:00.000Z']);
  });

  it('plans each occurrence once, however often the planner runs', async () => {
    const { store } = await welcomes('America/New_York', '30 18 * * 1', '2026-10-20T00:00:00Z', '2026-11-03T00:00:00Z');
    const planner = new SeriesPlanner({ store, log });
    expect(await planner.planUpcoming(new Date('2026-11-03T00:00:00Z'))).toEqual([]); // the next one is already planned
    const starts = (await store.dumpTable('sessions')).map((s) => s.starts_at as string).sort();
    expect(starts).toEqual(['2026-10-26T22:30:00.000Z', '2026-11-02T23:30:00.000Z', '2026-11-09T23:30:00.000Z']);
  });

  it('plans nothing for a series without a question set', async () => {
    const { at, store } = await welcomes('America/New_York', '30 18 * * 1', '2026-10-20T00:00:00Z', '2026-10-28T00:00:00Z', false);
    expect(at).toEqual([]);
    expect(await store.sessions.listActive()).toEqual([]);
  });
});
