import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEntryPoint } from '../src/entry-point.ts';
import { ROOT } from './helpers/seeds.ts';

/** Hardening #31: what runs is declared; entry points are recognised whatever their path. */

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

/** The package a bare specifier names: "discord-api-types/v10" -> discord-api-types, "@scope/x/y" -> @scope/x. */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Bare specifiers imported at run time (type-only imports are erased and may name devDependencies). */
function runtimeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  const specs: string[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) if (!m[2]) specs.push(m[3]!);
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs.filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:') && !builtinModules.includes(s));
}

describe('packaging', () => {
  it('every package imported at run time by src/ and bin/ is a dependency (not a devDependency)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const sources = [...files(join(ROOT, 'src'), /\.ts$/), ...files(join(ROOT, 'bin'), /\.js$/)];
    const imported = sources.flatMap((f) => runtimeImports(readFileSync(f, 'utf8')).map((spec) => ({ file: relative(ROOT, f), name: packageOf(spec) })));
    expect(imported.map((i) => i.name)).toEqual(expect.arrayContaining(['discord.js', 'better-sqlite3', 'discord-api-types']));
    // Issue 11: the bin runs the compiled dist/ with plain node; tsx is for development only.
    expect(imported.map((i) => i.name)).not.toContain('tsx');
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    const undeclared = imported.filter((i) => !(i.name in pkg.dependencies)).map((i) => `${i.file}: ${i.name}`);
    expect(undeclared).toEqual([]);
  });

  it('deploy-commands runs when started from a path with a space in it', () => {
    // The checkout reached through a folder named with a space (a symlink: no copy needed).
    const parent = mkdtempSync(join(tmpdir(), 'emcee pkg '));
    const spaced = join(parent, 'my checkout');
    symlinkSync(ROOT, spaced, 'dir');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DISCORD_') && k !== 'NODE_OPTIONS'));
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(spaced, 'src/discord/deploy-commands.ts')], {
      cwd: parent, encoding: 'utf8', env: { ...env, LOG_LEVEL: 'silent' }, timeout: 30_000,
    });
    // With no token it must say so (it ran), not exit 0 having silently done nothing.
    expect(run.stderr).toMatch(/^deploy-commands: .*DISCORD_TOKEN/m);
    expect(run.status).toBe(1);
  });

  it('the entry-point check holds for a script whose own path has a space (no symlink)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee entry '));
    const probe = join(dir, 'probe script.ts');
    writeFileSync(probe, `import { isEntryPoint } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/entry-point.ts')).href)};\nconsole.log(JSON.stringify({ url: import.meta.url, entry: isEntryPoint(import.meta.url) }));\n`);
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, probe], { cwd: dir, encoding: 'utf8' });
    const out = JSON.parse(run.stdout) as { url: string; entry: boolean };
    expect(out.url).toContain('probe%20script.ts'); // what made `file://${argv[1]}` never match
    expect(out.entry).toBe(true);
    expect(isEntryPoint(out.url, join(dir, 'another.ts'))).toBe(false);
  });
});
