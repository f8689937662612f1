import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { formatStatus } from '../../src/live/format.ts';
import type { IncomingMessage } from '../../src/live/ingest.ts';
import { persistSession } from '../../src/live/persist.ts';
import { sessionStatus } from '../../src/live/status.ts';
import { MINUTE, bootBot, newWorld } from '../helpers/live.ts';

/** Issue 15, "Live, for moderators": first-timers, the ones nobody replied to, and the current question. */

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(START.getTime() + minutes * MINUTE);
const iso = (d: Date) => d.toISOString();

let seq = 0;
function msg(minute: number, authorName: string, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    id: `m${++seq}`, channelId: 'chat', threadId: null, authorId: authorName, authorName, moderator: false,
    fromSelf: false, at: at(minute), text, replyToId: null, ...extra,
  };
}

async function running() {
  const world = newWorld(at(-1));
  const bot = bootBot(world.store, world.time, world.platform);
  const series = await bot.store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  // Last week's session, where "ret" already wrote.
  const last = await bot.store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'ended', startsAt: at(-7 * 24 * 60), source: 'live', channelId: 'chat' });
  await bot.store.messages.ingest({
    sessionId: last.id, platformId: 'old1', channelId: 'chat', threadId: null, authorId: 'ret', authorName: 'ret', isModerator: false,
    postedAt: at(-7 * 24 * 60 + 5), text: 'A1: last week', replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
  });
  const session = await persistSession(bot.store, { series, startsAt: START, questions: ['One?', 'Two?', 'Three?'], questionSetId: null });
  await bot.engine.start();
  return { world, bot, id: session.id };
}

describe('status for moderators: first-timers and the current question', () => {
  it('lists first-timers nobody replied to with a link, drops them once someone replies; a returning participant is no first-timer', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(12)); // Q2 is out
    let status = await sessionStatus(bot.store, id, world.time);
    expect(status.current).toEqual({ number: 2, answers: 0, lastAnswerAt: null });
    expect(formatStatus(status, iso)).toContain('Now: Q2: no answers yet');
    expect(formatStatus(status, iso)).toContain('First-timers: none yet');

    const amy = msg(12, 'amy', 'A2: my first chat!');
    await bot.ingest.messageCreated(amy);
    await bot.ingest.messageCreated(msg(12.5, 'ret', 'A2: back again'));
    const bo = msg(13, 'bo_*x*', 'A2: hello all', { threadId: 'th1' });
    await bot.ingest.messageCreated(bo);
    await bot.ingest.messageCreated(msg(13.2, 'noah', 'Welcome all', { moderator: true }));
    await bot.advanceTo(at(14.5));
    status = await sessionStatus(bot.store, id, world.time);
    expect(status.firstTimers.map((f) => [f.authorName, f.repliedTo, f.link])).toEqual([
      ['amy', false, `https://discord.com/channels/g1/chat/${amy.id}`],
      ['bo_*x*', false, `https://discord.com/channels/g1/th1/${bo.id}`],
    ]);
    const text = formatStatus(status, iso, (s) => s.replace(/[*_]/g, '\\$&'));
    expect(text).toContain('Now: Q2: 3 answers, last 1 min ago');
    expect(text).toContain('First-timers: 2 (amy, bo\\_\\*x\\*)');
    expect(text).toContain(`Nobody has replied to 2 of them yet:\n- amy: https://discord.com/channels/g1/chat/${amy.id}\n- bo\\_\\*x\\*: https://discord.com/channels/g1/th1/${bo.id}`);

    await bot.ingest.messageCreated(msg(15, 'amy', 'thanks', { replyToId: amy.id })); // her own reply does not count
    await bot.ingest.messageCreated(msg(15, 'ret', 'welcome amy!', { replyToId: amy.id }));
    await bot.advanceTo(at(16));
    status = await sessionStatus(bot.store, id, world.time);
    expect(status.firstTimers.map((f) => [f.authorName, f.repliedTo])).toEqual([['amy', true], ['bo_*x*', false]]);
    const after = formatStatus(status, iso);
    expect(after).toContain('Nobody has replied to 1 of them yet:\n- bo_*x*: ');
    expect(after).not.toContain(`/${amy.id}`);

    await bot.ingest.messageCreated(msg(16, 'noah', 'hi bo', { moderator: true, replyToId: bo.id, threadId: 'th1' }));
    expect(formatStatus(await sessionStatus(bot.store, id, world.time), iso)).toContain('First-timers: 2 (amy, bo_*x*)\nEvery first-timer has had a reply.');
  });

  it('the time since the last answer counts from the clock, in minutes and hours', async () => {
    const { world, bot, id } = await running();
    await bot.advanceTo(at(5)); // Q1 is out
    await bot.ingest.messageCreated(msg(5, 'amy', 'A1: quick'));
    await bot.advanceTo(at(5).getTime() + 40_000);
    expect(formatStatus(await sessionStatus(bot.store, id, world.time), iso)).toContain('Now: Q1: 1 answer, last 40 s ago');
    // The status reads the clock it is given, not the machine's.
    expect(formatStatus(await sessionStatus(bot.store, id, new ManualClock(at(5 + 65))), iso)).toContain('Now: Q1: 1 answer, last 1 h 5 min ago');
    expect(formatStatus(await sessionStatus(bot.store, id, new ManualClock(at(7.5))), iso)).toContain('Now: Q1: 1 answer, last 2 min ago');
  });
});
