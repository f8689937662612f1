import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_PERMISSION_BITS } from '../src/discord/permissions.ts';
import { ROOT } from './helpers/seeds.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const rel = (path: string) => relative(ROOT, path);
const CORE = ['src/archive', 'src/domain', 'src/store', 'src/live', 'src/platform'];

describe('architecture', () => {
  it('discord.js is imported only by the adapter (src/discord, slash commands included)', () => {
    const offenders = sources(`${ROOT}src`)
      .filter((f) => !rel(f).startsWith('src/discord/'))
      .filter((f) => /from ['"]discord\.js['"]/.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('the core never reaches into the adapter, the sandbox or the CLI (demo included)', () => {
    const offenders = CORE.flatMap((d) => sources(`${ROOT}${d}`))
      .filter((f) => /from ['"][./]+\/(discord|sandbox|cli)\//.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('the core reads time from an injected clock: no Date.now() or new Date() without an argument', () => {
    const offenders = CORE.flatMap((d) => sources(`${ROOT}${d}`))
      .filter((f) => !f.endsWith('domain/clock.ts') && !f.endsWith('live/timers.ts'))
      .filter((f) => /Date\.now\(\)|new Date\(\)/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('nothing outside src/store opens SQLite: no better-sqlite3 and no store/db.ts (the store is a port)', () => {
    const offenders = ['src', 'bench'].flatMap((d) => sources(`${ROOT}${d}`))
      .filter((f) => !rel(f).startsWith('src/store/'))
      .filter((f) => /from ['"](better-sqlite3|[./]+\/store\/db\.ts)['"]|import\(['"]better-sqlite3['"]\)/.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('the README gives the invite permissions the bot really asks for', () => {
    expect(readFileSync(`${ROOT}README.md`, 'utf8')).toContain(`permissions=${REQUIRED_PERMISSION_BITS}`);
  });
});
