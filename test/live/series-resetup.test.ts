import { describe, expect, it } from 'vitest';
import { SessionEngine } from '../../src/live/engine.ts';
import { SeriesPlanner } from '../../src/live/planner.ts';
import { SessionControls } from '../../src/live/controls.ts';
import { setupSeries, type SeriesSetupInput } from '../../src/live/series-setup.ts';
import { MINUTE, newWorld, silentLog } from '../helpers/live.ts';

/**
 * Issue 10, item 2: setting a chat up again must never lose the coming session. A
 * settings-only change updates it in place; a time change moves it.
 */

const MONDAY_1830 = new Date('2026-11-23T23:30:00Z'); // Monday 18:30 in New York
const HOUR = 60 * MINUTE;

async function world() {
  const w = newWorld(new Date('2026-11-23T12:00:00Z'));
  const store = w.store;
  const set = await store.bank.create({ title: 'Weekly', source: 'moderator', questions: ['One?', 'Two?'] });
  const engine = new SessionEngine({ store, platform: w.platform, clock: w.time, timers: w.time, log: silentLog, planner: new SeriesPlanner({ store, log: silentLog }) });
  const controls = new SessionControls({ store, clock: w.time, log: silentLog, onChange: () => engine.kick() });
  const setup = async (input: Partial<SeriesSetupInput>) => {
    const result = await setupSeries(store, w.time, 'noah', { guildId: 'g1', channelId: 'chat', ...input });
    await engine.kick();
    return result;
  };
  const advanceTo = (to: Date | number) => w.time.advanceTo(to, () => engine.whenIdle());
  const posts = (kind: string) => w.platform.posted('chat').filter((m) => m.prompt!.kind === kind);
  return { ...w, store, set, engine, controls, setup, advanceTo, posts };
}

describe('setting a chat up again (issue 10, item 2)', () => {
  it('a settings-only change (threads) keeps the coming session: it runs at its time with the new setting', async () => {
    const w = await world();
    await w.setup({ tag: '#BadgeChat', weekday: 'monday', time: '18:30', timezone: 'America/New_York', questionSetId: w.set.id });
    await w.engine.start();
    const [planned] = await w.store.sessions.listActive();
    expect(planned).toMatchObject({ state: 'planned', startsAt: MONDAY_1830 });

    await w.advanceTo(new Date('2026-11-23T20:00:00Z'));
    const result = await w.setup({ threads: true });
    expect(result.cancelled).toBe(0);
    expect(await w.store.sessions.get(planned!.id)).toMatchObject({ state: 'planned', startsAt: MONDAY_1830 });

    await w.advanceTo(MONDAY_1830.getTime() + 2 * HOUR);
    expect(w.posts('welcome').map((m) => m.at)).toEqual([MONDAY_1830]);
    expect(w.posts('question').map((m) => [m.text, m.prompt!.openThread])).toEqual([['Q1: One?', true], ['Q2: Two?', true]]);
    expect((await w.store.sessions.get(planned!.id))!.state).toBe('ended');
  });

  it('a timetable setting (preview) re-plans the coming session\'s prompts in place', async () => {
    const w = await world();
    await w.setup({ tag: '#BadgeChat', weekday: 'monday', time: '18:30', timezone: 'America/New_York', questionSetId: w.set.id });
    await w.engine.start();
    await w.advanceTo(new Date('2026-11-23T20:00:00Z'));
    await w.setup({ previewMinutes: 60 });
    await w.advanceTo(MONDAY_1830.getTime() + 2 * HOUR);
    expect(w.posts('preview').map((m) => m.at)).toEqual([new Date(MONDAY_1830.getTime() - HOUR)]);
    expect(w.posts('welcome').map((m) => m.at)).toEqual([MONDAY_1830]);
  });

  it('a time change moves the coming session (with a moderator\'s edits to it): it runs at the new time only', async () => {
    const w = await world();
    await w.setup({ tag: '#BadgeChat', weekday: 'monday', time: '18:30', timezone: 'America/New_York', questionSetId: w.set.id });
    await w.engine.start();
    const [planned] = await w.store.sessions.listActive();
    await w.controls.replaceQuestion(planned!.id, 'noah', 2, 'Two, rephrased?');

    await w.advanceTo(new Date('2026-11-23T20:00:00Z'));
    const result = await w.setup({ time: '19:00' });
    const monday1900 = new Date('2026-11-24T00:00:00Z');
    expect(result.nextSession).toEqual(monday1900);
    expect(await w.store.sessions.get(planned!.id)).toMatchObject({ state: 'planned', startsAt: monday1900 });

    // A week and a bit: this Monday and the next, both at the new time only.
    await w.advanceTo(new Date('2026-12-01T03:00:00Z'));
    expect(w.posts('welcome').map((m) => m.at.toISOString())).toEqual(['2026-11-24T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    const firstQuestions = w.posts('question').filter((m) => m.at < new Date('2026-11-25T00:00:00Z')).map((m) => m.text);
    expect(firstQuestions).toEqual(['Q1: One?', 'Q2: Two, rephrased?']);
    expect((await w.store.sessions.get(planned!.id))!.state).toBe('ended');
  });
});
