import { currentSession, sessionStatus } from '../../src/live/status.ts';
import { describe, expect, it } from 'vitest';
import { readArchiveFile } from '../../src/archive/read.ts';
import { questionBody } from '../../src/domain/labels.ts';
import { replayTranscript } from '../../src/archive/replay.ts';
import type { IncomingMessage } from '../../src/live/ingest.ts';
import { persistSession } from '../../src/live/persist.ts';
import type { Store } from '../../src/store/index.ts';
import { MINUTE, bootBot, flush, newWorld, type Bot, type World } from '../helpers/live.ts';
import { loadLabels, seedPath } from '../helpers/seeds.ts';

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);

async function series(store: Store, channelId = 'chat', settings: Record<string, unknown> = {}) {
  return await store.series.saveForChannel({ guildId: 'g1', channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings });
}

async function running(questions = ['One?', 'Two?', 'Three?', 'Four?']): Promise<{ world: World; bot: Bot; id: number }> {
  const world = newWorld(at(-1));
  const bot = bootBot(world.store, world.time, world.platform);
  const session = await persistSession(bot.store, { series: await series(bot.store), startsAt: START, questions, questionSetId: null });
  await bot.engine.start();
  return { world, bot, id: session.id };
}

let seq = 0;
function msg(minute: number, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    id: `u${++seq}`, channelId: 'chat', threadId: null, authorId: 'u1', authorName: 'kyle', moderator: false,
    fromSelf: false, at: at(minute), text, replyToId: null, ...extra,
  };
}

const answered = async (bot: Bot, id: number) => (await bot.store.messages.answers(id)).map((a) => [a.question, a.via, a.text]);
const questionPost = (world: World, n: number) => world.platform.posted('chat').find((m) => m.prompt!.kind === 'question' && m.prompt!.questionNumber === n)!;

describe('answers during a live session', () => {
  it('late answers belong to their question, early ones too (the preview listed it)', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13)); // Q2 is out
    await bot.ingest.messageCreated(msg(13, 'A1: a late answer'));
    await bot.ingest.messageCreated(msg(13, 'A4: an early answer'));
    expect(await answered(bot, id)).toEqual([[1, 'label', 'A1: a late answer'], [4, 'label', 'A4: an early answer']]);
  });

  it('a multi-answer label is one answer to each question it names, and an edit to one label leaves one (issue 17)', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    const both = msg(13, 'A1 & A2: peer feedback covers both');
    await bot.ingest.messageCreated(both);
    expect(await answered(bot, id)).toEqual([[1, 'label', 'A1 & A2: peer feedback covers both'], [2, 'label', 'A1 & A2: peer feedback covers both']]);
    await bot.ingest.messageUpdated(both.id, 'A2: peer feedback', at(14));
    expect(await answered(bot, id)).toEqual([[2, 'label', 'A2: peer feedback']]);
  });

  it('a reply to a question post answers it; a reply to an answer answers the same question', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(13));
    const first = msg(13, 'my thoughts on the first one', { replyToId: questionPost(world, 1).id });
    await bot.ingest.messageCreated(first);
    await bot.ingest.messageCreated(msg(14, 'building on that', { replyToId: first.id, authorName: 'amy' }));
    expect(await answered(bot, id)).toEqual([[1, 'reply', 'my thoughts on the first one'], [1, 'reply', 'building on that']]);
  });

  it('events handed over at once are handled one at a time, in the order they came (the attributor is shared state)', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    const first = msg(13, 'A1: first thought', { authorName: 'amy' });
    // Not awaited one by one: the gateway hands events over as they come.
    const [created, reply, repeat, edited] = await Promise.all([
      bot.ingest.messageCreated(first),
      bot.ingest.messageCreated(msg(13, 'building on that', { replyToId: first.id })),
      bot.ingest.messageCreated(msg(13, 'A1: first thought', { authorName: 'amy' })),
      bot.ingest.messageUpdated(first.id, 'A2: second thought', at(14)),
    ]);
    expect(created?.attribution).toMatchObject({ kind: 'answer', question: 1 });
    expect(reply?.attribution).toMatchObject({ kind: 'answer', question: 1, via: 'reply' });
    expect(repeat?.attribution).toMatchObject({ kind: 'none', reason: 'repeat' });
    expect(edited).toMatchObject({ kind: 'answer', question: 2 });
    expect(await answered(bot, id)).toEqual([[2, 'label', 'A2: second thought'], [1, 'reply', 'building on that']]);
  });

  it('a message in a question thread answers that question without a label', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(13));
    await bot.ingest.messageCreated(msg(13, 'in the Q1 thread', { threadId: questionPost(world, 1).id }));
    expect(await answered(bot, id)).toEqual([[1, 'thread', 'in the Q1 thread']]);
  });

  it('unlabelled messages are kept apart as inferred for the open question', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    await bot.ingest.messageCreated(msg(13, 'no label here'));
    expect(await bot.store.messages.answers(id)).toEqual([]);
    expect((await bot.store.messages.answers(id, { inferred: true })).map((a) => [a.question, a.via])).toEqual([[2, 'inferred']]);
  });

  it('answers to a skipped question are kept, and shown with the question skipped', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    await bot.controls.skip(id, 'noah', 3);
    await bot.ingest.messageCreated(msg(14, 'A3: answering anyway'));
    const q3 = (await sessionStatus(bot.store, id)).questions.find((q) => q.number === 3)!;
    expect(q3).toMatchObject({ state: 'skipped', answers: 1 });
  });

  it('an edit re-runs attribution: adding "A2:" moves the message to Q2, removing it takes it away', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    const m = msg(13, 'A1: first thought');
    await bot.ingest.messageCreated(m);
    expect(await bot.ingest.messageUpdated(m.id, 'A2: second thought', at(14))).toMatchObject({ kind: 'answer', question: 2 });
    expect(await answered(bot, id)).toEqual([[2, 'label', 'A2: second thought']]);
    await bot.ingest.messageUpdated(m.id, 'never mind', at(15));
    expect(await answered(bot, id)).toEqual([]);
    expect((await bot.store.dumpTable('message_edits')).map((e) => e.old_text)).toEqual(['A1: first thought', 'A2: second thought']);
  });

  it('a delete hides the answer but keeps a tombstone', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    const m = msg(13, 'A1: oops');
    await bot.ingest.messageCreated(m);
    expect(await bot.ingest.messageDeleted(m.id, at(14))).toBe(true);
    expect(await answered(bot, id)).toEqual([]);
    expect(await bot.store.messages.get(m.id)).toMatchObject({ text: 'A1: oops', deletedAt: at(14) });
  });

  it('messages after the close are stored and flagged late; other channels are ignored', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(50)); // closed at T+45
    const late = await bot.ingest.messageCreated(msg(50, 'A3: sorry I am late'));
    expect(late).toMatchObject({ sessionId: id, late: true, attribution: { kind: 'answer', question: 3 } });
    expect((await bot.store.messages.get(`u${seq}`))!.late).toBe(true);
    expect(await bot.ingest.messageCreated(msg(50, 'A1: hello', { channelId: 'elsewhere' }))).toBeNull();
  });

  it('the same message twice (gateway replay, backfill) is one row and one answer', async () => {
    const { bot, id } = await running();
    await bot.advanceTo(at(13));
    const m = msg(13, 'A1: once');
    await bot.ingest.messageCreated(m);
    expect(await bot.ingest.messageCreated(m)).toMatchObject({ inserted: false, attribution: null });
    expect(await answered(bot, id)).toHaveLength(1);
  });

  it('the bot\'s own posts are stored but never attributed', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(6));
    const q1 = questionPost(world, 1);
    await bot.ingest.messageCreated(msg(5, q1.text, { id: q1.id, fromSelf: true, moderator: true }));
    expect(await bot.store.messages.get(q1.id)).toMatchObject({ fromSelf: true });
    expect(await bot.store.messages.answers(id, { inferred: true })).toEqual([]);
  });

  it('after a restart, replies to earlier answers and repeats still resolve (state rebuilt from the database)', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(13));
    const first = msg(13, 'A1: before the restart');
    await bot.ingest.messageCreated(first);
    bot.stop();
    await world.time.advanceTo(at(14), flush);
    const restarted = bootBot(world.store, world.time, world.platform);
    await restarted.engine.start();
    await restarted.ingest.messageCreated(msg(14, 'replying after the restart', { replyToId: first.id }));
    await restarted.ingest.messageCreated(msg(14, 'A1: before the restart', { id: 'rt' })); // a repeat
    expect(await answered(restarted, id)).toEqual([[1, 'label', 'A1: before the restart'], [1, 'reply', 'replying after the restart']]);
  });
});

describe('an archive fed into a running session at its own times', () => {
  const participate = loadLabels().filter((l) => l.format === 'participate');

  it.each(participate.map((l) => [l.transcript] as const))('%s: the same per-question answers as emcee replay', async (original) => {
    const transcript = readArchiveFile(seedPath(original));
    const { result } = replayTranscript(transcript);
    const questions = result.questions.map((q) => questionBody(q.text, transcript.tag));
    const world = newWorld(new Date(transcript.startsAt.getTime() - MINUTE));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await persistSession(bot.store, { series: await series(bot.store), startsAt: transcript.startsAt, questions, questionSetId: null });
    await bot.engine.start();

    for (const m of transcript.messages) {
      await bot.advanceTo(m.at!);
      await bot.ingest.messageCreated({
        id: `archive-${m.index}`, channelId: 'chat', threadId: null, authorId: m.author!, authorName: m.author!, moderator: m.moderator,
        fromSelf: false, at: m.at!, text: m.text, replyToId: null, quote: m.quote,
      });
    }
    const live = await Promise.all((await bot.store.messages.answers(session.id)).map(async (a) => [a.question, await messageIndex(bot, a.messageId)]));
    const replayed = result.answers.map((a) => [a.question, a.index]);
    const byQuestion = (rows: (number | string)[][]) => rows.map(([q, i]) => `${q}@${i}`).sort();
    expect(byQuestion(live)).toEqual(byQuestion(replayed));
  });
});

/** The archive index of a stored message (its platform id is "archive-<index>"). */
async function messageIndex(bot: Bot, messageId: number): Promise<number> {
  const id = (await bot.store.dumpTable('messages')).find((m) => m.id === messageId)!.platform_id as string;
  return Number(id.replace('archive-', ''));
}
