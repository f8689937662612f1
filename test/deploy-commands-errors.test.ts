import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { ROOT } from './helpers/seeds.ts';

/** `npm run deploy-commands` fails with one line, never a stack (hardening #19/#20/#21 for the deploy script). */

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

function deploy(cwd: string, env: Record<string, string>, args: string[] = []): Promise<{ status: number | null; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DISCORD_') && k !== 'NODE_OPTIONS')) as Record<string, string>;
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, 'src/discord/deploy-commands.ts'), ...args], {
    cwd, env: { ...base, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr })));
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('deploy-commands errors', () => {
  it('a malformed .env is one line naming the file and line, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-deploy-'));
    writeFileSync(join(dir, '.env'), 'DISCORD_TOKEN=abc\nDISCORD_APPLICATION_ID="123\n');
    const run = await deploy(dir, {});
    expect(oneLine(run.stderr)).toEqual([expect.stringMatching(/^deploy-commands: \.env:2: .*quote/)]);
    expect(run.status).toBe(1);
  });

  it('a token Discord refuses is one line, exit 1', async () => {
    const sandbox = await startSandbox();
    sandboxes.push(sandbox);
    const dir = mkdtempSync(join(tmpdir(), 'emcee-deploy-'));
    const run = await deploy(dir, { DISCORD_TOKEN: 'not-the-token', DISCORD_APPLICATION_ID: sandbox.applicationId, DISCORD_API_BASE: sandbox.apiBase });
    expect(oneLine(run.stderr)).toEqual([expect.stringMatching(/^deploy-commands: Discord refused .*401/)]);
    expect(run.status).toBe(1);
  });

  it('an option it does not take is one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-deploy-'));
    const run = await deploy(dir, {}, ['--guidl', '1']);
    expect(oneLine(run.stderr)).toEqual([expect.stringMatching(/^deploy-commands: .*--guidl.*only --guild/)]);
    expect(run.status).toBe(2);
  });
});
