import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type AppOptions, type RunningApp } from '../src/app.ts';
import { DiscordStartError } from '../src/discord/start-error.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { StoreError, openStore } from '../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from './helpers/live.ts';
import { pollUntil } from './helpers/poll.ts';
import { ROOT } from './helpers/seeds.ts';

/**
 * src/app.ts, the composition root: `npm start`, the demo and the sandbox tests all start
 * Emcee through startApp, which opens the configured store (and closes it again) or uses
 * one it is handed (and leaves it open).
 */

const T0 = new Date('2026-11-30T18:00:00Z').getTime();
const at = (minutes: number) => T0 + minutes * MINUTE;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function sandboxAt(time: FakeTime): Promise<Sandbox> {
  const sandbox = await startSandbox({ clock: time });
  cleanups.push(() => sandbox.close());
  return sandbox;
}

/** What every app in these tests shares: the sandbox's Discord, fake time, no minute tick. */
function onSandbox(sandbox: Sandbox, time: FakeTime): Omit<AppOptions, 'database' | 'store'> {
  return { token: sandbox.token, apiBase: sandbox.apiBase, clock: time, timers: time, log: silentLog, minuteTick: false };
}

/** A fresh database path in a temp folder (its real path, as /proc/self/fd shows it). */
function databaseFile(): string {
  return `${realpathSync(mkdtempSync(`${tmpdir()}/emcee-app-`))}/emcee.sqlite`;
}

/** How many descriptors this process holds open on the database file and its -wal/-shm companions. */
function openHandles(databasePath: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(databasePath);
    } catch {
      return false; // closed while listing
    }
  }).length;
}

/** Keeps an app's stop() for the cleanup unless the test stopped it itself. */
function stopLater(app: RunningApp): { stop(): Promise<void> } {
  let stopped = false;
  cleanups.push(() => stopped || app.stop());
  return {
    stop: async () => {
      stopped = true;
      await app.stop();
    },
  };
}

describe('startApp (src/app.ts)', () => {
  it('from a configured database path: runs a session end to end on the sandbox, and stop() closes the store it opened', async () => {
    const databasePath = databaseFile();
    const time = new FakeTime(new Date(at(-1)));
    const sandbox = await sandboxAt(time);
    const channel = sandbox.createChannel('appchat');
    const app = await startApp({ database: { databasePath }, ...onSandbox(sandbox, time) });
    const running = stopLater(app);
    expect(openHandles(databasePath)).toBeGreaterThan(0);
    const advanceTo = (ms: number) => time.advanceTo(ms, () => app.live.engine.whenIdle());

    const series = await app.store.series.saveForChannel({
      guildId: sandbox.guild.id, channelId: channel.id, tag: '#AppChat', timezone: 'UTC', schedule: null,
      settings: { guidelinesAtMinutes: 1, firstQuestionAtMinutes: 2, questionIntervalMinutes: 2, headsUpMinutesBefore: 0.5, durationMinutes: 5, graceMinutes: 2 },
    });
    await advanceTo(at(0));
    const session = await app.live.controls.start(series, 'tester', { questions: ['First?', 'Second?'] });
    await advanceTo(at(2));
    const amy = sandbox.createUser('amy');
    sandbox.userSays(channel.id, amy.id, 'A1: <@&1> @everyone through the app');
    await pollUntil(async () => (await app.store.messages.answers(session.id)).length === 1 || undefined);
    await advanceTo(at(20));
    await app.recapsPosted();

    const posts = sandbox.messages(channel.id).filter((m) => m.author.id === sandbox.botUser.id).map((m) => m.embeds[0]?.title ?? m.content.split(/[.:!]/)[0]!);
    expect(posts.filter((p) => /^Q\d$/.test(p))).toEqual(['Q1', 'Q2']);
    expect(posts.at(-1)).toBe('#AppChat recap');
    expect((await app.store.sessions.get(session.id))!.state).toBe('ended');
    for (const r of sandbox.requests.filter((x) => x.method === 'POST' && /^\/channels\/\d+\/messages$/.test(x.path) && !x.files)) {
      expect((r.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    }

    await running.stop();
    expect(openHandles(databasePath)).toBe(0);
    await expect(app.store.series.list()).rejects.toThrow(/closed/);
    // What the app stored is in the configured file.
    const reopened = openStore(databasePath, time);
    cleanups.push(() => reopened.close());
    expect((await reopened.sessions.get(session.id))!.state).toBe('ended');
    expect((await reopened.messages.answers(session.id)).map((a) => [a.question, a.text])).toEqual([[1, 'A1: <@&1> @everyone through the app']]);
  });

  it('handed an open store: uses that very store, and stop() leaves it open', async () => {
    const time = new FakeTime(new Date(at(-1)));
    const sandbox = await sandboxAt(time);
    const store = openStore(':memory:', time);
    cleanups.push(() => store.close());
    const app = await startApp({ store, ...onSandbox(sandbox, time) });
    expect(app.store).toBe(store);
    await stopLater(app).stop();
    await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId: '1', tag: '#StillOpen', timezone: 'UTC', schedule: null, settings: {} });
    expect((await store.series.list()).map((s) => s.tag)).toEqual(['#StillOpen']);
  });

  it('Discord refuses the token: DiscordStartError, and the store it opened is closed again (a handed one is not)', async () => {
    const databasePath = databaseFile();
    const time = new FakeTime(new Date(at(-1)));
    const sandbox = await sandboxAt(time);
    const refused = { ...onSandbox(sandbox, time), token: 'not-the-token' };
    const opened = startApp({ database: { databasePath }, ...refused });
    await expect(opened).rejects.toThrow(DiscordStartError);
    await expect(opened).rejects.toThrow(/DISCORD_TOKEN/);
    expect(openHandles(databasePath)).toBe(0);

    const store = openStore(databasePath, time);
    cleanups.push(() => store.close());
    await expect(startApp({ store, ...refused })).rejects.toThrow(DiscordStartError);
    expect(await store.series.list()).toEqual([]);
  });

  it('a configured store that cannot be opened: StoreError with its one line, before Discord is contacted', async () => {
    const folder = realpathSync(mkdtempSync(`${tmpdir()}/emcee-app-`));
    const time = new FakeTime(new Date(at(-1)));
    const sandbox = await sandboxAt(time);
    const start = startApp({ database: { databasePath: folder }, ...onSandbox(sandbox, time) });
    await expect(start).rejects.toThrow(StoreError);
    await expect(start).rejects.toThrow(/it is a directory; DATABASE_PATH \(or --db\) must name a database file/);
    expect(sandbox.requests).toEqual([]);
  });
});

describe('one composition root', () => {
  const source = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');
  const sources = (dir: string): string[] => readdirSync(`${ROOT}${dir}`, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : []);

  it('npm start (src/main.ts), the demo and the sandbox tests start Emcee through startApp', () => {
    for (const path of ['src/main.ts', 'src/cli/demo/run.ts', 'test/helpers/discord-world.ts', 'test/discord/bot.test.ts']) {
      expect(source(path), path).toMatch(/import \{ startApp\b[^}]*\} from '(\.\.?\/)+(src\/)?app\.ts'/);
      expect(source(path), path).toMatch(/\bstartApp\(\{/);
    }
    // main.ts hands the app its configuration, and opens no store itself.
    expect(source('src/main.ts')).toMatch(/startApp\(\{\s*database: config,/);
    expect(source('src/main.ts')).not.toMatch(/openStore|openConfiguredStore/);
  });

  it('only src/app.ts builds the live sessions, assembles the Discord adapter, and opens the configured store (besides the CLI, for its commands)', () => {
    const callers = (call: RegExp) => sources('src').filter((f) => call.test(source(f))).sort();
    expect(callers(/\bcreateLiveSessions\(/)).toEqual(['src/app.ts', 'src/live/index.ts']);
    expect(callers(/\bcreateDiscordAdapter\(/)).toEqual(['src/app.ts', 'src/discord/bot.ts']);
    expect(callers(/\bopenConfiguredStore\(/)).toEqual(['src/app.ts', 'src/cli.ts', 'src/store/index.ts']);
  });
});
