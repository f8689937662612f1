import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { bankList } from '../../src/cli/bank.ts';
import { importCommand } from '../../src/cli/import.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { migrate, openDatabase } from '../../src/store/db.ts';
import { createStore, openStore } from '../../src/store/index.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { seedFiles } from '../helpers/seeds.ts';

const T0 = new Date('2026-11-23T23:30:00Z');

function capture() {
  let out = '';
  const stream = { write: (s: string) => ((out += s), true) };
  return { io: { stdout: stream, stderr: { write: () => true }, env: {} }, out: () => out };
}

describe('question set owners (issue 10, item 6)', () => {
  it('migration 004: a set one server used becomes its own; every other existing set becomes shared', async () => {
    const db = openDatabase(':memory:', migrations.slice(0, 3));
    const at = T0.toISOString();
    const set = (title: string) => Number(db.prepare("INSERT INTO question_sets (title, source, created_at) VALUES (?, 'moderator', ?)").run(title, at).lastInsertRowid);
    const series = (guild: string | null, channel: string | null, tag: string, settings: object) =>
      Number(db.prepare('INSERT INTO series (guild_id, channel_id, tag, tag_key, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(guild, channel, tag, tag.toLowerCase(), JSON.stringify(settings), at).lastInsertRowid);
    const ran = (seriesId: number, setId: number) =>
      db.prepare("INSERT INTO sessions (series_id, question_set_id, state, starts_at, source, created_at, channel_id) VALUES (?, ?, 'ended', ?, 'live', ?, 'c')").run(seriesId, setId, new Date(T0.getTime() + setId * 1000 + seriesId).toISOString(), at);
    const ranInG1 = set('ran in G1');
    const bothServers = set('used by G1 and G2');
    const unused = set('never used');
    const g2Settings = set("G2's series asks it");
    const archiveOnly = set('only an archive session');
    const g1 = series('G1', '111', '#One', { questionSetId: bothServers });
    const g2 = series('G2', '222', '#Two', { questionSetId: g2Settings });
    const archive = series(null, null, '#Old', {});
    ran(g1, ranInG1);
    ran(g2, bothServers);
    ran(archive, archiveOnly);

    migrate(db);
    const owners = db.prepare('SELECT title, guild_id AS guildId, shared FROM question_sets ORDER BY id').all();
    expect(owners).toEqual([
      { title: 'ran in G1', guildId: 'G1', shared: 0 },
      { title: 'used by G1 and G2', guildId: null, shared: 1 },
      { title: 'never used', guildId: null, shared: 1 },
      { title: "G2's series asks it", guildId: 'G2', shared: 0 },
      { title: 'only an archive session', guildId: null, shared: 1 },
    ]);
    const store = createStore(db, new ManualClock(T0));
    expect((await store.bank.list({ guildId: 'G1' })).map((s) => s.title)).toEqual(['ran in G1', 'used by G1 and G2', 'never used', 'only an archive session']);
    expect(await store.bank.get(ranInG1, { guildId: 'G2' })).toBeNull();
    expect(await store.bank.get(ranInG1, null)).toMatchObject({ guildId: 'G1' });
    db.close();
  });

  it('emcee import keeps sets to the operator unless --shared; bank list says whose each set is', async () => {
    const path = `${mkdtempSync(`${tmpdir()}/emcee-owner-`)}/emcee.sqlite`;
    const [first, second] = seedFiles();
    const open = () => openStore(path, new ManualClock(T0));
    await importCommand(capture().io, open, [first!]);
    const shared = capture();
    await importCommand(shared.io, open, [second!], { shared: true });
    expect(shared.out()).toMatch(/question set #2, shared with every server/);
    const store = open();
    expect((await store.bank.list()).map((s) => [s.id, s.guildId, s.shared])).toEqual([[1, null, false], [2, null, true]]);
    expect((await store.bank.list({ guildId: 'G1' })).map((s) => s.id)).toEqual([2]);
    await store.bank.create({ title: 'Mine', source: 'moderator', questions: ['Q?'], guildId: '123456789012345678' });
    const list = capture();
    await bankList(list.io, store);
    expect(list.out()).toMatch(/#1 {2}.*\(\d+ questions, from archive\) {2}operator only \(not shown in servers; emcee import --shared shares it\)\n/);
    expect(list.out()).toMatch(/#2 {2}.*\(\d+ questions, from archive\) {2}shared with every server\n/);
    expect(list.out()).toMatch(/#3 {2}Mine {2}\(1 question, from moderator\) {2}server 123456789012345678\n/);
    // --shared again on an archive imported before shares its (operator) set.
    store.close();
    await importCommand(capture().io, open, [first!], { shared: true });
    const again = open();
    expect(await again.bank.get(1)).toMatchObject({ shared: true });
    again.close();
  });
});
