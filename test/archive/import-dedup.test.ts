import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { importArchives, prepareArchives } from '../../src/archive/import.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { ROOT } from '../helpers/seeds.ts';

/**
 * The same chat is recognised on a second import whatever its line endings, byte-order mark
 * or trailing newlines: "0 imported, already there", no second session or question set.
 */

const SEED = `${ROOT}seeds/2018-10-22-badgechat.txt`;
const original = readFileSync(SEED, 'utf8');
const dir = mkdtempSync(`${tmpdir()}/emcee-dedup-`);

function variant(name: string, text: string): string {
  writeFileSync(`${dir}/${name}`, text);
  return `${dir}/${name}`;
}

const VARIANTS: [string, string][] = [
  ['crlf.txt', original.replace(/\n/g, '\r\n')],
  ['bom.txt', `\uFEFF${original}`],
  ['newline.txt', `${original}\n`],
  ['all.txt', `\uFEFF${original.replace(/\n/g, '\r\n')}\r\n\r\n`],
];

const counts = async (store: Store) => ({
  sessions: (await store.dumpTable('sessions')).length,
  sets: (await store.dumpTable('question_sets')).length,
  messages: (await store.dumpTable('messages')).length,
});

async function importFiles(store: Store, files: string[]) {
  return (await importArchives(store, prepareArchives(files))).map((r) => r.status);
}

describe('importing the same archive again', () => {
  it('with CRLF endings, a BOM or extra newlines changes nothing (the seed first)', async () => {
    const store = openStore(`${dir}/a.sqlite`, systemClock);
    expect(await importFiles(store, [SEED])).toEqual(['imported']);
    const before = await counts(store);
    for (const [name, text] of VARIANTS) {
      expect(await importFiles(store, [variant(name, text)]), name).toEqual(['unchanged']);
    }
    expect(await counts(store)).toEqual(before);
    store.close();
  });

  it('a variant first, then the seed and the other variants, changes nothing', async () => {
    const store = openStore(`${dir}/b.sqlite`, systemClock);
    const first = variant('first.txt', VARIANTS[3]![1]);
    expect(await importFiles(store, [first])).toEqual(['imported']);
    const before = await counts(store);
    expect(await importFiles(store, [SEED, ...VARIANTS.map(([n, t]) => variant(`b-${n}`, t))])).toEqual(Array(VARIANTS.length + 1).fill('unchanged'));
    expect(await counts(store)).toEqual(before);
    store.close();
  });

  it('a database that stored raw-byte hashes still recognises the very same file', async () => {
    // An older Emcee stored sha256 of the file's bytes; simulate such a row for a CRLF file.
    const store = openStore(`${dir}/c.sqlite`, systemClock);
    const crlf = variant('old-crlf.txt', VARIANTS[0]![1]);
    expect(await importFiles(store, [crlf])).toEqual(['imported']);
    const raw = createHash('sha256').update(readFileSync(crlf)).digest('hex');
    // What an older Emcee wrote, written straight into the file (a second connection).
    const older = new Database(`${dir}/c.sqlite`);
    older.prepare('UPDATE sessions SET source_hash = ?').run(raw);
    older.prepare('UPDATE question_sets SET source_hash = ?').run(raw);
    older.close();
    const before = await counts(store);
    expect(await importFiles(store, [crlf])).toEqual(['unchanged']);
    expect(await counts(store)).toEqual(before);
    store.close();
  });

  it('a different chat is still imported', async () => {
    const store = openStore(`${dir}/d.sqlite`, systemClock);
    expect(await importFiles(store, [SEED])).toEqual(['imported']);
    const changed = variant('changed.txt', original.replace('Q1:', 'Q1: (edited)'));
    expect(await importFiles(store, [changed])).toEqual(['imported']);
    store.close();
  });
});
