import { describe, expect, it } from 'vitest';
import { readArchiveFile } from '../../src/archive/read.ts';
import { questionBody } from '../../src/domain/labels.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import type { SeriesSettingsInput } from '../../src/domain/settings.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { persistSession } from '../../src/live/persist.ts';
import type { Store } from '../../src/store/index.ts';
import { loadLabels, seedPath } from '../helpers/seeds.ts';
import { MINUTE, bootBot, flush, newWorld, type World } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:30:00Z'); // Monday 18:30 in New York

function archiveQuestions(original: string): string[] {
  const t = readArchiveFile(seedPath(original));
  return replayTranscript(t).result.questions.map((q) => questionBody(q.text, t.tag));
}

async function setUp(store: Store, questions: string[], settings: SeriesSettingsInput = {}) {
  const series = await store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: settings as Record<string, unknown> });
  return await persistSession(store, { series, startsAt: START, questions, questionSetId: null });
}

/** The timetable the issue specifies, written out independently of planSession. */
function expectedTimetable(questionCount: number): [string, number | null, number][] {
  const rows: [string, number | null, number][] = [['welcome', null, 0], ['guidelines', null, 2]];
  const offsets = [5, 12, 19, 26, 33, 40, 47, 54, 61, 68].slice(0, questionCount);
  offsets.forEach((m, i) => rows.push(['heads_up', i + 1, m - 1], ['question', i + 1, m]));
  const outro = Math.max(30, offsets.at(-1)! + 1);
  rows.push(['outro', null, outro], ['close', null, outro + 15]);
  return rows;
}

function postedRows(world: World): [string, number | null, number][] {
  return world.platform.posted('chat').map((m) => [m.prompt!.kind, m.prompt!.questionNumber, (m.at.getTime() - START.getTime()) / MINUTE]);
}

describe('a full session on fake time', () => {
  it.each(loadLabels().map((l) => [l.transcript] as const))('runs the question set of %s: every prompt once, in order, on time', async (original) => {
    const questions = archiveQuestions(original);
    const world = newWorld(new Date(START.getTime() - 10 * MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await setUp(bot.store, questions);
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + 2 * 60 * MINUTE);

    expect(postedRows(world)).toEqual(expectedTimetable(questions.length));
    const questionPosts = world.platform.posted('chat').filter((m) => m.prompt!.kind === 'question');
    expect(questionPosts.map((m) => m.text)).toEqual(questions.map((q, i) => `Q${i + 1}: ${q}`));
    expect(world.platform.posted('chat').every((m) => !m.prompt!.late)).toBe(true);
    expect(await bot.store.sessions.get(session.id)).toMatchObject({ state: 'ended', endedAt: new Date(START.getTime() + 45 * MINUTE) });
    expect((await bot.store.prompts.listBySession(session.id)).every((p) => p.state === 'posted' && p.messageId !== null)).toBe(true);
  });

  it('posts the preview with Discord timestamps at its time before the start', async () => {
    const world = newWorld(new Date(START.getTime() - 3 * 60 * MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    await setUp(bot.store, ['One?', 'Two?'], { previewMinutesBefore: 60 });
    await bot.engine.start();
    await bot.advanceTo(START.getTime() - 59 * MINUTE);
    const [preview] = world.platform.posted('chat');
    const unix = START.getTime() / 1000;
    expect(preview!.at).toEqual(new Date(START.getTime() - 60 * MINUTE));
    expect(preview!.text).toBe(`#BadgeChat starts <t:${unix}:F> (<t:${unix}:R>). Tonight's questions:\nQ1: One?\nQ2: Two?\nAnswer with A1:, A2: … and share a takeaway with TA: at the end.`);
  });

  it('keeps a session planned until its welcome, then running', async () => {
    const world = newWorld(new Date(START.getTime() - 5 * MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await setUp(bot.store, ['One?']);
    await bot.engine.start();
    expect((await bot.store.sessions.get(session.id))!.state).toBe('planned');
    await bot.advanceTo(START);
    expect((await bot.store.sessions.get(session.id))!.state).toBe('running');
  });
});

describe('restarts', () => {
  const questions = ['One?', 'Two?', 'Three?', 'Four?'];
  const timetable = expectedTimetable(questions.length);
  const instants = [...new Set(timetable.map(([, , m]) => m))];
  // Every prompt boundary: just before it, exactly at it, and halfway to the next one.
  const stops = instants.flatMap((m, i) => {
    const next = instants[i + 1];
    return [m * MINUTE - 1, m * MINUTE, ...(next === undefined ? [] : [((m + next) / 2) * MINUTE])];
  });

  it.each(stops.map((ms) => [ms / MINUTE, ms] as const))('stopped at T+%s min and restarted: every prompt posted once, in order, on time', async (_label, ms) => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const first = bootBot(world.store, world.time, world.platform);
    await setUp(first.store, questions);
    await first.engine.start();
    await first.advanceTo(START.getTime() + ms);
    first.stop();

    const second = bootBot(world.store, world.time, world.platform);
    await second.engine.start();
    await second.advanceTo(START.getTime() + 2 * 60 * MINUTE);
    expect(postedRows(world)).toEqual(timetable);
  });

  it.each(timetable.map(([kind, n, m], i) => [`${kind}${n ?? ''}`, m, i] as const))(
    'crash between sending %s (T+%s) and recording it: after the restart it is found, not sent again',
    async (_name, minute, index) => {
      const world = newWorld(new Date(START.getTime() - MINUTE));
      const first = bootBot(world.store, world.time, world.platform);
      const session = await setUp(first.store, questions);
      await first.engine.start();
      await first.advanceTo(START.getTime() + minute * MINUTE - 1);
      // Prompts sharing the instant go out in order; crash on exactly the index-th one.
      const before = timetable.slice(0, index).filter(([, , m]) => m === minute).length;
      world.platform.failNext('crash-after-send', before);
      await world.time.advanceTo(START.getTime() + minute * MINUTE, flush);
      first.stop(); // the process is gone: its post never returned

      const stuck = (await first.store.prompts.listBySession(session.id)).filter((p) => p.state === 'posting');
      expect(stuck).toHaveLength(1);

      const second = bootBot(world.store, world.time, world.platform);
      await second.engine.start();
      await second.advanceTo(START.getTime() + 2 * 60 * MINUTE);
      expect(postedRows(world)).toEqual(timetable);
      expect(await second.store.prompts.get(stuck[0]!.id)).toMatchObject({ state: 'posted', messageId: world.platform.posted('chat')[index]!.id });
    },
  );

  it('without markers (as on Discord) a crashed post is recognised by its text, not sent again', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    world.platform = new MemoryPlatform(world.time, { keepsMarkers: false });
    const first = bootBot(world.store, world.time, world.platform);
    await setUp(first.store, questions);
    await first.engine.start();
    await first.advanceTo(START.getTime() + 5 * MINUTE - 1);
    world.platform.failNext('crash-after-send', 0);
    await world.time.advanceTo(START.getTime() + 5 * MINUTE, flush);
    first.stop();
    const second = bootBot(world.store, world.time, world.platform);
    await second.engine.start();
    await second.advanceTo(START.getTime() + 2 * 60 * MINUTE);
    expect(postedRows(world)).toEqual(timetable);
  });

  it('without markers, the same text posted before the prompt\'s time (last week\'s) is not taken for it', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    world.platform = new MemoryPlatform(world.time, { keepsMarkers: false });
    world.platform.seed('chat', 'Q1: One?', new Date(START.getTime() - 7 * 24 * 60 * MINUTE));
    const first = bootBot(world.store, world.time, world.platform);
    const session = await setUp(first.store, questions);
    const q1 = (await first.store.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === 1)!;
    await first.store.prompts.markPosting(q1.id, 'emcee:x'); // crashed before the send reached the platform
    await world.time.advanceTo(START.getTime() + 5 * MINUTE, flush);
    const second = bootBot(world.store, world.time, world.platform);
    await second.engine.start();
    await second.advanceTo(START.getTime() + 2 * 60 * MINUTE);
    expect(world.platform.posted('chat').filter((m) => m.text === 'Q1: One?')).toHaveLength(1);
  });

  it('the platform failing while reconciling does not stall the engine: it retries and carries on', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const first = bootBot(world.store, world.time, world.platform);
    await setUp(first.store, questions);
    await first.engine.start();
    await first.advanceTo(START.getTime() + 5 * MINUTE - 1);
    world.platform.failNext('crash-after-send');
    await world.time.advanceTo(START.getTime() + 5 * MINUTE, flush);
    first.stop();
    // After the restart, reading the channel back fails twice before it works again.
    const fetchRecent = world.platform.fetchRecent.bind(world.platform);
    let failures = 2;
    world.platform.fetchRecent = async (channelId, limit) => {
      if (failures-- > 0) throw new Error('platform unreachable (simulated)');
      return fetchRecent(channelId, limit);
    };
    const second = bootBot(world.store, world.time, world.platform);
    await second.engine.start();
    await second.advanceTo(START.getTime() + 2 * 60 * MINUTE);
    expect(postedRows(world)).toEqual(timetable);
  });

  it('a post that fails with unknown outcome is found by its marker on retry, not sent twice', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    await setUp(bot.store, questions);
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + 5 * MINUTE - 1);
    world.platform.failNext('after-send'); // Q1 is sent, but the platform call fails
    await bot.advanceTo(START.getTime() + 2 * 60 * MINUTE);
    expect(postedRows(world)).toEqual(timetable);
  });

  it('a post that fails before sending is retried with backoff and goes out (late only if past tolerance)', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await setUp(bot.store, questions);
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + 5 * MINUTE - 1);
    world.platform.failNext('before-send');
    world.platform.failNext('before-send');
    await bot.advanceTo(START.getTime() + 6 * MINUTE);
    const q1 = (await bot.store.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === 1)!;
    // Attempts at T+5:00, T+5:05 (fails), T+5:20 (5 s then 15 s backoff): posted on the third.
    expect(q1).toMatchObject({ state: 'posted', attempts: 3, late: false, postedAt: new Date(START.getTime() + 5 * MINUTE + 20_000) });
    expect(world.platform.posted('chat').filter((m) => m.prompt!.questionNumber === 1 && m.prompt!.kind === 'question')).toHaveLength(1);
  });

  it('gives a prompt up after 5 failed attempts and carries on with the rest', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await setUp(bot.store, ['One?']);
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + 5 * MINUTE - 1);
    for (let i = 0; i < 5; i++) world.platform.failNext('before-send');
    await bot.advanceTo(START.getTime() + 60 * MINUTE);
    const q1 = (await bot.store.prompts.listBySession(session.id)).find((p) => p.kind === 'question')!;
    expect(q1).toMatchObject({ state: 'failed', attempts: 5 });
    expect(postedRows(world).map(([k]) => k)).toEqual(['welcome', 'guidelines', 'heads_up', 'outro', 'close']);
  });
});

describe('prompts missed while the bot was down', () => {
  const questions = ['One?', 'Two?', 'Three?', 'Four?'];

  async function downBetween(downAt: number, upAt: number, settings: SeriesSettingsInput = {}) {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const first = bootBot(world.store, world.time, world.platform);
    const session = await setUp(first.store, questions, settings);
    await first.engine.start();
    await first.advanceTo(START.getTime() + downAt * MINUTE);
    first.stop();
    await world.time.advanceTo(START.getTime() + upAt * MINUTE, flush); // nobody running
    const second = bootBot(world.store, world.time, world.platform);
    await second.engine.start();
    await second.advanceTo(START.getTime() + 2 * 60 * MINUTE);
    const rows = world.platform.posted('chat').map((m) => [m.prompt!.kind, m.prompt!.questionNumber, (m.at.getTime() - START.getTime()) / MINUTE, m.prompt!.late]);
    return { rows, store: second.store, session };
  }

  it('posts them late, in order, when the session still runs; heads-ups of due questions are skipped', async () => {
    const { rows, store, session } = await downBetween(3, 14);
    expect(rows).toEqual([
      ['welcome', null, 0, false], ['guidelines', null, 2, false],
      ['question', 1, 14, true], ['question', 2, 14, true], // T+5 and T+12 missed; heads-ups at 4 and 11 skipped
      ['heads_up', 3, 18, false], ['question', 3, 19, false],
      ['heads_up', 4, 25, false], ['question', 4, 26, false],
      ['outro', null, 30, false], ['close', null, 45, false],
    ]);
    const skipped = (await store.prompts.listBySession(session.id)).filter((p) => p.state === 'skipped');
    expect(skipped.map((p) => [p.kind, p.questionNumber, p.skipReason])).toEqual([
      ['heads_up', 1, 'its question was already due'], ['heads_up', 2, 'its question was already due'],
    ]);
  });

  it('skips them with missedPrompts: skip', async () => {
    const { rows } = await downBetween(3, 14, { missedPrompts: 'skip' });
    expect(rows.map(([k, n, m]) => [k, n, m])).toEqual([
      ['welcome', null, 0], ['guidelines', null, 2], ['heads_up', 3, 18], ['question', 3, 19],
      ['heads_up', 4, 25], ['question', 4, 26], ['outro', null, 30], ['close', null, 45],
    ]);
  });

  it('skips everything left when the session was over, and ends it', async () => {
    const { rows, store, session } = await downBetween(20, 50);
    expect(rows.map(([k, n]) => [k, n]).slice(-2)).toEqual([['heads_up', 3], ['question', 3]]);
    expect((await store.sessions.get(session.id))!.state).toBe('ended');
    expect((await store.prompts.listBySession(session.id)).filter((p) => p.state === 'skipped').map((p) => p.kind)).toEqual(['heads_up', 'question', 'outro', 'close']);
  });

  it('is not late within the tolerance: a restart 30 s after a prompt posts it as on time', async () => {
    const { rows } = await downBetween(4.5, 5.5);
    expect(rows.find(([k, n]) => k === 'question' && n === 1)).toEqual(['question', 1, 5.5, false]);
  });
});
