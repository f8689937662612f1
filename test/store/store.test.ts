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

async function session(store: Store) {
  const series = await store.series.findOrCreateForArchive('#BadgeChat');
  return await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: T0, source: 'live' });
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

describe('messages and answers', () => {
  it('ingests the same platform message id once', async () => {
    const store = memoryStore();
    const s = await session(store);
    const first = await store.messages.ingest(message(s.id, 'm1', 'A1: hi'));
    const second = await store.messages.ingest(message(s.id, 'm1', 'A1: hi (again)'));
    expect(first.inserted).toBe(true);
    expect(second.inserted).toBe(false);
    expect(second.message.id).toBe(first.message.id);
    expect(await store.messages.count(s.id)).toBe(1);
    expect((await store.messages.get('m1'))!.text).toBe('A1: hi');
  });

  it('keeps the old text of an edited message, and ignores an edit that changes nothing', async () => {
    const store = memoryStore();
    const s = await session(store);
    await store.messages.ingest(message(s.id, 'm1', 'A1: first'));
    const later = new Date(T0.getTime() + 60_000);
    expect(await store.messages.edit('m1', 'A1: second', later)).toMatchObject({ text: 'A1: second', editedAt: later });
    await store.messages.edit('m1', 'A1: second', later);
    expect(await store.messages.previousTexts('m1')).toEqual(['A1: first']);
  });

  it('records attributions, keeps inferred apart, and leaves deleted messages out of answers', async () => {
    const store = memoryStore();
    const s = await session(store);
    const a = (await store.messages.ingest(message(s.id, 'm1', 'A1: yes'))).message;
    const b = (await store.messages.ingest(message(s.id, 'm2', 'unlabelled'))).message;
    const c = (await store.messages.ingest(message(s.id, 'm3', 'TA: learned'))).message;
    await store.messages.recordAttribution(a, { kind: 'answer', question: 1, via: 'label', label: 'A1:', text: a.text });
    await store.messages.recordAttribution(b, { kind: 'inferred', question: 1 });
    await store.messages.recordAttribution(c, { kind: 'answer', question: 'TA', via: 'label', label: 'TA:', text: c.text });
    expect((await store.messages.answers(s.id)).map((x) => [x.question, x.via])).toEqual([[1, 'label'], ['TA', 'label']]);
    expect(await store.messages.answers(s.id, { inferred: true })).toHaveLength(3);

    // A second attribution of the same message replaces the first (an edit changed the label).
    await store.messages.recordAttribution(a, { kind: 'answer', question: 2, via: 'label', label: 'A2:', text: 'A2: yes' });
    expect((await store.messages.answers(s.id))[0]).toMatchObject({ question: 2, label: 'A2:' });

    // Re-attributed as not an answer (an edit took the label away): the row goes.
    await store.messages.recordAttribution(c, { kind: 'none', reason: 'empty' });
    expect((await store.messages.answers(s.id)).map((x) => x.question)).toEqual([2]);

    expect(await store.messages.delete('m1', T0)).toBe(true);
    expect(await store.messages.delete('m1', T0)).toBe(false);
    expect(await store.messages.answers(s.id)).toEqual([]);
  });
});
