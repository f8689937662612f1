/**
 * deploy/emcee.service, checked by systemd itself: `systemd-analyze verify` parses the unit
 * and reports every key it does not know, every value it cannot parse, and an ExecStart
 * whose program is missing. The unit names the paths of an installed system (/opt/emcee,
 * /etc/emcee/emcee.env), which do not exist here, so what is verified is a copy whose paths
 * point at this checkout instead (the build in dist/, node as this test runs it, and
 * deploy/emcee.env.example for the environment file); nothing else in it is changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDotEnv, readBotConfig } from '../../src/config.ts';
import { ROOT } from '../helpers/seeds.ts';

const ANALYZE = '/usr/bin/systemd-analyze';
const UNIT = readFileSync(`${ROOT}deploy/emcee.service`, 'utf8');

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** The unit with the installed system's paths pointing at this checkout; verify's complaints about it. */
function verify(unit: string): { status: number | null; complaints: string[] } {
  const dir = mkdtempSync(`${tmpdir()}/emcee-unit-`);
  dirs.push(dir);
  const copy = unit
    .replaceAll('/usr/bin/node ', `${process.execPath} `)
    .replaceAll('/opt/emcee/', ROOT)
    .replaceAll('/etc/emcee/emcee.env', `${ROOT}deploy/emcee.env.example`);
  writeFileSync(`${dir}/emcee.service`, copy);
  const run = spawnSync(ANALYZE, ['verify', '--man=no', `${dir}/emcee.service`], { encoding: 'utf8', cwd: dir });
  // verify also reports on units of the machine it loads along (targets); only ours count.
  const complaints = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes('emcee.service'));
  return { status: run.status, complaints };
}

/** A key's value in the unit (the last one set, as systemd reads it). */
const key = (name: string) => [...UNIT.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].at(-1)?.[1];

// CI installs Debian's systemd (.ci/run), so there the check must run: a missing
// systemd-analyze fails instead of skipping. Elsewhere without it the check is skipped.
if (process.env.CI === 'true') {
  it('systemd-analyze is installed, so the unit is verified (CI must not skip it)', () => {
    expect(existsSync(ANALYZE), `${ANALYZE} is missing: .ci/run installs Debian's systemd`).toBe(true);
  });
}

describe('deploy/emcee.service', () => {
  it.skipIf(!existsSync(ANALYZE))('passes systemd-analyze verify, with nothing to complain about', () => {
    expect(existsSync(`${ROOT}dist/src/main.js`)).toBe(true); // what ExecStart runs (the test setup builds it)
    expect(verify(UNIT)).toEqual({ status: 0, complaints: [] });
  });

  it.skipIf(!existsSync(ANALYZE))('and the check can fail: a bad value or a key in the wrong section is reported', () => {
    expect(verify(UNIT.replace('Restart=on-failure', 'Restart=sometimes')).complaints).toEqual([expect.stringMatching(/restart specifier.*sometimes/i)]);
    expect(verify(UNIT.replace('[Service]\n', '[Service]\nStartLimitIntervalSec=60\n')).complaints).toEqual([expect.stringMatching(/Unknown key 'StartLimitIntervalSec' in section \[Service\]/)]);
  });

  it('runs the compiled build as npm start does, as its own user, with a state directory and sandboxing', () => {
    const start = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(key('ExecStart')).toBe(`/usr/bin/${start.replace('dist/', '/opt/emcee/dist/')}`);
    expect(key('User')).toBe('emcee');
    expect(key('StateDirectory')).toBe('emcee');
    expect(key('EnvironmentFile')).toBe('/etc/emcee/emcee.env');
    expect(key('Restart')).toBe('on-failure');
    expect(key('ReadWritePaths')).toBe('/var/lib/emcee');
    for (const [name, value] of [['ProtectSystem', 'strict'], ['NoNewPrivileges', 'yes'], ['PrivateTmp', 'yes'], ['ProtectHome', 'yes']]) {
      expect(key(name!), name).toBe(value);
    }
    // The database lives in the state directory.
    expect(readFileSync(`${ROOT}deploy/emcee.env.example`, 'utf8')).toMatch(/^DATABASE_PATH=\/var\/lib\/emcee\/emcee\.sqlite$/m);
  });

  it('gives a stop more time than Emcee\'s own shutdown bound, so systemd never kills a clean stop', () => {
    const stopSec = /^(\d+)s$/.exec(key('TimeoutStopSec') ?? '');
    expect(stopSec).not.toBeNull();
    const bound = readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456789012345678' }).shutdownTimeoutMs;
    const example = Number(/^SHUTDOWN_TIMEOUT_MS=(\d+)$/m.exec(readFileSync(`${ROOT}deploy/emcee.env.example`, 'utf8'))?.[1]);
    expect(Number(stopSec![1]) * 1000).toBeGreaterThan(Math.max(bound, example) + 5_000);
  });

  it('its environment file, with a token and an application id filled in, is a valid configuration', () => {
    const example = parseDotEnv(readFileSync(`${ROOT}deploy/emcee.env.example`, 'utf8'), 'deploy/emcee.env.example');
    expect(readBotConfig({ ...example, DISCORD_TOKEN: 'abc.def.ghi', DISCORD_APPLICATION_ID: '123456789012345678' }))
      .toMatchObject({ databasePath: '/var/lib/emcee/emcee.sqlite', databaseUrl: undefined, shutdownTimeoutMs: 10_000, logLevel: 'info' });
  });
});
