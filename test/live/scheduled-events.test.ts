import { afterEach, describe, expect, it } from 'vitest';
import { createLiveSessions, type LiveSessions } from '../../src/live/index.ts';
import { setupSeries } from '../../src/live/series-setup.ts';
import { descriptionOf, noPings } from '../../src/live/scheduled-events.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { DEFAULT_SETTINGS } from '../../src/domain/settings.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, flush, MINUTE, silentLog } from '../helpers/live.ts';

// The Scheduled Event of each session on the in-memory platform: created when planned, kept in
// step with the controls, ACTIVE at the start and COMPLETED at the close, reconciled after a crash.

const T0 = new Date('2026-12-07T17:00:00Z'); // a Monday
const MONDAY_1800 = new Date('2026-12-07T18:00:00Z');

interface Proc {
  live: LiveSessions;
  advanceTo(to: Date | number): Promise<void>;
}

const running: LiveSessions[] = [];
afterEach(() => {
  for (const live of running.splice(0)) live.stop();
});

/** A bot process; `dies`: its event work never finishes (it is killed mid-request), so nothing waits for it. */
async function boot(store: Store, time: FakeTime, platform: MemoryPlatform, dies = false): Promise<Proc> {
  const live = createLiveSessions({ store, platform, clock: time, timers: time, log: silentLog, minuteTick: false, owner: 'bot' });
  running.push(live);
  const settle = async () => {
    await live.engine.whenIdle();
    if (dies) await flush();
    else await live.events!.idle();
  };
  await live.start();
  await settle();
  return { live, advanceTo: (to) => time.advanceTo(to, settle) };
}

async function world(settings: Record<string, unknown> = {}) {
  const time = new FakeTime(T0);
  const store = openStore(':memory:', time);
  const platform = new MemoryPlatform(time, { scheduledEvents: true });
  const set = await store.bank.create({ title: 'Open source <@123> @everyone', source: 'moderator', questions: ['Why?', 'How?'] });
  const series = await store.series.saveForChannel({
    guildId: '1000000000000000001', channelId: '2000000000000000002', tag: '#BadgeChat', timezone: 'UTC', schedule: '0 18 * * 1',
    settings: { questionSetId: set.id, ...settings },
  });
  return { time, store, platform, events: platform.scheduledEvents!, series };
}

describe('a Scheduled Event for every planned session (memory platform)', () => {
  it('created once when planned, moved by extend, ACTIVE at T+0 then COMPLETED at close, with the interested counts', async () => {
    const w = await world();
    const bot = await boot(w.store, w.time, w.platform);
    expect(w.events.events).toHaveLength(1);
    const [event] = w.events.events;
    const [session] = await w.store.sessions.listActive();
    expect(event).toMatchObject({ status: 'scheduled', startsAt: MONDAY_1800, name: '#BadgeChat: Open source <@\u200b123> @\u200beveryone' });
    expect(event!.place).toEqual({ location: 'https://discord.com/channels/1000000000000000001/2000000000000000002' });
    const close = (await w.store.prompts.listBySession(session!.id)).find((p) => p.kind === 'close')!;
    expect(event!.endsAt).toEqual(close.plannedAt);

    // Planning again (every engine cycle) makes no second event.
    await bot.advanceTo(MONDAY_1800.getTime() - 10 * MINUTE);
    expect(w.events.events).toHaveLength(1);
    event!.interested = 4;
    await bot.advanceTo(MONDAY_1800);
    expect(event!.status).toBe('active');
    expect(await w.store.scheduledEvents.get(session!.id)).toMatchObject({ state: 'active', interestedAtStart: 4 });

    await bot.live.controls.extend(session!.id, 'mod', 10);
    await bot.live.events!.idle();
    expect(event!.endsAt).toEqual(new Date(close.plannedAt.getTime() + 10 * MINUTE));

    event!.interested = 6;
    await bot.advanceTo(close.plannedAt.getTime() + 10 * MINUTE);
    expect((await w.store.sessions.get(session!.id))!.state).toBe('ended');
    expect(event!.status).toBe('completed');
    expect(await w.store.scheduledEvents.get(session!.id)).toMatchObject({ state: 'completed', interestedAtStart: 4, interestedAtClose: 6 });
    expect(w.events.events).toHaveLength(2); // the next Monday's session has its own
  });

  it('pause and resume, and end, move the end with the close; a session re-planned by setup moves its start', async () => {
    const w = await world();
    const bot = await boot(w.store, w.time, w.platform);
    const [session] = await w.store.sessions.listActive();
    const [event] = w.events.events;
    const closeAt = async () => (await w.store.prompts.listBySession(session!.id)).find((p) => p.kind === 'close')!.plannedAt;

    // /chat setup moves the weekly chat an hour later: the planned session is re-planned, and
    // the next reconcile (at most a minute later) moves its event's start and end.
    const setup = await setupSeries(w.store, w.time, 'mod', { guildId: w.series.guildId!, channelId: w.series.channelId!, weekday: 'monday', time: '19:00' });
    expect(setup.updated.map((u) => u.sessionId)).toEqual([session!.id]);
    await bot.advanceTo(T0.getTime() + 2 * MINUTE);
    await bot.live.engine.kick();
    await bot.live.events!.idle();
    const start = new Date(MONDAY_1800.getTime() + 60 * MINUTE);
    expect(event).toMatchObject({ startsAt: start, endsAt: await closeAt() });

    await bot.advanceTo(start.getTime() + 6 * MINUTE);
    await bot.live.controls.pause(session!.id, 'mod');
    await bot.advanceTo(start.getTime() + 16 * MINUTE);
    await bot.live.controls.resume(session!.id, 'mod');
    await bot.live.events!.idle();
    expect(event!.endsAt).toEqual(await closeAt());
    expect(event!.endsAt!.getTime()).toBeGreaterThan(start.getTime() + 45 * MINUTE); // the 10 paused minutes added

    await bot.live.controls.end(session!.id, 'mod');
    await bot.live.events!.idle();
    expect(event!.endsAt).toEqual(await closeAt());
    expect(event!.status).toBe('active');
  });

  it('cancel cancels the event; a guild without the permission gets none and the chat runs', async () => {
    const w = await world();
    const bot = await boot(w.store, w.time, w.platform);
    const [session] = await w.store.sessions.listActive();
    await bot.live.controls.cancel(session!.id, 'mod');
    await bot.live.events!.idle();
    expect(w.events.events[0]!.status).toBe('canceled');

    const v = await world();
    v.events.denied.add('1000000000000000001');
    const other = await boot(v.store, v.time, v.platform);
    await other.advanceTo(MONDAY_1800);
    expect(v.events.events).toEqual([]);
    expect(v.platform.posted('2000000000000000002').map((m) => m.prompt!.kind)).toContain('welcome');
  });

  it('scheduledEvents: false makes none', async () => {
    const w = await world({ scheduledEvents: false });
    await boot(w.store, w.time, w.platform);
    expect(w.events.events).toEqual([]);
  });

  it('a lost create answer: the same process finds the event by its marker on its next look', async () => {
    const w = await world();
    w.events.loseNextCreate('error');
    await boot(w.store, w.time, w.platform);
    const [session] = await w.store.sessions.listActive();
    expect(w.events.events).toHaveLength(1);
    expect(await w.store.scheduledEvents.get(session!.id)).toMatchObject({ state: 'scheduled', eventId: w.events.events[0]!.id });
  });

  it('killed between the create and its record: after a restart the event is found by its marker, not made again', async () => {
    const w = await world();
    w.events.loseNextCreate('crash');
    const first = await boot(w.store, w.time, w.platform, true);
    const [session] = await w.store.sessions.listActive();
    expect(w.events.events).toHaveLength(1);
    expect(await w.store.scheduledEvents.get(session!.id)).toMatchObject({ state: 'creating', eventId: null });
    first.live.stop();

    await boot(w.store, w.time, w.platform); // the restart
    expect(w.events.events).toHaveLength(1);
    expect(await w.store.scheduledEvents.get(session!.id)).toMatchObject({ state: 'scheduled', eventId: w.events.events[0]!.id });
  });

  it('reminderRoleId: one reminder, five minutes before the start', async () => {
    const w = await world({ reminderRoleId: '3000000000000000003' });
    const bot = await boot(w.store, w.time, w.platform);
    await bot.advanceTo(MONDAY_1800.getTime() - 6 * MINUTE);
    expect(w.events.reminders).toEqual([]);
    for (const m of [5, 4, 3]) await bot.advanceTo(MONDAY_1800.getTime() - m * MINUTE);
    expect(w.events.reminders).toEqual([{ channelId: '2000000000000000002', roleId: '3000000000000000003', text: '#BadgeChat starts in 5 minutes.' }]);
  });

  it('the description: the questions with a preview, else the topic and how to take part; no pings', () => {
    const prompts = [{ kind: 'question', text: 'Q1: Why?' }, { kind: 'question', text: 'Q2: How?' }] as never;
    expect(descriptionOf({ ...DEFAULT_SETTINGS, previewMinutesBefore: 60 }, '#T', 'Topic', prompts, '5')).toMatch(/^Tonight's questions:\nQ1: Why\?\nQ2: How\?\n\nJoin in <#5>/);
    expect(descriptionOf(DEFAULT_SETTINGS, '#T', 'Topic', prompts, '5')).toMatch(/^Topic\n\nJoin in <#5>/);
    expect(noPings('@here <@&1> <@2>')).toBe('@\u200bhere <@\u200b&1> <@\u200b2>');
  });
});
