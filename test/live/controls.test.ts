import { currentSession, sessionStatus } from '../../src/live/status.ts';
import { describe, expect, it } from 'vitest';
import type { SeriesSettingsInput } from '../../src/domain/settings.ts';
import { ControlError } from '../../src/live/requests.ts';
import { persistSession } from '../../src/live/persist.ts';
import type { Store } from '../../src/store/index.ts';
import { MINUTE, bootBot, flush, newWorld, type Bot, type World } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:30:00Z');
const QUESTIONS = ['One?', 'Two?', 'Three?', 'Four?'];
const at = (minutes: number) => START.getTime() + minutes * MINUTE;

async function series(store: Store, settings: SeriesSettingsInput = {}) {
  return await store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: settings as Record<string, unknown> });
}

async function running(settings: SeriesSettingsInput = {}): Promise<{ world: World; bot: Bot; id: number }> {
  const world = newWorld(new Date(at(-1)));
  const bot = bootBot(world.store, world.time, world.platform);
  const session = await persistSession(bot.store, { series: await series(bot.store, settings), startsAt: START, questions: QUESTIONS, questionSetId: null });
  await bot.engine.start();
  return { world, bot, id: session.id };
}

const posted = (world: World) => world.platform.posted('chat').map((m) => `${m.prompt!.kind}${m.prompt!.questionNumber ?? ''}@${(m.at.getTime() - START.getTime()) / MINUTE}`);

describe('start', () => {
  it('starts a session now with the series question set, and logs who did it', async () => {
    const world = newWorld(new Date(at(0)));
    const bot = bootBot(world.store, world.time, world.platform);
    const set = await bot.store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why?', 'How?'] });
    const s = await series(bot.store, { questionSetId: set.id });
    await bot.engine.start();
    const session = await bot.controls.start(s, 'noah');
    expect(session).toMatchObject({ state: 'running', startsAt: new Date(at(0)), questionSetId: set.id, channelId: 'chat' });
    expect(posted(world)).toEqual(['welcome@0']);
    await bot.advanceTo(at(5));
    expect(world.platform.posted('chat').at(-1)!.text).toBe('Q1: Why?');
    expect(await bot.store.controls.list(session.id)).toMatchObject([{ action: 'start', actor: 'noah', at: new Date(at(0)) }]);
  });

  it('starts with questions given by the moderator', async () => {
    const world = newWorld(new Date(at(0)));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await bot.controls.start(await series(bot.store), 'noah', { questions: ['  Custom?  '] });
    expect((await bot.store.prompts.listBySession(session.id)).find((p) => p.kind === 'question')!.text).toBe('Q1: Custom?');
  });

  it.each([
    [{}, /no questions: give some, or choose a question set/],
    [{ questions: [] }, /between 1 and 10 questions/],
    [{ questions: Array(11).fill('q') }, /between 1 and 10 questions/],
    [{ questions: ['ok', '   '] }, /Q2 is empty/],
    [{ questions: ['x'.repeat(1997)] }, /Q1 is too long: 2001 characters with its "Q1: " prefix, Discord allows 2000/],
    [{ questionSetId: 99 }, /no question set #99/],
  ])('refuses %j with a clear message and changes nothing', async (options, message) => {
    const world = newWorld(new Date(at(0)));
    const bot = bootBot(world.store, world.time, world.platform);
    await expect(bot.controls.start(await series(bot.store), 'noah', options)).rejects.toThrow(message);
    expect(await bot.store.sessions.listActive()).toEqual([]);
  });

  it('refuses a second session while one runs in the channel', async () => {
    const { bot } = await running();
    await bot.advanceTo(at(1));
    await expect(bot.controls.start((await bot.store.series.getByChannel('g1', 'chat'))!, 'noah', { questions: ['x'] })).rejects.toThrow(/already running in this channel/);
  });

  it('replaces an upcoming planned session of the series instead of running twice', async () => {
    const world = newWorld(new Date(at(-60)));
    const bot = bootBot(world.store, world.time, world.platform);
    const s = await series(bot.store);
    const planned = await persistSession(bot.store, { series: s, startsAt: START, questions: QUESTIONS, questionSetId: null });
    await bot.engine.start();
    const started = await bot.controls.start(s, 'noah', { questions: ['Now?'] });
    expect((await bot.store.sessions.get(planned.id))!.state).toBe('cancelled');
    await bot.advanceTo(at(60));
    expect(world.platform.posted('chat').filter((m) => m.prompt!.kind === 'welcome')).toHaveLength(1);
    expect((await bot.store.sessions.get(started.id))!.state).toBe('ended');
  });
});

describe('next', () => {
  it('posts the next question now and moves everything after it earlier', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(7));
    await bot.controls.next(id, 'noah'); // Q2 was due at T+12
    await bot.advanceTo(at(60));
    expect(posted(world)).toEqual([
      'welcome@0', 'guidelines@2', 'heads_up1@4', 'question1@5',
      'question2@7', // its heads-up (T+11) skipped
      'heads_up3@13', 'question3@14', 'heads_up4@20', 'question4@21', 'outro@25', 'close@40',
    ]);
    expect((await bot.store.controls.list(id))[0]).toMatchObject({ action: 'next', actor: 'noah', details: { question: 2, shiftedMs: -5 * MINUTE } });
  });

  it('refuses when every question is out', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(27));
    await expect(bot.controls.next(id, 'noah')).rejects.toThrow(/all questions have been posted or skipped; use end/);
  });

  it('refuses before the session has started', async () => {
    const { bot, id } = await running();
    await expect(bot.controls.next(id, 'noah')).rejects.toThrow(ControlError);
  });
});

describe('skip', () => {
  it('skips the next question and its heads-up; the rest keeps its times', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    const skipped = await bot.controls.skip(id, 'noah');
    expect(skipped).toMatchObject({ questionNumber: 2, state: 'skipped', skipReason: 'skipped by noah' });
    await bot.advanceTo(at(60));
    expect(posted(world)).not.toContain('question2@12');
    expect(posted(world)).toContain('question3@19');
  });

  it('skips a named question, and refuses one already posted or unknown', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.skip(id, 'noah', 4);
    await expect(bot.controls.skip(id, 'noah', 1)).rejects.toThrow(/Q1 was already posted/);
    await expect(bot.controls.skip(id, 'noah', 4)).rejects.toThrow(/Q4 was already skipped/);
    await expect(bot.controls.skip(id, 'noah', 9)).rejects.toThrow(/no Q9 \(it has 4 questions\)/);
  });
});

describe('pause and resume', () => {
  it('freezes the timetable, and shifts what is left by the length of the pause', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.pause(id, 'noah');
    await bot.advanceTo(at(20));
    expect(posted(world).at(-1)).toBe('question1@5'); // nothing while paused
    await bot.controls.resume(id, 'noah');
    await bot.advanceTo(at(90));
    expect(posted(world).slice(4)).toEqual(['heads_up2@25', 'question2@26', 'heads_up3@32', 'question3@33', 'heads_up4@39', 'question4@40', 'outro@44', 'close@59']);
  });

  it('stays paused across a restart, and resumes after it', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.pause(id, 'noah');
    bot.stop();
    await world.time.advanceTo(at(30), flush); // down, while paused

    const restarted = bootBot(world.store, world.time, world.platform);
    await restarted.engine.start();
    await restarted.advanceTo(at(40));
    expect(await restarted.store.sessions.get(id)).toMatchObject({ state: 'paused', pausedAt: new Date(at(6)) });
    expect(posted(world).at(-1)).toBe('question1@5');

    await restarted.controls.resume(id, 'ann');
    await restarted.advanceTo(at(120));
    expect(posted(world).slice(4)).toEqual(['heads_up2@45', 'question2@46', 'heads_up3@52', 'question3@53', 'heads_up4@59', 'question4@60', 'outro@64', 'close@79']);
    expect((await restarted.store.controls.list(id)).map((c) => [c.action, c.actor])).toEqual([['pause', 'noah'], ['resume', 'ann']]);
  });

  it('refuses to pause twice or resume a running session', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(1));
    await expect(bot.controls.resume(id, 'noah')).rejects.toThrow(/is not paused/);
    await bot.controls.pause(id, 'noah');
    await expect(bot.controls.pause(id, 'noah')).rejects.toThrow(/is paused; resume it first/);
  });
});

describe('extend, end, cancel', () => {
  it('extend gives N more minutes to everything still to come', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.extend(id, 'noah', 3);
    await bot.advanceTo(at(90));
    expect(posted(world).slice(4)).toEqual(['heads_up2@14', 'question2@15', 'heads_up3@21', 'question3@22', 'heads_up4@28', 'question4@29', 'outro@33', 'close@48']);
    await expect(bot.controls.extend(id, 'noah', 1)).rejects.toThrow(/is ended/);
  });

  it.each([0, -2, 1.5, 121])('extend refuses %s minutes', async (minutes) => {
    const { bot, id } = await running();
    await expect(bot.controls.extend(id, 'noah', minutes)).rejects.toThrow(/from 1 to 120/);
  });

  it('end posts the outro now, skips the questions left, closes after the grace period', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(13));
    await bot.controls.end(id, 'noah');
    await bot.advanceTo(at(90));
    expect(posted(world)).toEqual(['welcome@0', 'guidelines@2', 'heads_up1@4', 'question1@5', 'heads_up2@11', 'question2@12', 'outro@13', 'close@28']);
    expect((await bot.store.sessions.get(id))!.state).toBe('ended');
  });

  it('end on a paused session ends it', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.pause(id, 'noah');
    await bot.controls.end(id, 'noah');
    await bot.advanceTo(at(60));
    expect(posted(world).slice(-2)).toEqual(['outro@6', 'close@21']);
  });

  it('cancel posts nothing more, not even the outro', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.cancel(id, 'noah');
    await bot.advanceTo(at(90));
    expect(posted(world).at(-1)).toBe('question1@5');
    expect(await bot.store.sessions.get(id)).toMatchObject({ state: 'cancelled', endedAt: new Date(at(6)) });
    await expect(bot.controls.next(id, 'noah')).rejects.toThrow(/is cancelled; there is nothing to/);
  });
});

describe('replace and reorder upcoming questions', () => {
  it('replaces the text of a question still to come', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    await bot.controls.replaceQuestion(id, 'noah', 3, 'A better third?');
    await expect(bot.controls.replaceQuestion(id, 'noah', 1, 'too late')).rejects.toThrow(/Q1 was already posted/);
    await expect(bot.controls.replaceQuestion(id, 'noah', 2, ' ')).rejects.toThrow(/Q2 is empty/);
    await bot.advanceTo(at(20));
    expect(world.platform.posted('chat').at(-1)!.text).toBe('Q3: A better third?');
  });

  it('reorders the questions still to come: slots keep numbers and times, texts move', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(13)); // Q1, Q2 out
    await bot.controls.reorderQuestions(id, 'noah', [4, 3]);
    await expect(bot.controls.reorderQuestions(id, 'noah', [3])).rejects.toThrow(/exactly once \(Q3, Q4\)/);
    await expect(bot.controls.reorderQuestions(id, 'noah', [2, 3])).rejects.toThrow(ControlError);
    await bot.advanceTo(at(27));
    expect(world.platform.posted('chat').filter((m) => m.prompt!.kind === 'question').map((m) => m.text)).toEqual(['Q1: One?', 'Q2: Two?', 'Q3: Four?', 'Q4: Three?']);
  });
});

describe('status', () => {
  it('tells what was posted, what comes next and when, and answers so far', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    const base = { channelId: 'chat', threadId: null, authorId: 'u1', authorName: 'kyle', moderator: false, fromSelf: false, replyToId: null };
    await bot.ingest.messageCreated({ ...base, id: 'a1', at: new Date(at(13)), text: 'A1: late answer' });
    await bot.ingest.messageCreated({ ...base, id: 'a2', at: new Date(at(13)), text: 'A2: on time' });
    await bot.ingest.messageCreated({ ...base, id: 'x', at: new Date(at(13)), text: 'just chatting' });
    const status = await sessionStatus(bot.store, id);
    expect(status.posted.map((p) => p.kind)).toEqual(['welcome', 'guidelines', 'heads_up', 'question', 'heads_up', 'question']);
    expect(status.next).toMatchObject({ kind: 'heads_up', questionNumber: 3, plannedAt: new Date(at(18)) });
    expect(status.questions.map((q) => [q.number, q.state, q.answers, q.inferred])).toEqual([[1, 'posted', 1, 0], [2, 'posted', 1, 1], [3, 'planned', 0, 0], [4, 'planned', 0, 0]]);
    await bot.controls.pause(id, 'noah');
    expect((await sessionStatus(bot.store, id)).next).toBeNull();
  });

  it('refuses an unknown session', async () => {
    const { bot } = await running();
    await expect(sessionStatus(bot.store, 999)).rejects.toThrow(/no session #999/);
  });

  it('finds the channel\'s current session: running or paused first, else the next planned', async () => {
    const { bot, id } = await running();
    expect((await currentSession(bot.store, 'chat'))!.id).toBe(id);
    expect(await currentSession(bot.store, 'elsewhere')).toBeNull();
  });
});
