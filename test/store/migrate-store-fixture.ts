/**
 * An SQLite database filled through the real code paths, for the migrate-store round trip:
 * the five seed archives imported, question sets of two servers, series with settings and a
 * schedule, and a live session run by the engine with answers, edits, deletes and moderator
 * controls (so every table has rows: prompts, messages, message_edits, answers, control_log).
 */
import { importArchives, prepareArchives } from '../../src/archive/import.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { openStore } from '../../src/store/index.ts';
import { MINUTE, bootBot, FakeTime } from '../helpers/live.ts';
import { seedFiles } from '../helpers/seeds.ts';

export const LIVE_START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => new Date(LIVE_START.getTime() + minutes * MINUTE);

/** Fills a new SQLite database at path; returns the fake time it ran on. */
export async function fillSqlite(path: string): Promise<FakeTime> {
  const time = new FakeTime(at(-1));
  const platform = new MemoryPlatform(time);
  const store = openStore(path, time);
  try {
    await importArchives(store, prepareArchives(seedFiles()));
    const g1Set = await store.bank.create({ title: 'Failure', source: 'moderator', guildId: 'g1', questions: ['Why?', 'How?', 'What now?'] });
    await store.bank.create({ title: 'Other server', source: 'moderator', guildId: 'g2', questions: ['Alpha?', 'Beta?'], welcomeText: 'Hi "all" — ünïcödé', outroText: 'Bye' });
    await store.bank.create({ title: 'For everyone', source: 'moderator', shared: true, questions: ['Shared?'] });
    const chat = await store.series.saveForChannel({
      guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null,
      settings: { questionSetId: g1Set.id, threads: false, moderatorRoleId: '123456789012345678', texts: { welcome: 'Welcome, <@everyone>!' } },
    });
    await store.series.saveForChannel({ guildId: 'g2', channelId: 'other', tag: '#OtherChat', timezone: 'Europe/Berlin', schedule: '30 19 * * 1', settings: { missedPrompts: 'skip' } });

    const bot = bootBot(store, time, platform);
    await bot.engine.start();
    const session = await bot.controls.start(chat, 'noah');
    await bot.advanceTo(at(13));
    const base = { channelId: 'chat', threadId: null, authorId: 'u1', authorName: 'kyle', moderator: false, fromSelf: false, replyToId: null };
    await bot.ingest.messageCreated({ ...base, id: 'a1', at: at(13), text: 'A1: first try' });
    await bot.ingest.messageCreated({ ...base, id: 'a2', at: at(13), text: 'A2: on time', authorId: 'u2', authorName: 'ana' });
    await bot.ingest.messageCreated({ ...base, id: 'x1', at: at(13), text: 'just chatting', replyToId: 'a1' });
    await bot.ingest.messageCreated({ ...base, id: 'm1', at: at(13), text: 'Mods here', moderator: true, authorName: 'noah' });
    await bot.ingest.messageUpdated('a1', 'A1: second try', at(14));
    await bot.ingest.messageUpdated('a1', 'A1: third try', at(14));
    await bot.ingest.messageDeleted('x1', at(14));
    await bot.controls.pause(session.id, 'noah');
    await bot.controls.resume(session.id, 'noah');
    await bot.controls.extend(session.id, 'noah', 5);
    await bot.ingest.whenIdle();
    await bot.controls.end(session.id, 'noah');
    await bot.advanceTo(at(90));
    bot.stop();
  } finally {
    await store.close();
  }
  return time;
}
