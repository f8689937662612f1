/**
 * Gateway and REST faults during one live session, with the real bot (discord.js) in this
 * process on fake time: the sandbox closes the socket, sends op 7 (reconnect) and op 9
 * (invalid session, resumable or not), and answers the bot's prompt posts with 429s and
 * runs of 500s — fewer than discord.js retries by itself, and more, so that the engine's
 * own retry (after its backoff) takes over. Participants keep posting throughout, also
 * while the bot has no gateway connection. Nothing may be lost, and every prompt must go
 * out exactly once and in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../helpers/poll.ts';
import { startApp, type RunningApp } from '../../src/app.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { openStore } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { botMessages, faultSeed, postLabel, resentMarkers, rng, userMessages } from './support.ts';

const SEED = faultSeed(20_261_123);
const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => START.getTime() + minutes * MINUTE;
const TAG = '#FaultChat';
// welcome T+0, guidelines T+1, heads-ups 30 s before Q1 T+2, Q2 T+4, Q3 T+6, Q4 T+8, outro T+9, close T+11.
const SETTINGS = { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 };
const MESSAGES = /^\/channels\/\d+\/messages$/;
const RECONNECT_MS = 20_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('gateway and REST faults mid-session', () => {
  it('socket closed, op 7, op 9 (both kinds), 429s and 500s on prompt posts: nothing lost, every prompt once and in order', async () => {
    const started = Date.now();
    const random = rng(SEED);
    console.log(`[faults/gateway-rest] seed ${SEED}`);
    const time = new FakeTime(new Date(at(-1)));
    const sandbox = await startSandbox({ clock: time });
    const store = openStore(':memory:', time);
    cleanups.push(() => sandbox.close(), () => store.close());
    const channelId = sandbox.createChannel('faultchat').id;
    await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: TAG, timezone: 'UTC', schedule: null, settings: SETTINGS });
    const bot: RunningApp = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });
    cleanups.push(() => bot.stop());
    const advanceTo = (ms: number) => time.advanceTo(ms, () => bot.live.engine.whenIdle());
    const users = ['amy', 'bo', 'cy', 'di'].map((name) => sandbox.createUser(name).id);

    await advanceTo(at(0) - 1_000);
    const session = await bot.live.controls.start((await store.series.getByChannel(sandbox.guild.id, channelId))!, 'faults', { questions: ['One?', 'Two?', 'Three?', 'Four?'] });

    // Participants: labelled answers and chatter, every one distinct.
    const sent: { id: string; label: number | null }[] = [];
    let seq = 0;
    const chat = (n: number) => {
      for (let i = 0; i < n; i++) {
        const label = random.chance(0.75) ? random.int(1, 4) : null;
        const user = random.pick(users);
        const text = label === null ? `chatter ${++seq}` : `A${label}: answer ${++seq}`;
        sent.push({ id: sandbox.userSays(channelId, user, text).id, label });
      }
    };
    const storedIds = async () => new Set((await store.messages.listBySession(session.id)).filter((m) => !m.fromSelf).map((m) => m.platformId));
    /** Every participant message so far is stored (by the gateway, a resume's replay, or a backfill). */
    const caughtUp = (why: string) => pollUntil(async () => {
      const stored = await storedIds();
      return sent.every((m) => stored.has(m.id)) || undefined;
    }, RECONNECT_MS).catch(async (err: Error) => {
      const stored = await storedIds();
      throw new Error(`${why}: ${sent.filter((m) => !stored.has(m.id)).length} messages not stored: ${err.message}`);
    });
    const reconnected = () => sandbox.waitFor(() => sandbox.connected() || undefined, RECONNECT_MS);
    const failPosts = (response: { status: 429; retryAfter: number } | { status: 500 }, times = 1) => {
      for (let i = 0; i < times; i++) sandbox.failNext({ method: 'POST', path: MESSAGES }, response);
    };

    const faults: string[] = [];
    const step = async (name: string, inject: () => void, gateway: boolean, nextAt: number) => {
      chat(random.int(3, 8));
      inject();
      faults.push(name);
      chat(random.int(5, 15)); // while the connection is down (or the post is failing)
      // ... and on, every 20 ms (real time), while the bot reconnects and catches up.
      const ticker = setInterval(() => chat(1), 20);
      try {
        await advanceTo(nextAt);
        if (gateway) await reconnected();
      } finally {
        clearInterval(ticker);
      }
      chat(random.int(3, 8));
      await caughtUp(name);
    };

    // The session started a second ago: the welcome goes out through a 429.
    await step('429 on the welcome', () => failPosts({ status: 429, retryAfter: 0.3 }), false, at(0));
    await step('socket closed', () => sandbox.closeSocket(), true, at(0.5));
    await step('op 7 reconnect + 429 on the guidelines', () => {
      sandbox.sendReconnect();
      failPosts({ status: 429, retryAfter: 0.3 });
    }, true, at(1));
    await step('op 9 invalid session (not resumable)', () => sandbox.sendInvalidSession(false), true, at(1.5));
    await step('500 x3 on the Q1 post (discord.js retries)', () => failPosts({ status: 500 }, 3), false, at(2));
    await step('op 9 invalid session (resumable)', () => sandbox.sendInvalidSession(true), true, at(3));
    await step('500 x4 on the Q2 heads-up (the engine retries after its backoff)', () => failPosts({ status: 500 }, 4), false, at(3.5));
    const headsUp2 = (await store.prompts.listBySession(session.id)).find((p) => p.kind === 'heads_up' && p.questionNumber === 2)!;
    expect(await store.prompts.get(headsUp2.id)).toMatchObject({ state: 'posting', attempts: 1 });
    await advanceTo(at(3.5) + 5_000); // the engine's first backoff
    expect(await store.prompts.get(headsUp2.id)).toMatchObject({ state: 'posted' });
    await step('socket closed while Q2 goes out through a 429', () => {
      sandbox.closeSocket();
      failPosts({ status: 429, retryAfter: 0.5 });
    }, true, at(4));
    await step('op 9 (not resumable) + 500 x2 while Q3 and its heads-up go out', () => {
      sandbox.sendInvalidSession(false);
      failPosts({ status: 500 }, 2);
    }, true, at(6));
    await step('op 7 + 500 x4 on the Q4 heads-up', () => {
      sandbox.sendReconnect();
      failPosts({ status: 500 }, 4);
    }, true, at(7.5));
    await advanceTo(at(7.5) + 5_000);
    await step('429 (global) on Q4', () => sandbox.failNext({ method: 'POST', path: MESSAGES }, { status: 429, retryAfter: 0.3, global: true }), false, at(8));
    await step('socket closed as the outro goes out', () => sandbox.closeSocket(), true, at(9));
    await step('429 on the close', () => failPosts({ status: 429, retryAfter: 0.3 }), false, at(11));
    await advanceTo(at(12));
    await bot.recapsPosted();
    expect((await store.sessions.get(session.id))!.state).toBe('ended');

    // Every prompt once, in timetable order, recorded with its message id.
    const prompts = await store.prompts.listBySession(session.id);
    const posts = botMessages(sandbox, channelId).filter((m) => m.embeds[0]?.title !== `${TAG} recap`);
    expect(posts.map(postLabel)).toEqual(prompts.map((p) => (p.kind === 'question' ? `Q${p.questionNumber}` : p.text)));
    expect(prompts.map((p) => [p.kind, p.state, p.messageId])).toEqual(prompts.map((p, i) => [p.kind, 'posted', posts[i]?.id]));
    expect(resentMarkers(sandbox, channelId)).toEqual([]);
    expect(botMessages(sandbox, channelId).filter((m) => m.embeds[0]?.title === `${TAG} recap`)).toHaveLength(1);

    // Every participant message stored exactly once, every labelled one an answer.
    const delivered = userMessages(sandbox, channelId).map((m) => m.id);
    const copies = new Map<string, number>();
    for (const m of await store.messages.listBySession(session.id)) if (!m.fromSelf) copies.set(m.platformId, (copies.get(m.platformId) ?? 0) + 1);
    const rows = [...copies].map(([platform_id, n]) => ({ platform_id, n }));
    expect(rows.filter((r) => r.n > 1)).toEqual([]);
    expect(rows.map((r) => r.platform_id).sort()).toEqual([...delivered].sort());
    expect(delivered).toHaveLength(sent.length);
    const answers = await store.messages.answers(session.id);
    expect(answers.map((a) => a.platformId).sort()).toEqual(sent.filter((m) => m.label !== null).map((m) => m.id).sort());
    for (const m of sent) if (m.label !== null) expect(answers.find((a) => a.platformId === m.id)?.question).toBe(m.label);

    const injected = sandbox.requests.filter((r) => r.status === 429 || r.status === 500).length;
    console.log(`[faults/gateway-rest] seed ${SEED}: ${faults.length} faults (${faults.join('; ')}), ${injected} failed REST answers, `
      + `${sent.length} participant messages (all stored once), ${posts.length} prompts posted once each, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
