import { describe, expect, it } from 'vitest';
import { persistSession } from '../../src/live/persist.ts';
import {
  CONTROL_NAMES, ControlError, controlAction, describeOutcome, isControlName, parseQuestionsOption, planStart, runControl,
  type ControlAction, type ControlWording,
} from '../../src/live/requests.ts';
import type { Store } from '../../src/store/index.ts';
import { MINUTE, bootBot, newWorld } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:30:00Z');

/** The one parser behind `/chat start questions:` and `emcee session start --questions`. */
describe('parseQuestionsOption', () => {
  it.each([
    ['absent (null)', null, {}],
    ['absent (undefined)', undefined, {}],
    ['a set id', '42', { questionSetId: 42 }],
    ['a set id with spaces around it', '  7 ', { questionSetId: 7 }],
    ['one question', 'Just one?', { questions: ['Just one?'] }],
    ['questions separated by |', 'One? | Two?|Three?', { questions: ['One?', 'Two?', 'Three?'] }],
    ['questions on lines', 'One?\nTwo?\n', { questions: ['One?', 'Two?'] }],
    ['| and lines mixed, empties dropped', ' One? |\n| Two? \n\n|  Three?  | ', { questions: ['One?', 'Two?', 'Three?'] }],
    ['only separators', ' | | ', { questions: [] }],
    ['an empty string', '', { questions: [] }],
    ['a number inside a question', 'Top 3 tips? | 42', { questions: ['Top 3 tips?', '42'] }],
    ['a negative number (not a set id)', '-3', { questions: ['-3'] }],
  ])('%s', (_name, raw, parsed) => {
    expect(parseQuestionsOption(raw)).toEqual(parsed);
  });
});

async function store(): Promise<Store> {
  return newWorld(START).store;
}

describe('planStart: what a start asks, checked once for every front end', () => {
  it('given questions are validated and trimmed; a set gives its first ten', async () => {
    const s = await store();
    expect(await planStart(s, null, { questions: ['  One? ', 'Two?'] })).toEqual({ questions: ['One?', 'Two?'], questionSetId: null });
    const set = await s.bank.create({ title: 'Long', source: 'moderator', questions: Array.from({ length: 12 }, (_, i) => `Q ${i + 1}?`) });
    expect(await planStart(s, null, { questionSetId: set.id })).toEqual({ questions: set.questions.slice(0, 10), questionSetId: set.id });
    const series = await s.series.saveForChannel({ guildId: 'g', channelId: 'c', tag: '#x', timezone: 'UTC', schedule: null, settings: { questionSetId: set.id } });
    expect((await planStart(s, series, {})).questionSetId).toBe(set.id);
  });

  it.each([
    ['no questions at all', {}, 'no questions: give some, or choose a question set from the bank for this series'],
    ['an empty list', { questions: [] }, 'give between 1 and 10 questions'],
    ['eleven questions', { questions: Array(11).fill('q') }, 'give between 1 and 10 questions'],
    ['a blank question', { questions: ['ok', ' '] }, 'Q2 is empty'],
    ['an unknown set', { questionSetId: 99 }, 'there is no question set #99 in the bank'],
  ])('refuses %s with a ControlError, writing nothing', async (_name, options, message) => {
    const s = await store();
    const before = JSON.stringify(await s.dumpTable('series'));
    const err = await planStart(s, null, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as Error).message).toBe(message);
    expect(JSON.stringify(await s.dumpTable('series'))).toBe(before);
  });

  it('refuses an empty set', async () => {
    const s = await store();
    const set = await s.bank.create({ title: 'Empty', source: 'moderator', questions: [] });
    await expect(planStart(s, null, { questionSetId: set.id })).rejects.toThrow(`question set #${set.id} has no questions`);
  });
});

describe('runControl: one set of controls behind /chat and emcee session', () => {
  it('names exactly the seven controls', () => {
    expect(CONTROL_NAMES).toEqual(['next', 'skip', 'pause', 'resume', 'extend', 'end', 'cancel']);
    expect(CONTROL_NAMES.every(isControlName)).toBe(true);
    expect(['start', 'status', 'recap', '', null, undefined].some(isControlName)).toBe(false);
  });

  it('maps options to typed actions', () => {
    expect(controlAction('skip', { question: 3 })).toEqual({ kind: 'skip', question: 3 });
    expect(controlAction('skip', { question: null })).toEqual({ kind: 'skip' });
    expect(controlAction('extend', { minutes: 5 })).toEqual({ kind: 'extend', minutes: 5 });
    expect(controlAction('pause', { question: 2, minutes: 4 })).toEqual({ kind: 'pause' });
  });

  it('runs each control on the session and returns what it did, logged with the actor', async () => {
    const world = newWorld(new Date(START.getTime() - MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    const series = await bot.store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'UTC', schedule: null, settings: {} });
    const session = await persistSession(bot.store, { series, startsAt: START, questions: ['One?', 'Two?', 'Three?'], questionSetId: null });
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + MINUTE);
    const steps: [ControlAction, object][] = [
      [{ kind: 'pause' }, { kind: 'pause' }],
      [{ kind: 'resume' }, { kind: 'resume' }],
      [{ kind: 'next' }, { kind: 'next', questionNumber: 1 }],
      [{ kind: 'skip', question: 3 }, { kind: 'skip', questionNumber: 3 }],
      [{ kind: 'skip' }, { kind: 'skip', questionNumber: 2 }],
      [{ kind: 'extend', minutes: 4 }, { kind: 'extend', minutes: 4 }],
      [{ kind: 'end' }, { kind: 'end' }],
      [{ kind: 'cancel' }, { kind: 'cancel' }],
    ];
    for (const [action, outcome] of steps) {
      expect(await runControl(bot.controls, session.id, action, 'noah')).toEqual({ sessionId: session.id, ...outcome });
      await bot.engine.whenIdle();
    }
    expect((await bot.store.controls.list(session.id)).map((c) => `${c.action}:${c.actor}`)).toEqual(steps.map(([a]) => `${a.kind}:noah`));
    bot.stop();
  });

  it('refuses as the controls do (same wording): extend without minutes, a control on no session', async () => {
    const world = newWorld(START);
    const bot = bootBot(world.store, world.time, world.platform);
    await expect(runControl(bot.controls, 1, controlAction('extend', {}), 'noah')).rejects.toThrow(new ControlError('extend takes a whole number of minutes from 1 to 120'));
    await expect(runControl(bot.controls, 99, { kind: 'next' }, 'noah')).rejects.toThrow(new ControlError('there is no session #99'));
  });

  it('each front end words every outcome', () => {
    const wording: ControlWording = {
      next: (o) => `n${o.questionNumber}`, skip: (o) => `s${o.questionNumber}`, pause: () => 'p', resume: () => 'r',
      extend: (o) => `e${o.minutes}`, end: () => 'E', cancel: (o) => `c${o.sessionId}`,
    };
    expect(describeOutcome(wording, { kind: 'next', sessionId: 1, questionNumber: 2 })).toBe('n2');
    expect(describeOutcome(wording, { kind: 'extend', sessionId: 1, minutes: 5 })).toBe('e5');
    expect(describeOutcome(wording, { kind: 'cancel', sessionId: 7 })).toBe('c7');
  });
});
