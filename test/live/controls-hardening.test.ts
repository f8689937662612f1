import { currentSession, sessionStatus } from '../../src/live/status.ts';
import { describe, expect, it } from 'vitest';
import { ControlError } from '../../src/live/requests.ts';
import { formatStatus } from '../../src/live/format.ts';
import { persistSession } from '../../src/live/persist.ts';
import { MINUTE, bootBot, newWorld, type Bot, type World } from '../helpers/live.ts';

/** Issue 10, items 3–5: end twice, next before the guidelines, status and extend before the start. */

const START = new Date('2026-11-23T23:30:00Z');
const QUESTIONS = ['One?', 'Two?', 'Three?', 'Four?'];
const at = (minutes: number) => START.getTime() + minutes * MINUTE;
const iso = (d: Date) => d.toISOString();

async function session(): Promise<{ world: World; bot: Bot; id: number }> {
  const world = newWorld(new Date(at(-1)));
  const bot = bootBot(world.store, world.time, world.platform);
  const series = await bot.store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const s = await persistSession(bot.store, { series, startsAt: START, questions: QUESTIONS, questionSetId: null });
  await bot.engine.start();
  return { world, bot, id: s.id };
}

const posted = (world: World) => world.platform.posted('chat').map((m) => `${m.prompt!.kind}${m.prompt!.questionNumber ?? ''}@${(m.at.getTime() - START.getTime()) / MINUTE}`);

describe('end is idempotent (item 3)', () => {
  it('a second end 2 s later changes nothing: the close stays at outro + grace', async () => {
    const { world, bot, id } = await session();
    await bot.advanceTo(at(13));
    await bot.controls.end(id, 'noah');
    await bot.advanceTo(at(13) + 2_000);
    await expect(bot.controls.end(id, 'noah')).rejects.toThrow(/session #\d+ is already ending: the outro is out and answers close in 15 minutes/);
    await bot.advanceTo(at(90));
    expect(posted(world)).toEqual(['welcome@0', 'guidelines@2', 'heads_up1@4', 'question1@5', 'heads_up2@11', 'question2@12', 'outro@13', 'close@28']);
    expect((await bot.store.controls.list(id)).map((c) => c.action)).toEqual(['end']);
  });

  it('two ends before the outro went out (the same instant) change nothing either', async () => {
    const { world, bot, id } = await session();
    await bot.advanceTo(at(13));
    const first = bot.controls.end(id, 'noah');
    await expect(bot.controls.end(id, 'amy')).rejects.toThrow(ControlError);
    await first;
    await bot.advanceTo(at(90));
    expect(posted(world).slice(-2)).toEqual(['outro@13', 'close@28']);
  });

  it('end in the grace period after the scheduled outro keeps the close where it is', async () => {
    const { world, bot, id } = await session();
    await bot.advanceTo(at(35)); // the outro went out at T+30, the close is due at T+45
    await expect(bot.controls.end(id, 'noah')).rejects.toThrow(/already ending: the outro is out and answers close in 10 minutes/);
    await bot.advanceTo(at(90));
    expect(posted(world).slice(-2)).toEqual(['outro@30', 'close@45']);
  });
});

describe('next before the guidelines are out (item 4)', () => {
  it('posts what comes before the question first, in order; the question\'s heads-up is skipped', async () => {
    const { world, bot, id } = await session();
    await bot.advanceTo(at(1)); // the welcome is out, the guidelines (T+2) are not
    await bot.controls.next(id, 'noah'); // Q1 (T+5) now: everything from it moves 4 minutes earlier
    await bot.advanceTo(at(90));
    expect(posted(world)).toEqual([
      'welcome@0', 'guidelines@1', 'question1@1',
      'heads_up2@7', 'question2@8', 'heads_up3@14', 'question3@15', 'heads_up4@21', 'question4@22', 'outro@26', 'close@41',
    ]);
    const prompts = await bot.store.prompts.listBySession(id);
    expect(prompts.find((p) => p.kind === 'heads_up' && p.questionNumber === 1)).toMatchObject({ state: 'skipped', skipReason: 'the question was posted early (next)' });
    // Nothing went out of order: post times follow the posting order.
    const times = world.platform.posted('chat').map((m) => m.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('status and extend before the start (item 5)', () => {
  it('status of a planned session says when it starts, not that it started', async () => {
    const { bot, id } = await session();
    const text = formatStatus(await sessionStatus(bot.store, id), iso);
    expect(text.split('\n')[0]).toBe(`**#BadgeChat** session #${id}: planned (starts ${iso(START)})`);
    await bot.advanceTo(at(1));
    expect(formatStatus(await sessionStatus(bot.store, id), iso).split('\n')[0]).toBe(`**#BadgeChat** session #${id}: running (started ${iso(START)})`);
  });

  it('status of a session cancelled before its start says when it was to start', async () => {
    const { bot, id } = await session();
    await bot.controls.cancel(id, 'noah');
    expect(formatStatus(await sessionStatus(bot.store, id), iso).split('\n')[0]).toBe(`**#BadgeChat** session #${id}: cancelled (was to start ${iso(START)})`);
  });

  it('extend before the start is refused and moves nothing: it gives a running chat more time', async () => {
    const { world, bot, id } = await session();
    await expect(bot.controls.extend(id, 'noah', 10)).rejects.toThrow(
      `session #${id} has not started yet, so there is nothing to extend; to move it, set up the chat with a new time`,
    );
    expect(await bot.store.controls.list(id)).toEqual([]);
    await bot.advanceTo(at(90));
    expect(posted(world).slice(0, 2)).toEqual(['welcome@0', 'guidelines@2']);
    expect(posted(world).at(-1)).toBe('close@45');
  });
});
