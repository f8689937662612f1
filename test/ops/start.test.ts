import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.ts';
import { ROOT } from '../helpers/seeds.ts';

// `npm start` (src/main.ts, in its own process) with HTTP_PORT: the listener comes up with
// the bot, reports it ready once connected, and goes away with it; a bad HTTP_PORT or a port
// in use stops it at start with one line naming HTTP_PORT.

const APP = '123456789012345678';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function npmStart(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', `${ROOT}src/main.ts`], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH!, DISCORD_APPLICATION_ID: APP, DISCORD_TOKEN: 'x', LOG_LEVEL: 'info',
      DATABASE_PATH: `${mkdtempSync(`${tmpdir()}/emcee-ops-`)}/emcee.sqlite`, ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  // stderr without the JSON log lines: what a person reads.
  const lines = () => stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
  return { child, exited, lines, stderr: () => stderr };
}

async function freePort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('npm start with HTTP_PORT', () => {
  it('serves /readyz 200 and /metrics once connected, and stops listening on SIGTERM', async () => {
    const sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const probe = await freePort();
    await probe.close();
    const run = npmStart({ DISCORD_TOKEN: sandbox.token, DISCORD_API_BASE: sandbox.apiBase, HTTP_PORT: String(probe.port) });
    const url = `http://127.0.0.1:${probe.port}`;
    await expect.poll(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status ?? 'down', { timeout: 15_000, interval: 100 }).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ ready: true, problems: [] });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^emcee_sessions\{state="running"\} 0$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(run.stderr()).toContain('"msg":"health and metrics listening (/healthz, /readyz, /metrics)"');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('HTTP_PORT=abc: one line naming it, exit 1', async () => {
    const run = npmStart({ HTTP_PORT: 'abc' });
    expect(await run.exited).toBe(1);
    expect(run.lines()).toContain('  HTTP_PORT: must be a port number (1 to 65535)');
    expect(run.lines().filter((l) => l.includes('HTTP_PORT'))).toHaveLength(1);
  });

  it('a port already in use: one line naming HTTP_PORT, exit 1, before Discord is tried', async () => {
    const taken = await freePort();
    cleanups.push(() => taken.close());
    const run = npmStart({ HTTP_PORT: String(taken.port), DISCORD_API_BASE: 'http://127.0.0.1:9/api' });
    expect(await run.exited).toBe(1);
    expect(run.lines()).toEqual([`emcee: HTTP_PORT ${taken.port}: already in use on 127.0.0.1 (another Emcee, or another program): choose another port`]);
  });
});
