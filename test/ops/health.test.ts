import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.ts';
import { ListenError, startOps, type Ops } from '../../src/ops/index.ts';
import { checkReadiness } from '../../src/ops/readiness.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { shardSet, type ShardSet } from '../../src/domain/shard.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';

// /healthz, /readyz and the listener itself, against a real bot on the loopback Discord:
// ready only when the gateway is connected, the store answers and the engine cycled recently.

const START = new Date('2026-11-23T23:30:00Z');

interface World {
  time: FakeTime;
  sandbox: Sandbox;
  store: Store;
  ops: Ops;
  bot: RunningApp;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The ops listener (port 0: any free port), then the bot reporting to it, as npm start does. */
async function setUp(owns: ShardSet | null = null): Promise<World> {
  const time = new FakeTime(START);
  // Shards identify side by side (Discord's max_concurrency), not five seconds apart.
  const sandbox = await startSandbox({ clock: time, sharding: { maxConcurrency: 4 } });
  const store = openStore(':memory:', time);
  cleanups.push(() => sandbox.close(), () => store.close());
  const ops = await startOps({ port: 0, clock: time, log: silentLog });
  cleanups.push(() => ops.close());
  const bot = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false, telemetry: ops.telemetry, owns });
  cleanups.push(() => bot.stop());
  ops.attach(bot);
  return { time, sandbox, store, ops, bot };
}

async function get(ops: Ops, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${ops.url}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function readyz(ops: Ops): Promise<{ status: number; verdict: { ready: boolean; problems: string[] } }> {
  const res = await get(ops, '/readyz');
  expect(res.type).toBe('application/json');
  return { status: res.status, verdict: JSON.parse(res.body) as { ready: boolean; problems: string[] } };
}

describe('health: /healthz and /readyz', () => {
  it('/healthz answers 200 while the process runs; an unknown path is 404, another method 405', async () => {
    const w = await setUp();
    expect(await get(w.ops, '/healthz')).toEqual({ status: 200, type: 'application/json', body: '{"alive":true}\n' });
    expect((await get(w.ops, '/nope')).status).toBe(404);
    expect((await get(w.ops, '/')).status).toBe(404);
    expect((await get(w.ops, '/healthz', 'POST')).status).toBe(405);
    expect(await get(w.ops, '/healthz', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect(w.ops.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('/readyz is 503 "not connected yet" while the bot logs in, 200 once the gateway is ready', async () => {
    const time = new FakeTime(START);
    const sandbox = await startSandbox({ clock: time });
    const store = openStore(':memory:', time);
    cleanups.push(() => sandbox.close(), () => store.close());
    const ops = await startOps({ port: 0, clock: time, log: silentLog });
    cleanups.push(() => ops.close());
    // Discord is slow to answer: the bot is still starting.
    const slow = sandbox.delay({ method: 'GET', path: /^\/gateway\/bot$/ }, 60_000);
    const starting = startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false, telemetry: ops.telemetry });
    expect(await readyz(ops)).toEqual({ status: 503, verdict: { ready: false, problems: ['starting: not connected to Discord yet'] } });
    expect((await get(ops, '/healthz')).status).toBe(200); // alive all the same
    slow.stop();
    const bot = await starting;
    cleanups.push(() => bot.stop());
    ops.attach(bot);
    expect(await readyz(ops)).toEqual({ status: 200, verdict: { ready: true, problems: [] } });
  });

  it('/readyz names a gateway that Discord closed for good, and recovers from a dropped one', async () => {
    const w = await setUp();
    expect((await readyz(w.ops)).status).toBe(200);
    // A resumable drop: discord.js reconnects by itself, counted as a reconnect; ready again after.
    w.sandbox.closeSocket(4000);
    await w.sandbox.waitFor(() => !w.sandbox.connected() || undefined).catch(() => {});
    await w.sandbox.waitFor(() => w.sandbox.connected());
    await expect.poll(async () => (await readyz(w.ops)).status, { timeout: 5_000 }).toBe(200);
    expect(await get(w.ops, '/metrics')).toMatchObject({ body: expect.stringMatching(/^emcee_gateway_reconnects_total 1$/m) });
    // Closed with a code discord.js does not reconnect after (4004: authentication failed).
    w.sandbox.closeSocket(4004);
    await expect.poll(async () => (await readyz(w.ops)).verdict, { timeout: 5_000 })
      .toEqual({ ready: false, problems: ['shard 0: gateway disconnected (will not reconnect)'] });
    expect((await readyz(w.ops)).status).toBe(503);
  });

  it('/readyz is 503 once the bot has stopped (its client let go of the gateway); that close is no reconnect', async () => {
    const w = await setUp();
    expect((await readyz(w.ops)).status).toBe(200);
    await w.bot.stop();
    expect(await readyz(w.ops)).toEqual({ status: 503, verdict: { ready: false, problems: ['gateway: closed (Emcee is shutting down)'] } });
    expect(await get(w.ops, '/metrics')).toMatchObject({ body: expect.stringMatching(/^emcee_gateway_reconnects_total 0$/m) });
  });

  it('/readyz names every shard of the process that is not connected (SHARDS=0,1 SHARD_COUNT=2)', async () => {
    const w = await setUp(shardSet(2, [0, 1]));
    expect(w.sandbox.connected()).toBe(true);
    expect(await readyz(w.ops)).toEqual({ status: 200, verdict: { ready: true, problems: [] } });
    w.sandbox.closeSocket(4004);
    await expect.poll(async () => (await readyz(w.ops)).verdict.problems, { timeout: 5_000 })
      .toEqual(['shard 0: gateway disconnected (will not reconnect)', 'shard 1: gateway disconnected (will not reconnect)']);
  });

  it('/readyz names a store that no longer answers', async () => {
    const w = await setUp();
    expect((await readyz(w.ops)).status).toBe(200);
    await w.store.close(); // under the running bot, as a database gone away would be
    expect(await readyz(w.ops)).toEqual({ status: 503, verdict: { ready: false, problems: ['store: the store is closed'] } });
  });

  it('/readyz names an engine whose last cycle is too old (its clock moved on, no cycle came)', async () => {
    const w = await setUp();
    await w.bot.live.engine.whenIdle();
    expect((await readyz(w.ops)).status).toBe(200);
    // Nothing is planned: the engine's next timer is an hour away, and the minute tick is off
    // here, as if node-cron had stopped. Six minutes on, the cycle is stale.
    await w.time.advanceTo(START.getTime() + 6 * MINUTE, () => w.bot.live.engine.whenIdle());
    expect(await readyz(w.ops)).toEqual({ status: 503, verdict: { ready: false, problems: ['engine: last cycle 360 s ago (more than 300 s)'] } });
    await w.bot.live.engine.kick(); // a cycle: ready again
    expect((await readyz(w.ops)).status).toBe(200);
  });
});

describe('the readiness verdict', () => {
  it('a store that never answers is named after its timeout, with the other problems in order', async () => {
    const time = new FakeTime(START);
    const verdict = await checkReadiness({
      gateway: () => ['shard 0: gateway resuming'],
      storeRead: () => new Promise(() => {}), // PostgreSQL gone silent
      lastCycle: () => null,
      clock: time,
      maxCycleAgeMs: 300_000,
      storeTimeoutMs: 20,
    });
    expect(verdict).toEqual({ ready: false, problems: ['shard 0: gateway resuming', 'store: no answer within 0.02 s', 'engine: no cycle yet'] });
  });
});

describe('the listener', () => {
  it('a port already in use is one line naming HTTP_PORT', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;
    const started = startOps({ port, clock: new FakeTime(START), log: silentLog });
    await expect(started).rejects.toThrow(ListenError);
    await expect(started).rejects.toThrow(`HTTP_PORT ${port}: already in use on 127.0.0.1 (another Emcee, or another program): choose another port`);
  });
});
