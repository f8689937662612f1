import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { migrate, openDatabase } from '../../src/store/db.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import type { NewMessage } from '../../src/store/messages.ts';
import { migrations } from '../../src/store/migrations/index.ts';

const T0 = new Date('2026-11-23T23:30:00Z');

function memoryStore(): Store {
  return createStore(openDatabase(':memory:'), new ManualClock(T0));
}

function message(sessionId: number, platformId: string, text: string): NewMessage {
  return {
    sessionId, platformId, text, channelId: 'c1', threadId: null, authorId: 'u1', authorName: 'kyle', isModerator: false,
    postedAt: T0, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
  };
}

describe('database', () => {
  it('opens with WAL, foreign keys on and the schema at the latest version', async () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-db-`);
    const db = openDatabase(`${dir}/nested/emcee.sqlite`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['series', 'sessions', 'question_sets', 'questions', 'prompts', 'messages', 'message_edits', 'answers']));
    db.close();
  });

  it('applies migrations once: reopening changes nothing', async () => {
    const db = openDatabase(':memory:');
    expect(migrate(db)).toBe(migrations.at(-1)!.version);
    db.close();
  });

  it('rolls back every pending migration when one fails', async () => {
    const db = openDatabase(':memory:', []);
    const broken = [
      { version: 1, name: 'ok', up: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', up: 'CREATE TABLE b (x INTEGER); SELECT * FROM nowhere;' },
    ];
    expect(() => migrate(db, broken)).toThrow(/no such table: nowhere/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')").pluck().get()).toBe(0);
  });

  it('refuses a database written by a newer Emcee', async () => {
    const db = openDatabase(':memory:');
    db.pragma('user_version = 999');
    expect(() => migrate(db)).toThrow(/newer than this Emcee/);
  });

  it('enforces foreign keys', async () => {
    const store = memoryStore();
    await expect(store.messages.ingest(message(42, 'm1', 'orphan'))).rejects.toThrow(/FOREIGN KEY/);
  });
});

describe('series', () => {
  it('treats tags case-insensitively: "#badgechat" and "#BadgeChat" are one series', async () => {
    const store = memoryStore();
    const a = await store.series.findOrCreateForArchive('#BadgeChat');
    const b = await store.series.findOrCreateForArchive('#badgechat');
    expect(b.id).toBe(a.id);
    expect(await store.series.list()).toHaveLength(1);
    expect(a).toMatchObject({ tag: '#BadgeChat', guildId: null, timezone: 'America/New_York', settings: {} });
    expect(a.createdAt).toEqual(T0);
  });
});

describe('bank', () => {
  it('stores a question set with its questions in order', async () => {
    const store = memoryStore();
    const set = await store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?', 'How to fail well?'] });
    expect(await store.bank.get(set.id)).toEqual(set);
    expect((await store.bank.list()).map((s) => s.questions)).toEqual([['Why fail?', 'How to fail well?']]);
    expect(await store.bank.get(999)).toBeNull();
  });

  it('refuses a second set from the same archive', async () => {
    const store = memoryStore();
    await store.bank.create({ title: 'a', source: 'archive', sourceHash: 'h', questions: ['q'] });
    await expect(store.bank.create({ title: 'b', source: 'archive', sourceHash: 'h', questions: ['q'] })).rejects.toThrow(/UNIQUE/);
    expect(await store.bank.list()).toHaveLength(1);
  });
});

// Messages and answers (ingest once, edits, attributions, deletes): the repository
// contract covers them for every store (test/store/contract.ts).


describe('series settings on SQLite', () => {
  it('stores only what differs from the defaults, so a series follows defaults it never changed', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, new ManualClock(T0));
    const series = await store.series.saveForChannel({ guildId: 'G', channelId: 'C', tag: '#One', timezone: 'UTC', schedule: null, settings: { graceMinutes: 5, threads: false } });
    expect(JSON.parse(db.prepare('SELECT settings FROM series WHERE id = ?').pluck().get(series.id) as string)).toEqual({ graceMinutes: 5 });
    expect(series.settings.threads).toBe(false);
  });

  it('a row edited by hand into bad settings names the series and the field when read', async () => {
    const db = openDatabase(':memory:');
    const store = createStore(db, new ManualClock(T0));
    const series = await store.series.saveForChannel({ guildId: 'G', channelId: 'C', tag: '#One', timezone: 'UTC', schedule: null, settings: {} });
    db.prepare('UPDATE series SET settings = ? WHERE id = ?').run(JSON.stringify({ graceMinutes: 'soon' }), series.id);
    await expect(store.series.get(series.id)).rejects.toThrow(`series #${series.id} #One: graceMinutes:`);
    db.prepare('UPDATE series SET settings = ? WHERE id = ?').run('{oops', series.id);
    await expect(store.series.get(series.id)).rejects.toThrow(`series #${series.id} #One: not JSON`);
  });
});

describe('indexes', () => {
  it("a session's prompts are read through an index, not a scan of every prompt (the ingest reads them per message)", () => {
    const db = openDatabase(':memory:');
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM prompts WHERE session_id = ? ORDER BY planned_at, id').all(1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING INDEX prompts_session/);
  });
});
