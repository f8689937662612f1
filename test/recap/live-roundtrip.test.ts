import { describe, expect, it } from 'vitest';
import { parseArchive } from '../../src/archive/parse.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import { recapToString } from '../../src/recap/index.ts';
import type { IncomingMessage } from '../../src/live/ingest.ts';
import { persistSession } from '../../src/live/persist.ts';
import { MINUTE, bootBot, newWorld } from '../helpers/live.ts';

/**
 * Hardening #23: a live session exported as an archive transcript and replayed gives the
 * same answers as the live session recorded. The bot's own prompts (the guidelines say
 * "Answer with A1: …", the outro "start it with TA:") are the host's, never answers, and
 * the outro is recognised as the outro.
 */
const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);

let seq = 0;
function msg(minute: number, author: string, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    id: `u${++seq}`, channelId: 'chat', threadId: null, authorId: author, authorName: author, moderator: false,
    fromSelf: false, at: at(minute), text, replyToId: null, ...extra,
  };
}

describe('a live session exported as an archive and replayed', () => {
  it('gives the same answers, with none by the bot, and finds the outro', async () => {
    const world = newWorld(at(-1));
    const bot = bootBot(world.store, world.time, world.platform);
    const series = await bot.store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
    const session = await persistSession(bot.store, { series, startsAt: START, questions: ['One?', 'Two?', 'Three?', 'Four?'], questionSetId: null });
    await bot.engine.start();

    const script: [number, string, string][] = [
      [1, 'amy', 'hi all, amy from Ohio'],
      [6, 'amy', 'A1: badges show skills'],
      [7, 'kyle', 'a1) they motivate'],
      [8, 'mod', 'Great answers! Keep them coming, and answer with A1: so we can find them'],
      [13, 'kyle', 'A2 - teachers and students'],
      [20, 'amy', 'A3: open standards'],
      [27, 'kyle', 'A4: start small'],
      [31, 'amy', 'TA: I learned a lot'],
      [32, 'kyle', 'Takeaway: come back next week'],
    ];
    for (const [minute, author, text] of script) {
      await bot.advanceTo(at(minute));
      await bot.ingest.messageCreated(msg(minute, author, text, { moderator: author === 'mod' }));
    }
    await bot.advanceTo(at(50));
    bot.stop();

    const live = (await bot.store.messages.answers(session.id)).map((a) => [a.question, a.text]);
    expect(live).toEqual([
      [1, 'A1: badges show skills'], [1, 'a1) they motivate'], [2, 'A2 - teachers and students'],
      [3, 'A3: open standards'], [4, 'A4: start small'], ['TA', 'TA: I learned a lot'], ['TA', 'Takeaway: come back next week'],
    ]);

    const exported = parseArchive(await recapToString(bot.store, session.id, 'archive'), 'live-export.txt');
    const { result } = replayTranscript(exported);
    expect(result.answers.map((a) => [a.question, a.text])).toEqual(live);
    expect(result.answers.every((a) => a.author !== 'Emcee')).toBe(true);
    expect(result.questions.map((q) => q.number)).toEqual([1, 2, 3, 4]);
    expect(result.outroIndex).not.toBeNull();
    const outro = exported.messages[result.outroIndex!]!;
    expect(outro.author).toBe('Emcee');
    expect(outro.text).toMatch(/takeaway/i);
  });
});
