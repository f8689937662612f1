import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { SessionControls } from '../../src/live/controls.ts';
import { openStore } from '../../src/store/index.ts';
import { silentLog } from '../helpers/live.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * `npm start` (src/main.ts, the real entry, in its own process) against Discords that fail:
 * each start-up failure is one clear line and exit 1 within a bounded wait, and SIGTERM
 * stops the bot within a bounded time even after Discord went away.
 */

const APP = '123456789012345678';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Run {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves with the first JSON log line whose msg matches. */
  logged(msg: string): Promise<void>;
}

function npmStart(env: Record<string, string>, databasePath = `${mkdtempSync(`${tmpdir()}/emcee-start-`)}/emcee.sqlite`): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}src/main.ts`], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!, DISCORD_APPLICATION_ID: APP, DISCORD_TOKEN: 'x', LOG_LEVEL: 'info',
      DATABASE_PATH: databasePath, ...env,
    },
  });
  let stderr = '';
  const waiting: { msg: string; resolve: () => void }[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiting) if (stderr.includes(`"msg":"${w.msg}"`)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  return {
    child, exited, stderr: () => stderr,
    logged: (msg) => new Promise((resolve) => waiting.push({ msg, resolve })),
  };
}

/** stderr without the JSON log lines: what a person reads. */
const messages = (run: Run) => run.stderr().split('\n').filter((l) => l.trim() && !l.startsWith('{'));

async function expectOneLineFailure(run: Run, message: RegExp) {
  const { code } = await run.exited;
  expect(messages(run), run.stderr()).toHaveLength(1);
  expect(messages(run)[0]).toMatch(message);
  expect(run.stderr()).not.toMatch(/\n\s+at /);
  expect(code).toBe(1);
}

async function sandbox(): Promise<Sandbox> {
  const s = await startSandbox();
  cleanups.push(() => s.close());
  return s;
}

/** The sandbox in a child process, so that it can be frozen (SIGSTOP). */
async function remoteSandbox() {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
    import { startSandbox } from ${JSON.stringify(`${ROOT}src/sandbox/index.ts`)};
    const s = await startSandbox();
    const channel = s.createChannel('badgechat');
    process.stdout.write(JSON.stringify({ apiBase: s.apiBase, token: s.token, guildId: s.guild.id, channelId: channel.id }) + '\\n');
  `], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  const info = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
  });
  return { child, ...(JSON.parse(info) as { apiBase: string; token: string; guildId: string; channelId: string }) };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('npm start cannot connect', () => {
  it('an API base on a closed port: one line, exit 1', async () => {
    const server = createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve)); // now nothing listens there
    const run = npmStart({ DISCORD_API_BASE: `http://127.0.0.1:${port}/api` });
    await expectOneLineFailure(run, new RegExp(`^emcee: cannot reach Discord at http://127\\.0\\.0\\.1:${port}/api: connection refused`));
  }, 60_000);

  it('an API base that accepts and never answers: one line after the bounded wait, exit 1', async () => {
    let firstConnection = 0;
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      firstConnection ||= Date.now();
      sockets.push(socket); // accepted, never answered
    });
    const port = await listen(server);
    cleanups.push(() => new Promise((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(resolve);
    }));
    const run = npmStart({ DISCORD_API_BASE: `http://127.0.0.1:${port}/api`, DISCORD_CONNECT_TIMEOUT_MS: '1500' });
    await expectOneLineFailure(run, /^emcee: no answer from Discord at http:\/\/127\.0\.0\.1:\d+\/api within 1\.5 s/);
    const { at } = await run.exited;
    expect(firstConnection).toBeGreaterThan(0);
    expect(at - firstConnection).toBeLessThan(1500 + 8000); // the bound, plus slack for a loaded machine
  }, 60_000);

  it('a wrong token: one line naming DISCORD_TOKEN, exit 1', async () => {
    const s = await sandbox();
    const run = npmStart({ DISCORD_API_BASE: s.apiBase, DISCORD_TOKEN: 'not-the-token' });
    await expectOneLineFailure(run, /^emcee: Discord refused the token .*DISCORD_TOKEN/);
  }, 60_000);

  it('an API base ending in /v10 is accepted (the suffix is dropped): the bot connects', async () => {
    const s = await sandbox();
    const run = npmStart({ DISCORD_API_BASE: `${s.apiBase}/v10/`, DISCORD_TOKEN: s.token });
    await Promise.race([run.logged('running: SIGINT or SIGTERM stops Emcee'), run.exited.then(() => expect.fail(run.stderr()))]);
    expect(s.requests.some((r) => /\/v10\/v10\//.test(r.path))).toBe(false);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 60_000);
});

describe('npm start stopping', () => {
  it('SIGTERM after Discord stopped answering, mid-session, stops the bot within the bound', async () => {
    // Discord in another process, frozen with SIGSTOP: every connection stays open and silent,
    // as when the network drops. (A refused connection fails fast; silence is what hangs.)
    const remote = await remoteSandbox();
    // A session running (its prompts due one after another), as when the testers lost Discord.
    const databasePath = `${mkdtempSync(`${tmpdir()}/emcee-start-`)}/emcee.sqlite`;
    const store = openStore(databasePath, systemClock);
    const series = await store.series.saveForChannel({ guildId: remote.guildId, channelId: remote.channelId, tag: '#BadgeChat', timezone: 'UTC', schedule: null, settings: { guidelinesAtMinutes: 0.1, firstQuestionAtMinutes: 1.1, headsUpMinutesBefore: 1 } });
    await new SessionControls({ store, clock: systemClock, log: silentLog }).start(series, 'tester', { questions: ['One?', 'Two?', 'Three?'] });
    store.close();
    const run = npmStart({ DISCORD_API_BASE: remote.apiBase, DISCORD_TOKEN: remote.token, SHUTDOWN_TIMEOUT_MS: '5000' }, databasePath);
    await Promise.race([run.logged('running: SIGINT or SIGTERM stops Emcee'), run.exited.then(() => expect.fail(run.stderr()))]);
    remote.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.EMCEE_LOSS_WAIT ?? 6000))); // the guidelines fall due meanwhile
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const exit = await Promise.race([run.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000))]);
    expect(exit, 'still running 15 s after SIGTERM').not.toBeNull();
    expect(exit!.signal).toBeNull();
    expect(exit!.at - sent).toBeLessThan(5000 + 3000); // the 5 s bound (SHUTDOWN_TIMEOUT_MS), plus slack
  }, 60_000);

  it('SIGTERM while connected stops cleanly with exit 0', async () => {
    const s = await sandbox();
    const run = npmStart({ DISCORD_API_BASE: s.apiBase, DISCORD_TOKEN: s.token });
    await Promise.race([run.logged('running: SIGINT or SIGTERM stops Emcee'), run.exited.then(() => expect.fail(run.stderr()))]);
    const sent = Date.now();
    run.child.kill('SIGTERM');
    const { at, code } = await run.exited;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(5000);
  }, 60_000);
});
