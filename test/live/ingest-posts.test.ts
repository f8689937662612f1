import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveIngest } from '../../src/live/ingest.ts';
import { SessionEngine } from '../../src/live/engine.ts';
import { persistSession } from '../../src/live/persist.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, bootBot, newWorld, silentLog } from '../helpers/live.ts';
import { at, messages, START } from './ingest-messages.ts';

/**
 * The attribution learns the bot's posts from the database (issue 11): the process that
 * ingests messages need not be the one that posted. Timetable of a four-question session:
 * Q1 at +5, Q2 at +12, Q3 at +19, Q4 at +26, the outro at +30, the close at +45.
 */

const msg = messages('p');

async function newSession(store: Store, state: 'planned' | 'running' = 'planned') {
  const series = await store.series.saveForChannel({ guildId: 'g1', channelId: 'chat', tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings: {} });
  return await persistSession(store, { series, startsAt: START, questions: ['One?', 'Two?', 'Three?', 'Four?'], questionSetId: null, state });
}

const attributed = async (store: Store, id: number) =>
  (await store.messages.answers(id, { inferred: true })).map((a) => [a.question, a.via, a.text]);

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Two processes on one SQLite file: one runs the engine (and posts), the other only ingests. */
function twoProcesses() {
  const dir = mkdtempSync(`${tmpdir()}/emcee-posts-`);
  dirs.push(dir);
  const time = new FakeTime(at(-1));
  const platform = new MemoryPlatform(time);
  const poster = openStore(`${dir}/emcee.sqlite`, time);
  const listener = openStore(`${dir}/emcee.sqlite`, time);
  stores.push(poster, listener);
  const engine = new SessionEngine({ store: poster, platform, clock: time, timers: time, log: silentLog });
  const ingest = new LiveIngest({ store: listener, log: silentLog });
  const questionPost = (n: number) => platform.posted('chat').find((m) => m.prompt!.kind === 'question' && m.prompt!.questionNumber === n)!;
  return { time, poster, listener, engine, ingest, questionPost, advanceTo: (to: Date) => time.advanceTo(to, () => engine.whenIdle()) };
}

describe('the attribution learns question posts from the database', () => {
  it('posts made by another process (its own store handle, no engine here) are learned: replies, threads and unlabelled messages follow them', async () => {
    const p = twoProcesses();
    const session = await newSession(p.poster);
    await p.engine.start();
    await p.advanceTo(at(6)); // Q1 is out
    // This process has seen the session before Q2: its attributor is cached with Q1 only.
    expect((await p.ingest.messageCreated(msg(6, 'warming up')))?.attribution).toEqual({ kind: 'inferred', question: 1 });

    await p.advanceTo(at(13)); // the other process posts Q2
    const results = [
      await p.ingest.messageCreated(msg(13, 'my take on two', { replyToId: p.questionPost(2).id })),
      await p.ingest.messageCreated(msg(13, 'in the Q2 thread', { threadId: p.questionPost(2).id })),
      await p.ingest.messageCreated(msg(13, 'no label here')),
    ];
    expect(results.map((r) => r?.attribution)).toEqual([
      { kind: 'answer', question: 2, via: 'reply', label: null, text: 'my take on two' },
      { kind: 'answer', question: 2, via: 'thread', label: null, text: 'in the Q2 thread' },
      { kind: 'inferred', question: 2 },
    ]);

    await p.advanceTo(at(31)); // all four questions and the outro are out
    expect((await p.ingest.messageCreated(msg(31, 'thanks all')))?.attribution).toEqual({ kind: 'none', reason: 'after-outro' });
    expect(await attributed(p.listener, session.id)).toEqual([
      [1, 'inferred', 'warming up'], [2, 'reply', 'my take on two'], [2, 'thread', 'in the Q2 thread'], [2, 'inferred', 'no label here'],
    ]);
  });

  it('a prompt marked posted straight through the store (no engine running anywhere) is learned by a running ingest', async () => {
    const { store } = newWorld(at(-1));
    const session = await newSession(store, 'running');
    const ingest = new LiveIngest({ store, log: silentLog });
    expect((await ingest.messageCreated(msg(4, 'hello everyone')))?.attribution).toEqual({ kind: 'none', reason: 'before-first-question' });

    const q1 = (await store.prompts.listBySession(session.id)).find((x) => x.kind === 'question' && x.questionNumber === 1)!;
    await store.prompts.markPosted(q1.id, 'q1-post', at(5), false);
    expect((await ingest.messageCreated(msg(6, 'replying', { replyToId: 'q1-post' })))?.attribution).toMatchObject({ kind: 'answer', question: 1, via: 'reply' });
    expect((await ingest.messageCreated(msg(6, 'unlabelled')))?.attribution).toEqual({ kind: 'inferred', question: 1 });
  });

  it('a message written before a question went out, handed over after the post, is not attributed as written after it', async () => {
    const world = newWorld(at(-1));
    const bot = bootBot(world.store, world.time, world.platform);
    await newSession(bot.store);
    await bot.engine.start();
    await bot.advanceTo(at(6));
    expect((await bot.ingest.messageCreated(msg(6, 'during Q1')))?.attribution).toEqual({ kind: 'inferred', question: 1 });
    await bot.advanceTo(at(13)); // Q2 went out at +12; the gateway is slow
    expect((await bot.ingest.messageCreated(msg(11, 'also during Q1')))?.attribution).toEqual({ kind: 'inferred', question: 1 });
    expect((await bot.ingest.messageCreated(msg(13, 'during Q2')))?.attribution).toEqual({ kind: 'inferred', question: 2 });
  });

  it('the same when the attributor is built from the database: a post counts from its own time only', async () => {
    const world = newWorld(at(-1));
    const bot = bootBot(world.store, world.time, world.platform);
    const session = await newSession(bot.store);
    await bot.engine.start();
    await bot.advanceTo(at(13));
    const posts = (await bot.store.prompts.listBySession(session.id)).filter((x) => x.kind === 'question' && x.state === 'posted');
    expect(posts.map((x) => x.postedAt)).toEqual([at(5), at(12)]);

    const fresh = new LiveIngest({ store: world.store, log: silentLog }); // another process, or a restart
    expect((await fresh.messageCreated(msg(4.5, 'written before Q1')))?.attribution).toEqual({ kind: 'none', reason: 'before-first-question' });
    expect((await fresh.messageCreated(msg(11.9, 'written during Q1')))?.attribution).toEqual({ kind: 'inferred', question: 1 });
    // At the post's very instant the post comes first (as when rebuilding from the database).
    expect((await fresh.messageCreated(msg(12, 'written as Q2 went out')))?.attribution).toEqual({ kind: 'inferred', question: 2 });
    // Rebuilt once more (a restart): the stored messages replay with the posts in between, up to
    // +12, so one handed over now is read after Q2 (the attributor never goes back).
    const restarted = new LiveIngest({ store: world.store, log: silentLog });
    expect((await restarted.messageCreated(msg(11.95, 'late to arrive')))?.attribution).toEqual({ kind: 'inferred', question: 2 });
    expect(await attributed(world.store, session.id)).toEqual([
      [1, 'inferred', 'written during Q1'], [2, 'inferred', 'late to arrive'], [2, 'inferred', 'written as Q2 went out'],
    ]);
  });

  it('an edit learns a post recorded after the message came in: losing its label, a message in that question\'s thread answers it', async () => {
    const { store } = newWorld(at(-1));
    const session = await newSession(store, 'running');
    const prompts = await store.prompts.listBySession(session.id);
    const question = (n: number) => prompts.find((x) => x.kind === 'question' && x.questionNumber === n)!;
    await store.prompts.markPosted(question(1).id, 'q1-post', at(5), false);
    const ingest = new LiveIngest({ store, log: silentLog });

    // The message reaches the ingest before the poster has recorded Q2 as posted.
    const m = msg(13, 'A1: still on one', { threadId: 'q2-post' });
    expect((await ingest.messageCreated(m))?.attribution).toMatchObject({ kind: 'answer', question: 1, via: 'label' });
    await store.prompts.markPosted(question(2).id, 'q2-post', at(12), false);
    expect(await ingest.messageUpdated(m.id, 'my thoughts', at(14))).toMatchObject({ kind: 'answer', question: 2, via: 'thread' });
    expect(await attributed(store, session.id)).toEqual([[2, 'thread', 'my thoughts']]);
  });
});
