import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { MAX_ATTEMPTS, SessionEngine, backoffMs } from '../../src/live/engine.ts';
import { type ChatPlatform, type OutgoingPrompt, type PostedMessage, type RecentMessage } from '../../src/platform/types.ts';
import { MemoryPlatform } from '../../src/platform/memory.ts';
import { persistSession } from '../../src/live/persist.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';

const START = new Date('2026-11-23T23:30:00Z');
/** A storm guard: past this many platform calls the engine is stopped so the test can fail instead of hanging. */
const STORM = 300;

interface Call { what: 'post' | 'fetchRecent' | 'notice'; at: number; marker?: string; channelId: string; text?: string }

/** A platform that is down: every call throws (a plain network-ish error), and is counted. */
class DownPlatform implements ChatPlatform {
  readonly calls: Call[] = [];
  onCall: () => void = () => {};
  constructor(private readonly time: FakeTime) {}
  private called(call: Omit<Call, 'at'>): void {
    this.calls.push({ ...call, at: this.time.now().getTime() });
    this.onCall();
  }
  async post(channelId: string, prompt: OutgoingPrompt): Promise<PostedMessage> {
    this.called({ what: 'post', channelId, marker: prompt.marker });
    throw new Error('connect ECONNREFUSED 127.0.0.1:1 (simulated)');
  }
  async edit(): Promise<void> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:1 (simulated)');
  }
  async fetchRecent(channelId: string): Promise<RecentMessage[]> {
    this.called({ what: 'fetchRecent', channelId });
    throw new Error('connect ECONNREFUSED 127.0.0.1:1 (simulated)');
  }
  async notice(channelId: string, text: string): Promise<void> {
    this.called({ what: 'notice', channelId, text });
    throw new Error('connect ECONNREFUSED 127.0.0.1:1 (simulated)');
  }
}

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

async function boot(platform: ChatPlatform, time: FakeTime, log = silentLog, settings: Record<string, unknown> = {}, channelId = 'chat') {
  const store: Store = openStore(':memory:', time);
  const engine = new SessionEngine({ store, platform, clock: time, timers: time, log });
  const series = await store.series.saveForChannel({ guildId: 'g1', channelId, tag: '#BadgeChat', timezone: 'America/New_York', schedule: null, settings });
  const session = await persistSession(store, { series, startsAt: START, questions: ['One?'], questionSetId: null });
  return { store, engine, session, advanceTo: (to: number) => time.advanceTo(to, () => engine.whenIdle()) };
}

/** The engine started on a platform that is down; stopped once it reaches STORM calls, so a storm fails the test instead of hanging it. */
async function bootDown() {
  const time = new FakeTime(new Date(START.getTime() - MINUTE));
  const platform = new DownPlatform(time);
  const bot = await boot(platform, time);
  platform.onCall = () => {
    if (platform.calls.length === STORM) bot.engine.stop();
  };
  await bot.engine.start();
  return { time, platform, bot };
}

describe('a platform that keeps failing costs a bounded number of tries (issue 10, item 1)', () => {
  it('post and the reconcile lookup both failing: at most MAX_ATTEMPTS tries per prompt, spaced by the backoff', async () => {
    const { platform, bot } = await bootDown();
    await bot.advanceTo(START.getTime() + 3 * 60 * MINUTE);

    expect(platform.calls.length).toBeLessThan(STORM);
    const prompts = await bot.store.prompts.listBySession(bot.session.id);
    // Every try of the welcome: its send at T+0, then (outcome unknown) the lookups before any resend.
    const welcome = prompts.find((p) => p.kind === 'welcome')!;
    const first = platform.calls.findIndex((c) => c.marker === `emcee:${bot.session.id}:${welcome.id}`);
    const welcomeTries = platform.calls.slice(first, first + MAX_ATTEMPTS).map((c) => (c.at - START.getTime()) / 1000);
    const expected = [0];
    for (let a = 1; a < MAX_ATTEMPTS; a++) expected.push(expected[a - 1]! + backoffMs(a) / 1000);
    expect(welcomeTries).toEqual(expected); // 0, 5, 20, 65, 200 s
    expect(welcome).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS });
    // Each prompt is given up after MAX_ATTEMPTS tries; nothing is tried more often.
    expect(platform.calls.length).toBeLessThanOrEqual(MAX_ATTEMPTS * prompts.length);
    expect(prompts.every((p) => p.state === 'failed' || p.state === 'skipped')).toBe(true);
    expect((await bot.store.sessions.get(bot.session.id))!.state).toBe('ended');
  });

  it('a failing lookup is never followed at once by another: consecutive tries are at least 5 s apart', async () => {
    const { platform, bot } = await bootDown();
    // Outside kicks (the minute tick, moderator controls, the database follower) do not bring tries forward.
    for (let s = 0; s <= 120; s++) {
      await bot.advanceTo(START.getTime() + s * 1000);
      await bot.engine.kick();
    }
    expect(platform.calls.length).toBeLessThan(STORM);
    const gaps = platform.calls.slice(1).map((c, i) => c.at - platform.calls[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(backoffMs(1));
    expect(platform.calls.length).toBeLessThanOrEqual(4); // T+0, +5, +20, +65 s
  });
});

describe('a channel that is gone or out of reach stops its session (issue 10, item 1)', () => {
  it('Unknown Channel on the first post: one try, the session is cancelled with its reason, one log line', async () => {
    const time = new FakeTime(new Date(START.getTime() - MINUTE));
    const platform = new MemoryPlatform(time);
    platform.makeUnavailable('chat', 'unknown-channel', 'Unknown Channel');
    const { log, lines } = capturingLog();
    const bot = await boot(platform, time, log);
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + 2 * 60 * MINUTE);

    expect(platform.calls.filter((c) => c.channelId === 'chat')).toHaveLength(1);
    const session = (await bot.store.sessions.get(bot.session.id))!;
    expect(session.state).toBe('cancelled');
    const prompts = await bot.store.prompts.listBySession(session.id);
    expect(prompts.every((p) => p.state === 'failed' && /channel chat/.test(p.skipReason ?? '') && /Unknown Channel/.test(p.skipReason ?? ''))).toBe(true);
    const errors = lines.filter((l) => (l.level as number) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/session #\d+ stopped: channel chat is gone or out of reach/);
    expect((await bot.store.controls.list(session.id)).map((c) => [c.action, c.actor])).toEqual([['cancel', 'emcee']]);
  });

  it('Missing Access while reconciling a post of unknown outcome stops it the same way, and notifies the recap channel', async () => {
    const time = new FakeTime(new Date(START.getTime() - MINUTE));
    const platform = new MemoryPlatform(time);
    const bot = await boot(platform, time, silentLog, { recapChannelId: '222222222222222222' });
    await bot.engine.start();
    await bot.advanceTo(START.getTime() + 2 * MINUTE - 1);
    platform.failNext('after-send'); // the guidelines go out, the bot never hears back
    await bot.advanceTo(START.getTime() + 2 * MINUTE);
    platform.makeUnavailable('chat', 'no-access', 'Missing Access');
    await bot.advanceTo(START.getTime() + 60 * MINUTE);
    const session = (await bot.store.sessions.get(bot.session.id))!;
    expect(session.state).toBe('cancelled');
    expect(platform.posted('chat').map((m) => m.prompt!.kind)).toEqual(['welcome', 'guidelines']);
    const notices = platform.notices.filter((n) => n.channelId === '222222222222222222');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/^#BadgeChat session #\d+ stopped: channel chat is gone or out of reach \(Missing Access\)/);
    // The lookup that met the lost channel was the guidelines' only retry: nothing after it.
    expect(platform.calls.filter((c) => c.channelId === 'chat').map((c) => c.what)).toEqual(['post', 'post', 'fetchRecent']);
  });
});
