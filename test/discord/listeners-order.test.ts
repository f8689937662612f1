import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { pollUntil } from '../helpers/poll.ts';

/**
 * The Discord listeners with group commit (issue 13), on the real client and the sandbox:
 * creates, edits and deletes handed over in the order they came, however fast; the series
 * lookup cached, yet a series set up in this process counts from the next message on.
 */

const START = new Date('2026-11-23T23:30:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(): Promise<{ sandbox: Sandbox; store: Store; bot: RunningApp; channelId: string; time: FakeTime }> {
  const time = new FakeTime(START);
  const sandbox = await startSandbox({ clock: time });
  const store = openStore(':memory:', time);
  const channelId = sandbox.createChannel('badgechat').id;
  const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });
  cleanups.push(() => sandbox.close(), () => store.close(), () => bot.stop());
  return { sandbox, store, bot, channelId, time };
}

const SETTINGS = { guidelinesAtMinutes: 0.5, firstQuestionAtMinutes: 1, questionIntervalMinutes: 1, headsUpMinutesBefore: 0.5, durationMinutes: 30, graceMinutes: 5 };

describe('listeners: one order, cached series', () => {
  it('a channel without a series is ignored until one is set up here; then its messages count at once', async () => {
    const { sandbox, store, bot, channelId, time } = await setUp();
    const kyle = sandbox.createUser('kyle');
    const before = sandbox.userSays(channelId, kyle.id, 'A1: nobody listens yet');
    await bot.live.ingest.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.messages.get(before.id)).toBeNull();
    const series = await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: SETTINGS });
    const session = await bot.live.controls.start(series, 'tester', { questions: ['One?'] });
    await time.advanceTo(START.getTime() + MINUTE, () => bot.live.engine.whenIdle());
    const after = sandbox.userSays(channelId, kyle.id, 'A1: now it counts');
    await pollUntil(() => store.messages.get(after.id));
    expect(await store.messages.get(after.id)).toMatchObject({ sessionId: session.id, text: 'A1: now it counts' });
  });

  it('a create, its edits and a delete in one burst land in order: the last text, the old ones kept, the tombstone', async () => {
    const { sandbox, store, bot, channelId, time } = await setUp();
    const series = await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: SETTINGS });
    const session = await bot.live.controls.start(series, 'tester', { questions: ['One?', 'Two?'] });
    await time.advanceTo(START.getTime() + 2 * MINUTE, () => bot.live.engine.whenIdle());
    const kyle = sandbox.createUser('kyle');
    // No waiting in between: the gateway delivers them back to back.
    const m = sandbox.userSays(channelId, kyle.id, 'A1: first');
    sandbox.userEdits(m.id, 'A2: second');
    sandbox.userEdits(m.id, 'A2: third');
    const gone = sandbox.userSays(channelId, kyle.id, 'A1: soon gone');
    sandbox.userDeletes(gone.id);
    const burst = Array.from({ length: 40 }, (_, i) => sandbox.userSays(channelId, kyle.id, `A1: burst ${i}`));
    await pollUntil(async () => (await store.messages.count(session.id)) >= 44 + 2 || undefined);
    await pollUntil(async () => (await store.messages.get(gone.id))?.deletedAt ?? undefined);
    expect(await store.messages.get(m.id)).toMatchObject({ text: 'A2: third', deletedAt: null });
    expect(await store.messages.previousTexts(m.id)).toEqual(['A1: first', 'A2: second']);
    const answers = await store.messages.answers(session.id);
    expect(answers.find((a) => a.platformId === m.id)).toMatchObject({ question: 2, text: 'A2: third' });
    expect(answers.some((a) => a.platformId === gone.id)).toBe(false);
    const ids = (await store.messages.listBySession(session.id)).filter((x) => !x.fromSelf).map((x) => x.platformId);
    expect(ids).toEqual([m.id, gone.id, ...burst.map((b) => b.id)]);
  });

  it('a burst reads the change mark once per arrival, not once per message in line, when a read is a round trip (PostgreSQL)', async () => {
    const { sandbox, store, bot, channelId, time } = await setUp();
    const series = await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: SETTINGS });
    const session = await bot.live.controls.start(series, 'tester', { questions: ['One?'] });
    await time.advanceTo(START.getTime() + 2 * MINUTE, () => bot.live.engine.whenIdle());
    // As the PostgreSQL store reads it: a round trip (here 5 ms), callers meanwhile sharing it.
    const real = store.changeMark.bind(store);
    let reads = 0;
    let inFlight: Promise<number> | null = null;
    store.changeMark = () => (inFlight ??= new Promise((resolve) => setTimeout(resolve, 5))
      .then(() => (reads++, real()))
      .finally(() => (inFlight = null)));
    const kyle = sandbox.createUser('kyle');
    const burst = Array.from({ length: 100 }, (_, i) => sandbox.userSays(channelId, kyle.id, `A1: burst ${i}`));
    await pollUntil(async () => (await store.messages.count(session.id)) >= 100 + 1 || undefined);
    const ids = (await store.messages.listBySession(session.id)).filter((x) => !x.fromSelf).map((x) => x.platformId);
    expect(ids).toEqual(burst.map((b) => b.id));
    // Read in line at each hand-over, the burst took 28 reads in one run (5 ms each, one after another).
    expect(reads).toBeLessThan(12);
  });
});
