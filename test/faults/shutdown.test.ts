/**
 * Shutdown and crashes of `npm start` (src/main.ts, in its own process) on the loopback
 * Discord: SIGTERM while a question's post is in flight lets it finish and exits 0 within
 * the bound, and the restarted bot posts nothing twice; a shutdown blocked by a Discord that
 * never answers exits 1 at the bound, naming the post it was waiting for; an unhandled
 * rejection or exception is logged with its context and exits non-zero.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { SessionControls } from '../../src/live/controls.ts';
import { EXIT_CRASHED } from '../../src/shutdown.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openDatabase } from '../../src/store/db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { silentLog } from '../helpers/live.ts';
import { botMessages, errorLines, killAll, postLabel, resentMarkers, spawnBot, stderrOf, until, type BotLife } from './support.ts';

const TAG = '#StopChat';
// welcome T+0, Q1 T+6 s, Q2 T+9 s, Q3 T+12 s; the outro and close come when the test ends
// the session (as a moderator would). Late prompts are posted late, not skipped.
const SETTINGS = {
  guidelinesAtMinutes: null, questionOffsetsMinutes: [0.1, 0.15, 0.2], headsUpMinutesBefore: null,
  graceMinutes: 0, lateToleranceSeconds: 3600, scheduledEvents: false,
};
const DEFAULT_BOUND_MS = 10_000;
const CRASH_FIXTURE = fileURLToPath(new URL('./fixtures/crash-on-signal.mjs', import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface World {
  sandbox: Sandbox;
  channelId: string;
  dbPath: string;
  /** The test's own connection (null on a database left at an older schema for the bot to migrate). */
  store: Store | null;
  reader: Database.Database;
  lives: BotLife[];
  /** A bot process on this world's database (logging at info). */
  spawn(env?: Record<string, string>): BotLife;
}

async function world({ schemaVersion }: { schemaVersion?: number } = {}): Promise<World> {
  const sandbox = await startSandbox();
  cleanups.push(() => sandbox.close());
  const channelId = sandbox.createChannel('stopchat').id;
  const dir = mkdtempSync(`${tmpdir()}/emcee-stop-`);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = `${dir}/emcee.sqlite`;
  if (schemaVersion !== undefined) openDatabase(dbPath, migrations.slice(0, schemaVersion)).close(); // made by an older Emcee
  const store = schemaVersion === undefined ? openStore(dbPath, systemClock) : null;
  if (store) cleanups.push(() => store.close());
  const reader = new Database(dbPath, { readonly: true, fileMustExist: true });
  cleanups.push(() => reader.close());
  const lives: BotLife[] = [];
  cleanups.push(() => killAll(lives));
  const spawn = (env: Record<string, string> = {}) => {
    const life = spawnBot(sandbox, { DATABASE_PATH: dbPath, LOG_LEVEL: 'info', ...env }, lives.length + 1);
    lives.push(life);
    return life;
  };
  return { sandbox, channelId, dbPath, store, reader, lives, spawn };
}

const running = (life: BotLife) => until(`${life.name} to run`, () => {
  if (life.exited) throw new Error(`${life.name} exited\n${stderrOf([life])}`);
  return life.stderr.includes('"msg":"running: SIGINT or SIGTERM stops Emcee"');
}, 30_000);

/** The JSON log lines of a life whose msg matches. */
const logLines = (life: BotLife, msg: RegExp) => life.stderr.split('\n').filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string }).filter((l) => msg.test(l.msg));

/** Starts a session now, from the terminal's side (the running bot follows the database). */
async function startSession(w: World) {
  const store = w.store!;
  const series = await store.series.saveForChannel({ guildId: w.sandbox.guild.id, channelId: w.channelId, tag: TAG, timezone: 'UTC', schedule: null, settings: SETTINGS });
  const controls = new SessionControls({ store, clock: systemClock, log: silentLog });
  const session = await controls.start(series, 'tester', { questions: ['One?', 'Two?', 'Three?'] });
  const prompts = await store.prompts.listBySession(session.id);
  const stateOf = w.reader.prepare<[number], { state: string }>('SELECT state FROM prompts WHERE id = ?');
  return {
    session, controls, prompts,
    state: (kind: string, question: number | null = null) => stateOf.get(prompts.find((p) => p.kind === kind && p.questionNumber === question)!.id)?.state,
  };
}

describe('npm start: SIGTERM and crashes', () => {
  it('SIGTERM with a question being posted: the post finishes, exit 0 within the bound; the restarted bot posts each prompt once', async () => {
    const w = await world();
    const messages = `/channels/${w.channelId}/messages`;
    const first = w.spawn();
    await running(first);
    const s = await startSession(w);
    await w.sandbox.waitFor(() => botMessages(w.sandbox, w.channelId).length === 1, 15_000); // the welcome
    // Discord answers Q1's post only after 3 s: SIGTERM lands while it is in flight.
    const hold = w.sandbox.delay({ method: 'POST', path: new RegExp(`^${messages}$`) }, 3000);
    await until('Q1 to be in flight', () => s.state('question', 1) === 'posting', 15_000);
    const sent = Date.now();
    first.proc.kill('SIGTERM');
    const exit = await first.exit;
    const took = Date.now() - sent;
    hold.stop();
    expect(exit, stderrOf([first])).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(DEFAULT_BOUND_MS);
    // It waited for the post rather than leaving it of unknown outcome.
    expect(s.state('question', 1)).toBe('posted');
    expect(botMessages(w.sandbox, w.channelId).map(postLabel)).toEqual([s.prompts[0]!.text, 'Q1']);
    expect(logLines(first, /^stopped$/)).toHaveLength(1);

    const second = w.spawn();
    await running(second);
    await until('Q3 to be posted', () => s.state('question', 3) === 'posted', 30_000);
    await s.controls.end(s.session.id, 'tester'); // the outro and the close now
    await w.sandbox.waitFor(() => botMessages(w.sandbox, w.channelId).some((m) => m.embeds[0]?.title === `${TAG} recap`), 30_000);
    second.proc.kill('SIGTERM');
    expect(await second.exit, stderrOf([second])).toEqual({ code: 0, signal: null });

    const prompts = await w.store!.prompts.listBySession(s.session.id);
    const posts = botMessages(w.sandbox, w.channelId).filter((m) => m.embeds[0]?.title !== `${TAG} recap`);
    expect(posts.map(postLabel)).toEqual(prompts.map((p) => (p.kind === 'question' ? `Q${p.questionNumber}` : p.text)));
    expect(prompts.map((p) => [p.kind, p.state, p.messageId])).toEqual(prompts.map((p, i) => [p.kind, 'posted', posts[i]?.id]));
    expect(resentMarkers(w.sandbox, w.channelId)).toEqual([]);
    expect(errorLines(w.lives)).toEqual([]);
  }, 90_000);

  it('a Discord that never answers the post in flight: exit 1 at the bound, the log naming that post; the restart posts it once', async () => {
    const w = await world();
    const messages = `/channels/${w.channelId}/messages`;
    const first = w.spawn({ SHUTDOWN_TIMEOUT_MS: '3000' });
    await running(first);
    const s = await startSession(w);
    await w.sandbox.waitFor(() => botMessages(w.sandbox, w.channelId).length === 1, 15_000);
    const hold = w.sandbox.delay({ method: 'POST', path: new RegExp(`^${messages}$`) }, 10 * 60_000); // never, for this test
    cleanups.push(() => hold.stop());
    await until('Q1 to be in flight', () => s.state('question', 1) === 'posting', 15_000);
    const sent = Date.now();
    first.proc.kill('SIGTERM');
    const exit = await first.exit;
    const took = Date.now() - sent;
    expect(exit, stderrOf([first])).toEqual({ code: 1, signal: null });
    expect(took).toBeGreaterThanOrEqual(3000);
    expect(took).toBeLessThan(3000 + 3000); // the bound, plus slack for a loaded machine
    const [line, ...more] = logLines(first, /^shutdown took longer than/);
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 50, timeoutMs: 3000, still: [`post in flight: session ${s.session.id} Q1`],
      msg: `shutdown took longer than 3 s (SHUTDOWN_TIMEOUT_MS): exiting 1 with these still running: post in flight: session ${s.session.id} Q1`,
    });

    // Discord answers at last (the post reached the channel); the next bot finds it by its
    // marker and does not post it again.
    hold.stop();
    await w.sandbox.waitFor(() => botMessages(w.sandbox, w.channelId).length === 2, 10_000);
    const second = w.spawn();
    await running(second);
    await until('Q3 to be posted', () => s.state('question', 3) === 'posted', 30_000);
    second.proc.kill('SIGTERM');
    expect(await second.exit, stderrOf([second])).toEqual({ code: 0, signal: null });
    expect(botMessages(w.sandbox, w.channelId).map(postLabel)).toEqual([s.prompts[0]!.text, 'Q1', 'Q2', 'Q3']);
    expect(s.state('question', 1)).toBe('posted');
    expect(resentMarkers(w.sandbox, w.channelId)).toEqual([]);
  }, 90_000);

  for (const kind of ['rejection', 'exception'] as const) {
    it(`an unhandled ${kind}: logged with its context, exit ${EXIT_CRASHED}`, async () => {
      const w = await world();
      const life = w.spawn({ NODE_OPTIONS: `--import=${pathToFileURL(CRASH_FIXTURE).href}`, EMCEE_TEST_CRASH: kind });
      await running(life);
      life.proc.kill('SIGUSR2');
      expect(await life.exit, stderrOf([life])).toEqual({ code: EXIT_CRASHED, signal: null });
      const what = kind === 'rejection' ? 'unhandled rejection' : 'uncaught exception';
      const [line, ...more] = logLines(life, new RegExp(`^${what} while running`));
      expect(more).toEqual([]);
      expect(line).toMatchObject({
        level: 60, kind: what, phase: 'running', uptimeSeconds: expect.any(Number),
        err: { type: 'Error', message: kind === 'rejection' ? 'a rejection nobody handles (test)' : 'an exception nobody catches (test)', stack: expect.stringContaining('crash-on-signal.mjs') },
        msg: `${what} while running: exiting with code ${EXIT_CRASHED} so that the supervisor restarts Emcee`,
      });
    }, 60_000);
  }

  it('on a database made by an older Emcee: a copy is written beside it before the migration, and the log says where', async () => {
    const w = await world({ schemaVersion: 9 });
    const life = w.spawn();
    await running(life);
    life.proc.kill('SIGTERM');
    expect(await life.exit, stderrOf([life])).toEqual({ code: 0, signal: null });
    const backup = `${w.dbPath}.before-migration-010.bak`;
    const latest = migrations.at(-1)!.version;
    expect(logLines(life, /^database copied/)).toEqual([expect.objectContaining({
      level: 30, backup, fromVersion: 9, toVersion: latest,
      msg: `database copied to ${backup} before migrating it from schema version 9 to ${latest}`,
    })]);
    const copy = new Database(backup, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(9);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  }, 60_000);
});
