import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

/**
 * The folder of a source file, as ../shared/tools/folder-cycles counts it: the first path
 * part under src/ (src/live, src/store, ...); a top-level file of src/ is its own folder
 * (src/cli for src/cli.ts, src/logger for src/logger.ts).
 */
function folderOf(path: string): string {
  const parts = rel(path).split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length > 2 ? `src/${parts[1]}` : `src/${parts[1]!.replace(/\.[mc]?ts$/, '')}`;
}

interface Edge { from: string; to: string; file: string; typeOnly: boolean }

/** Every relative import (static, re-export or dynamic) of every source in src/, between folders. */
function folderEdges(): Edge[] {
  const IMPORT = /(?:import|export)\s([^'"]*?)from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  return sources(`${ROOT}src`).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => ({
    from: folderOf(file),
    to: folderOf(resolve(dirname(file), m[2] ?? m[3]!)),
    file: rel(file),
    typeOnly: m[1] !== undefined && /^type\s/.test(m[1]),
  }))).filter((e) => e.from !== e.to);
}

/** The folder-level cycles: each strongly connected group of two or more folders, sorted. */
function folderCycles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return out;
}
const CORE = ['src/archive', 'src/domain', 'src/store', 'src/live', 'src/platform'];

describe('architecture', () => {
  it('discord.js is imported only by the adapter (src/discord, slash commands included)', () => {
    const offenders = sources(`${ROOT}src`)
      .filter((f) => !rel(f).startsWith('src/discord/'))
      .filter((f) => /from ['"]discord\.js['"]/.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('prom-client only in src/ops; the domain and the live sessions use neither it nor node:http (they count through a port)', () => {
    const imports = (f: string, pkg: string) => new RegExp(`from ['"]${pkg}['"]`).test(readFileSync(f, 'utf8'));
    const users = sources(`${ROOT}src`).filter((f) => imports(f, 'prom-client')).map(rel);
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((f) => !f.startsWith('src/ops/'))).toEqual([]);
    const core = ['src/domain', 'src/live'].flatMap((d) => sources(`${ROOT}${d}`)).filter((f) => imports(f, '(node:)?http')).map(rel);
    expect(core).toEqual([]);
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

  it('series settings are parsed where a series is read or set up, nowhere downstream (a typed Series carries them)', () => {
    const allowed = ['src/domain/settings.ts', 'src/store/series.ts', 'src/live/series-setup.ts'];
    const callers = sources(`${ROOT}src`).filter((f) => /parseSeriesSettings\(/.test(readFileSync(f, 'utf8'))).map(rel);
    expect(callers.length).toBeGreaterThan(0);
    expect(callers.filter((f) => !allowed.includes(f))).toEqual([]);
  });

  it('answers are counted by the one domain tally: no other module counts messages.answers() by question', () => {
    const offenders = sources(`${ROOT}src`)
      .filter((f) => /\.answers\([^)]*\)/.test(readFileSync(f, 'utf8')))
      .filter((f) => /\.filter\(\(\w+\) => \w+\.question ===/.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('no folder imports another in a circle (folders as ../shared/tools/folder-cycles counts them)', () => {
    const edges = folderEdges();
    expect(edges.length).toBeGreaterThan(20); // the scan sees the imports at all
    expect(folderCycles(edges)).toEqual([]);
    // The check itself finds a cycle when there is one.
    expect(folderCycles([...edges, { from: 'src/domain', to: 'src/live', file: 'probe', typeOnly: false }])).not.toEqual([]);
  });

  it('src/domain imports nothing from the other folders of src/ (pure types and rules)', () => {
    const offenders = folderEdges().filter((e) => e.from === 'src/domain').map((e) => `${e.file} -> ${e.to}`);
    expect(offenders).toEqual([]);
  });

  it('src/live depends only on the domain, the store port (types only), the platform port and the logger', () => {
    const allowed = new Set(['src/domain', 'src/store', 'src/platform', 'src/logger']);
    const live = folderEdges().filter((e) => e.from === 'src/live');
    expect(live.length).toBeGreaterThan(0);
    const offenders = live
      .filter((e) => !allowed.has(e.to) || (e.to === 'src/store' && !e.typeOnly))
      .map((e) => `${e.file} -> ${e.to}${e.typeOnly ? ' (types)' : ''}`);
    expect(offenders).toEqual([]);
  });

  it('the README gives the invite permissions the bot really asks for', () => {
    expect(readFileSync(`${ROOT}README.md`, 'utf8')).toContain(`permissions=${REQUIRED_PERMISSION_BITS}`);
  });
});
