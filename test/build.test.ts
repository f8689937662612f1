import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applicationCommandsJson } from '../src/discord/commands/index.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { emcee } from './helpers/emcee-cli.ts';
import { ROOT, seedPath } from './helpers/seeds.ts';

/**
 * Issue 11, a compiled build: `npm run build` emits dist/, and `npm start`, `npm run
 * deploy-commands` and the `emcee` bin run it with plain node, no tsx.
 *
 * The build is made once, here, into a throwaway package folder (whose path has a space in
 * it) laid out like a checkout: package.json, seeds/, bin/emcee.js, dist/, and a
 * node_modules that links every installed package EXCEPT tsx and esbuild. Nothing can load
 * tsx there: an import of it fails. It is compiled with the project's own
 * tsconfig.build.json (the config `npm run build` uses), adding only --noCheck and
 * --noResolve: with isolatedModules and verbatimModuleSyntax the emitted JavaScript does
 * not depend on types, so skipping the type check (which `npm run typecheck` does) and the
 * 110,000 lines of .d.ts files gives the same files in a few seconds instead of 15-20.
 */

const pkgJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string; scripts: Record<string, string>; bin: Record<string, string>;
};
/** Not linked into the throwaway package: the TypeScript runner and its engine. */
const LEFT_OUT = new Set(['tsx', 'esbuild', '@esbuild', '.bin']);

let pkg = '';
let buildMs = 0;
const cleanups: (() => unknown)[] = [];

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

/** An npm script's command line, run with this node: "node --flag dist/x.js" -> [--flag, dist/x.js]. */
function nodeArgs(script: string): string[] {
  const [command, ...args] = script.split(/\s+/);
  expect(command, `the script "${script}" runs plain node`).toBe('node');
  return args;
}

/** The environment of a fresh shell: no NODE_OPTIONS (no --import tsx sneaking in), no DISCORD_*. */
const cleanEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH!, HOME: process.env.HOME ?? tmpdir(), LOG_LEVEL: 'silent', ...extra });

beforeAll(() => {
  pkg = join(mkdtempSync(join(tmpdir(), 'emcee build ')), 'checkout');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  mkdirSync(join(pkg, 'node_modules'));
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(ROOT, pkgJson.bin.emcee!), join(pkg, pkgJson.bin.emcee!));
  symlinkSync(join(ROOT, 'seeds'), join(pkg, 'seeds'), 'dir');
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (!LEFT_OUT.has(name)) symlinkSync(join(ROOT, 'node_modules', name), join(pkg, 'node_modules', name));
  }
  const started = performance.now();
  const build = spawnSync(process.execPath, [
    join(ROOT, 'node_modules/typescript/bin/tsc'), ...pkgJson.scripts.build!.split(/\s+/).slice(1),
    '--noCheck', '--noResolve', '--outDir', join(pkg, 'dist'), '--tsBuildInfoFile', join(pkg, 'dist/.tsbuildinfo'), '--sourceMap', 'false',
  ], { cwd: ROOT, encoding: 'utf8' });
  buildMs = performance.now() - started;
  expect(build.stdout + build.stderr).toBe('');
  expect(build.status).toBe(0);
}, 120_000);

// After each test: a sandbox and the bot talking to it end with the test that started them.
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function sandbox(): Promise<Sandbox> {
  const s = await startSandbox();
  cleanups.push(() => s.close());
  return s;
}

describe('npm run build', () => {
  it('emits one .js file in dist/ for every source in src/ (slash commands included), with .js imports', () => {
    expect(pkgJson.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json$/);
    const sources = files(join(ROOT, 'src'), /\.ts$/).map((f) => relative(ROOT, f).replace(/\.ts$/, '.js'));
    const emitted = files(join(pkg, 'dist'), /\.js$/).map((f) => relative(join(pkg, 'dist'), f));
    expect(emitted.sort()).toEqual(sources.sort());
    const cli = readFileSync(join(pkg, 'dist/src/cli.js'), 'utf8');
    expect(cli).toContain('from "./archive/import.js"');
    expect(cli).toContain('import("./cli/demo/run.js")'); // dynamic imports are rewritten too
    expect(cli).not.toMatch(/from ['"][^'"]+\.ts['"]|import\(['"][^'"]+\.ts['"]\)/);
    console.log(`build for the test (no type check): ${Math.round(buildMs)} ms`);
  });

  it('the throwaway package really has no tsx: importing it there fails', () => {
    const probe = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('tsx/esm/api')"], { cwd: pkg, encoding: 'utf8', env: cleanEnv() });
    expect(probe.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package 'tsx'/);
    expect(probe.status).not.toBe(0);
    // ...while from the checkout, where it is a devDependency, it loads.
    expect(spawnSync(process.execPath, ['--input-type=module', '-e', "await import('tsx/esm/api')"], { cwd: ROOT, env: cleanEnv() }).status).toBe(0);
  });
});

describe('npm start from dist/', () => {
  it('connects to the sandbox with plain node (no tsx on its command line or in NODE_OPTIONS) and stops on SIGTERM', async () => {
    const s = await sandbox();
    const child: ChildProcess = spawn(process.execPath, nodeArgs(pkgJson.scripts.start!), {
      cwd: pkg,
      env: cleanEnv({
        LOG_LEVEL: 'info', DISCORD_TOKEN: s.token, DISCORD_APPLICATION_ID: s.applicationId, DISCORD_API_BASE: s.apiBase,
        DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'emcee-build-db-')), 'emcee.sqlite'),
      }),
    });
    cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const running = new Promise<void>((resolve) => child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('"msg":"running: SIGINT or SIGTERM stops Emcee"')) resolve();
    }));
    await Promise.race([running, exited.then(() => expect.fail(`npm start exited: ${stderr}`))]);
    // It is online in the sandbox: a gateway session identified, with an open socket.
    expect(s.connected()).toBe(true);
    if (existsSync(`/proc/${child.pid}/cmdline`)) {
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(cmdline).toEqual([process.execPath, ...nodeArgs(pkgJson.scripts.start!)]);
      expect(cmdline.join(' ')).not.toMatch(/tsx|esbuild/);
      const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      expect(environ.some((e) => e.startsWith('NODE_OPTIONS='))).toBe(false);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});

describe('npm run deploy-commands from dist/', () => {
  it('registers the same command JSON as the sources define', async () => {
    const s = await sandbox();
    const run = spawn(process.execPath, nodeArgs(pkgJson.scripts['deploy-commands']!), {
      cwd: pkg, env: cleanEnv({ DISCORD_TOKEN: s.token, DISCORD_APPLICATION_ID: s.applicationId, DISCORD_API_BASE: s.apiBase }),
    });
    let out = '';
    run.stdout.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    // First what differs from what is deployed (nothing yet: all new), then the overwrite.
    expect(out).toBe([
      'Compared with the commands deployed globally:',
      '  + /bank (new)',
      '  + /chat (new)',
      '  + "Count as answer…" (message menu) (new)',
      '  + "Not an answer" (message menu) (new)',
      'Registered 4 commands (/bank, /chat, "Count as answer…", "Not an answer") globally (they can take a while to appear everywhere).',
      '',
    ].join('\n'));
    expect(code).toBe(0);
    const put = s.requests.find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual(JSON.parse(JSON.stringify(applicationCommandsJson())));
  }, 30_000);
});

describe('the emcee bin after the build', () => {
  const bin = (...args: string[]) => spawnSync(process.execPath, [join(pkg, pkgJson.bin.emcee!), ...args], { cwd: pkg, encoding: 'utf8', env: cleanEnv() });

  it('--version prints the version in package.json', () => {
    const run = bin('--version');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${pkgJson.version}\n`);
    expect(run.status).toBe(0);
  });

  it('replay prints what the sources print, from seeds/ found beside dist/', async () => {
    const file = relative(ROOT, seedPath('001_390feaa8c4f3efe6.txt')); // seeds/2018-10-22-badgechat.txt
    const run = bin('replay', file, '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const fromSources = await emcee('replay', join(ROOT, file), '--json');
    expect(fromSources.code).toBe(0);
    expect(run.stdout).toBe(fromSources.stdout);
    expect(JSON.parse(run.stdout)).toBeTruthy();
  });

  it('without a build it says so in one line (exit 1), not with a stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-unbuilt-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, pkgJson.bin.emcee!), join(dir, 'bin/emcee.js'));
    const run = spawnSync(process.execPath, [join(dir, 'bin/emcee.js'), '--version'], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
    expect(run.stderr).toBe('emcee: not built yet (no dist/): run `npm run build` first\n');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(1);
  });
});

describe('npm install builds (the prepare script)', () => {
  /** scripts/prepare.js in a folder of its own, with a stand-in for typescript/bin/tsc if `tsc` is given. */
  function prepareIn(tsc?: string) {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-prepare-'));
    mkdirSync(join(dir, 'scripts'));
    copyFileSync(join(ROOT, 'scripts/prepare.js'), join(dir, 'scripts/prepare.js'));
    writeFileSync(join(dir, 'package.json'), '{"name":"emcee","type":"module"}\n');
    if (tsc !== undefined) {
      mkdirSync(join(dir, 'node_modules/typescript/bin'), { recursive: true });
      writeFileSync(join(dir, 'node_modules/typescript/package.json'), '{"name":"typescript"}\n');
      writeFileSync(join(dir, 'node_modules/typescript/bin/tsc'), tsc);
    }
    const sub = join(dir, 'elsewhere');
    mkdirSync(sub);
    // Started from another folder: the build must still run in the package root.
    const run = spawnSync(process.execPath, [join(dir, 'scripts/prepare.js')], { cwd: sub, encoding: 'utf8', env: cleanEnv() });
    return { dir, run };
  }

  it('is what "prepare" runs, so npm install and npm ci build dist/', () => {
    expect(pkgJson.scripts.prepare).toBe('node scripts/prepare.js');
  });

  it('runs tsc -p tsconfig.build.json (emit only) in the package root and fails the install when tsc fails', () => {
    const record = "require('node:fs').writeFileSync('ran.json', JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) })); process.exit(Number(process.env.TSC_EXIT ?? 0));";
    const ok = prepareIn(record);
    expect(ok.run.status).toBe(0);
    expect(JSON.parse(readFileSync(join(ok.dir, 'ran.json'), 'utf8'))).toEqual({ cwd: ok.dir, args: ['-p', 'tsconfig.build.json', '--noCheck'] });
    const failing = prepareIn("process.stderr.write('src/x.ts(1,1): error TS1005: \\';\\' expected.\\n'); process.exit(1);");
    expect(failing.run.stderr).toContain('error TS1005');
    expect(failing.run.status).toBe(1);
  });

  it('without TypeScript (npm ci --omit=dev) says in one line that dist/ was not built, and does not fail the install', () => {
    const { dir, run } = prepareIn();
    expect(run.stderr).toMatch(/^emcee: TypeScript is not installed .*dist\/ was not built.*npm run build.*\n$/);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});
