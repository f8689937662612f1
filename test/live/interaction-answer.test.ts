import { describe, expect, it } from 'vitest';
import { storeGivenAnswer, type GivenAnswer } from '../../src/live/interaction-answer.ts';
import { persistSession } from '../../src/live/persist.ts';
import { tallyAnswers } from '../../src/domain/tally.ts';
import { MINUTE, bootBot, newWorld } from '../helpers/live.ts';

// Answers given by the Answer button or /chat answer: stored through the store's message and
// attribution path, once per interaction, and refused while their question cannot take them.

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);

async function running() {
  const world = newWorld(at(-1));
  const bot = bootBot(world.store, world.time, world.platform);
  const series = await bot.store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const session = await persistSession(bot.store, { series, startsAt: START, questions: ['One?', 'Two?'], questionSetId: null });
  await bot.engine.start();
  const prompt = async (n: number) => (await bot.store.prompts.listBySession(session.id)).find((p) => p.kind === 'question' && p.questionNumber === n)!;
  return { world, bot, id: session.id, prompt };
}

const given = (over: Partial<GivenAnswer> = {}): GivenAnswer => ({
  interactionId: '1234567890123456789', authorId: 'u1', authorName: 'amy', moderator: false, at: at(6), text: 'by button', via: 'button', ...over,
});

describe('answers given by button or command', () => {
  it('are stored under their question once per interaction, and counted like any answer', async () => {
    const { bot, id, prompt } = await running();
    await bot.advanceTo(at(6)); // Q1 is out (T+5), Q2 not yet (T+12)
    const ref = { promptId: (await prompt(1)).id, guildId: 'g1' };
    expect(await storeGivenAnswer(bot.store, ref, given())).toMatchObject({ inserted: true, questionNumber: 1 });
    expect(await storeGivenAnswer(bot.store, ref, given())).toMatchObject({ inserted: false, questionNumber: 1 });
    await storeGivenAnswer(bot.store, { channelId: 'chat', questionNumber: 1 }, given({ interactionId: '1234567890123456790', text: 'by command', via: 'command', authorName: 'bob' }));
    const answers = await bot.store.messages.answers(id);
    expect(answers.map((a) => [a.question, a.via, a.text, a.authorName, a.platformId])).toEqual([
      [1, 'button', 'by button', 'amy', '1234567890123456789'],
      [1, 'command', 'by command', 'bob', '1234567890123456790'],
    ]);
    expect(tallyAnswers(answers).of(1)).toMatchObject({ answers: 2 });
  });

  it('are refused with one line while the question is not out, and after the session', async () => {
    const { bot, id, prompt } = await running();
    await bot.advanceTo(at(6));
    await expect(storeGivenAnswer(bot.store, { promptId: (await prompt(2)).id, guildId: 'g1' }, given())).rejects.toThrow('Q2 has not been posted yet: answer it once it is out.');
    await expect(storeGivenAnswer(bot.store, { channelId: 'chat', questionNumber: 7 }, given())).rejects.toThrow('This session has no Q7.');
    await expect(storeGivenAnswer(bot.store, { channelId: 'elsewhere', questionNumber: 1 }, given())).rejects.toThrow('There is no session in this channel right now');
    // Another server's click naming this server's question (a forged custom id) finds nothing.
    await expect(storeGivenAnswer(bot.store, { promptId: (await prompt(1)).id, guildId: 'g2' }, given())).rejects.toThrow('That question is not part of any session any more.');
    await bot.advanceTo(at(24 * 60));
    expect((await bot.store.sessions.get(id))!.state).toBe('ended');
    await expect(storeGivenAnswer(bot.store, { promptId: (await prompt(1)).id, guildId: 'g1' }, given({ at: at(24 * 60) }))).rejects.toThrow('This session is over: it is not collecting answers.');
    expect(await bot.store.messages.answers(id)).toEqual([]);
  });
});
