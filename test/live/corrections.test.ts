import { describe, expect, it } from 'vitest';
import { Corrections } from '../../src/live/corrections.ts';
import type { IncomingMessage } from '../../src/live/ingest.ts';
import { persistSession } from '../../src/live/persist.ts';
import { ControlError } from '../../src/live/requests.ts';
import { MINUTE, bootBot, newWorld, silentLog, type Bot } from '../helpers/live.ts';

// Moderator corrections in the core: what the answers table holds, that an edit keeps it, the
// control log, and the refusals.

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);

async function running(): Promise<{ bot: Bot; id: number; corrections: Corrections; world: ReturnType<typeof newWorld> }> {
  const world = newWorld(at(-1));
  const bot = bootBot(world.store, world.time, world.platform);
  const series = await bot.store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  const session = await persistSession(bot.store, { series, startsAt: START, questions: ['One?', 'Two?', 'Three?'], questionSetId: null });
  await bot.engine.start();
  await bot.advanceTo(at(13)); // Q1 and Q2 are out
  const corrections = new Corrections({ store: bot.store, clock: world.time, log: silentLog, onCorrected: (sessionId) => bot.ingest.corrected(sessionId) });
  return { bot, id: session.id, corrections, world };
}

let seq = 0;
const msg = (minute: number, text: string): IncomingMessage => ({
  id: `c${++seq}`, channelId: 'chat', threadId: null, authorId: 'u1', authorName: 'kyle', moderator: false, fromSelf: false, at: at(minute), text, replyToId: null,
});
const answered = async (bot: Bot, id: number) => (await bot.store.messages.answers(id)).map((a) => [a.question, a.via, a.text]);

describe('moderator corrections', () => {
  it('Count as answer moves a misattributed message, and an edit with another label does not move it back', async () => {
    const { bot, id, corrections } = await running();
    const m = msg(13, 'A1: meant for the second question');
    await bot.ingest.messageCreated(m);
    expect(await answered(bot, id)).toEqual([[1, 'label', 'A1: meant for the second question']]);
    expect((await corrections.choices(m.id)).map((c) => c.label)).toEqual(['Q1: One?', 'Q2: Two?', 'Takeaway']);
    await corrections.correct(m.id, 2, 'mod (m1)');
    expect(await answered(bot, id)).toEqual([[2, 'correction', 'A1: meant for the second question']]);
    // The author edits it: still Q2 (with the new text), never re-attributed to Q1.
    expect(await bot.ingest.messageUpdated(m.id, 'A1: meant for the second question, edited', at(14))).toMatchObject({ kind: 'answer', question: 2, via: 'correction' });
    expect(await answered(bot, id)).toEqual([[2, 'correction', 'A1: meant for the second question, edited']]);
    const log = await bot.store.controls.list(id);
    expect(log.at(-1)).toMatchObject({ action: 'correct', actor: 'mod (m1)', details: { messageId: m.id, target: 2 } });
    expect(JSON.stringify(log)).not.toContain('meant for'); // no message text in the control log
  });

  it('Not an answer removes it, and an edit adding a label does not bring it back; takeaways too', async () => {
    const { bot, id, corrections } = await running();
    const off = msg(13, 'A2: off topic');
    const ta = msg(13, 'what I learned tonight');
    await bot.ingest.messageCreated(off);
    await bot.ingest.messageCreated(ta);
    await corrections.correct(off.id, null, 'mod');
    await corrections.correct(ta.id, 'TA', 'mod');
    expect(await answered(bot, id)).toEqual([['TA', 'correction', 'what I learned tonight']]);
    expect(await bot.ingest.messageUpdated(off.id, 'A2: off topic, now labelled again', at(14))).toEqual({ kind: 'none', reason: 'moderator' });
    expect(await answered(bot, id)).toEqual([['TA', 'correction', 'what I learned tonight']]);
    expect((await bot.store.controls.list(id)).filter((c) => c.action === 'correct').map((c) => c.details.target)).toEqual(['none', 'TA']);
  });

  it('a reply to a corrected message answers the question the moderator picked, live and after a restart', async () => {
    const { bot, id, corrections, world } = await running();
    const m = msg(13, 'A1: meant for the second question');
    await bot.ingest.messageCreated(m);
    await corrections.correct(m.id, 2, 'mod');
    const reply = { ...msg(13.5, 'agreed, well put'), authorId: 'u2', authorName: 'amy', replyToId: m.id };
    expect(await bot.ingest.messageCreated(reply)).toMatchObject({ attribution: { kind: 'answer', question: 2, via: 'reply' } });
    const notOne = msg(13.6, 'A2: off topic');
    await bot.ingest.messageCreated(notOne);
    await corrections.correct(notOne.id, null, 'mod');
    // A reply to "not an answer" is no evidenced answer (only inferred, like any unlabelled remark).
    expect(await bot.ingest.messageCreated({ ...msg(13.7, 'so true'), replyToId: notOne.id })).toMatchObject({ attribution: { kind: 'inferred', question: 2 } });

    // Another process (a restart) rebuilds the attribution from the database, corrections included.
    const again = bootBot(world.store, world.time, world.platform);
    const later = { ...msg(14, 'me too'), authorId: 'u3', authorName: 'bo', replyToId: m.id };
    expect(await again.ingest.messageCreated(later)).toMatchObject({ attribution: { kind: 'answer', question: 2, via: 'reply' } });
    expect((await bot.store.messages.answers(id)).map((a) => [a.text, a.question])).toEqual([
      ['A1: meant for the second question', 2], ['agreed, well put', 2], ['me too', 2],
    ]);
  });

  it('refuses a message outside any session, another server\'s, a bot post and a question never asked, writing nothing', async () => {
    const { bot, id, corrections, world } = await running();
    await expect(corrections.correct('nowhere', 1, 'mod')).rejects.toThrow(new ControlError('that message is not part of any chat session'));
    const post = { ...msg(12, 'Q2: Two?'), fromSelf: true, moderator: true }; // the bot's post, as the gateway echoes it
    await bot.ingest.messageCreated(post);
    await expect(corrections.correct(post.id, 1, 'mod')).rejects.toThrow(/Emcee's own posts/);
    const m = msg(13, 'A1: hello');
    await bot.ingest.messageCreated(m);
    await expect(corrections.correct(m.id, 3, 'mod')).rejects.toThrow('Q3 has not been asked in this session');
    // A moderator of another server (a forged menu naming this server's message) finds nothing.
    const elsewhere = new Corrections({ store: bot.store, clock: world.time, log: silentLog, guildId: 'g2' });
    await expect(elsewhere.correct(m.id, 1, 'mod')).rejects.toThrow(new ControlError('that message is not part of any chat session'));
    await expect(elsewhere.choices(m.id)).rejects.toThrow(ControlError);
    expect(await bot.store.corrections.listBySession(id)).toEqual([]);
    expect((await bot.store.controls.list(id)).some((c) => c.action === 'correct')).toBe(false);
  });
});
