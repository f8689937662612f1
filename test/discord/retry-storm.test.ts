import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.ts';
import { MAX_ATTEMPTS } from '../../src/live/engine.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';

/**
 * Issue 10, item 1: a failing post must not turn into a retry storm. The real bot (discord.js)
 * runs against the loopback sandbox on fake time; the sandbox records every REST request.
 */

const START = new Date('2026-11-23T23:30:00Z');
const at = (minutes: number) => START.getTime() + minutes * MINUTE;
const SETTINGS = { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 };
/** A channel id that exists nowhere (the repro). */
const GHOST = '111111111111111111';
/** Past this many requests (or platform calls) the engine is stopped: the test fails instead of hanging. */
const STORM = 400;

interface Setup {
  time: FakeTime;
  sandbox: Sandbox;
  store: Store;
  bot: RunningApp;
  channelId: string;
  /** Advances fake time, letting the engine settle at each timer; stops it if it storms. */
  advanceTo(ms: number, storming: () => boolean): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setUp(): Promise<Setup> {
  const time = new FakeTime(new Date(at(-1)));
  const sandbox = await startSandbox({ clock: time });
  const store = openStore(':memory:', time);
  const channel = sandbox.createChannel('badgechat');
  const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });
  cleanups.push(() => sandbox.close(), () => store.close(), () => bot.stop());
  return {
    time, sandbox, store, bot, channelId: channel.id,
    advanceTo: (ms, storming) => time.advanceTo(ms, async () => {
      await bot.live.engine.whenIdle();
      if (storming()) bot.live.stop();
    }),
  };
}

async function series(s: Setup, channelId: string, tag = '#BadgeChat', settings: Record<string, unknown> = {}) {
  return await s.store.series.saveForChannel({ guildId: s.sandbox.guild.id, channelId, tag, timezone: 'America/New_York', schedule: null, settings: { ...SETTINGS, ...settings } });
}

describe('no retry storm against Discord (issue 10, item 1)', () => {
  it('a session on a channel that does not exist costs a handful of requests over an hour, is stopped, and the recap channel is told', async () => {
    const s = await setUp();
    await s.advanceTo(at(0), () => false);
    const ghostRequests = () => s.sandbox.requests.filter((r) => r.path.startsWith(`/channels/${GHOST}`));
    const session = await s.bot.live.controls.start(await series(s, GHOST, '#ghost', { recapChannelId: s.channelId }), 'tester', { questions: ['One?'] });
    await s.advanceTo(at(60), () => ghostRequests().length > STORM);
    const notices = s.sandbox.messages(s.channelId).filter((m) => m.author.id === s.sandbox.botUser.id);
    expect(notices.map((m) => m.content)).toEqual([
      `#ghost session #${session.id} stopped: channel ${GHOST} is gone or out of reach (Unknown Channel (10003)). `
      + 'Nothing more will be posted for it; set the chat up in a channel the bot can see and post in.',
    ]);

    expect(ghostRequests().length).toBeLessThanOrEqual(3);
    expect(ghostRequests().every((r) => r.status === 404)).toBe(true);
    expect((await s.store.sessions.get(session.id))!.state).toBe('cancelled');
    const prompts = await s.store.prompts.listBySession(session.id);
    expect(prompts.every((p) => p.state === 'failed' && /Unknown Channel/.test(p.skipReason ?? ''))).toBe(true);
  });

  it('a channel answering 500 to everything: tries back off (0, 5, 20 s …) and the prompt is given up after 5', async () => {
    const s = await setUp();
    await s.advanceTo(at(0), () => false);
    for (let i = 0; i < 2 * STORM; i++) s.sandbox.failNext({ path: new RegExp(`^/channels/${s.channelId}/messages`) }, { status: 500 });
    const failed = () => s.sandbox.requests.filter((r) => r.status === 500);
    const session = await s.bot.live.controls.start(await series(s, s.channelId), 'tester', { questions: ['One?'] });
    await s.advanceTo(at(1), () => failed().length > STORM);
    // discord.js itself tries a 500 four times (one request and 3 retries); the engine tried at T+0, +5 s and +20 s.
    expect(failed().length).toBeLessThanOrEqual(3 * 4);
    const welcome = async () => (await s.store.prompts.listBySession(session.id)).find((p) => p.kind === 'welcome')!;
    expect(await welcome()).toMatchObject({ state: 'posting', attempts: 3 });
    await s.advanceTo(at(4), () => failed().length > STORM);
    expect(await welcome()).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS });
    // Before the fifth try (T+200 s), four tries of four requests each.
    expect(failed().filter((r) => r.at.getTime() < at(0) + 200_000).length).toBeLessThanOrEqual((MAX_ATTEMPTS - 1) * 4);
  });

  it('Discord unreachable (the sandbox gone): the engine backs off instead of spinning', async () => {
    const s = await setUp();
    await s.advanceTo(at(0), () => false);
    const platform = s.bot.platform;
    let calls = 0;
    for (const method of ['post', 'fetchRecent'] as const) {
      const original = platform[method].bind(platform) as (...args: unknown[]) => Promise<never>;
      (platform as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        calls++;
        return original(...args);
      };
    }
    const ours = await series(s, s.channelId);
    await s.sandbox.close();
    const session = await s.bot.live.controls.start(ours, 'tester', { questions: ['One?'] });
    await s.advanceTo(at(1), () => calls > STORM);
    expect(calls).toBeLessThanOrEqual(3); // T+0, +5 s, +20 s
    expect((await s.store.prompts.listBySession(session.id)).find((p) => p.kind === 'welcome')).toMatchObject({ state: 'posting', attempts: 3 });
    expect((await s.store.sessions.get(session.id))!.state).toBe('running');
  });
});
