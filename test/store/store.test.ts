import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { migrate, openDatabase } from '../../src/store/db.ts';
import { createStore, type Store } from '../../src/store/index.ts';
import type { NewMessage } from '../../src/store/messages.ts';
import { migrations } from '../../src/store/migrations/index.ts';

const T0 = new Date('2026-11-23T23:30:00Z');

function memoryStore(): Store {
  return createStore(openDatabase(':memory:'), new ManualClock(T0));
}

function session(store: Store) {
  const series = store.series.findOrCreateForArchive('#BadgeChat');
  return store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: T0, source: 'live' });
}

function message(sessionId: number, platformId: string, text: string): NewMessage {
  return {
    sessionId, platformId, text, channelId: 'c1', threadId: null, authorId: 'u1', authorName: 'kyle', isModerator: false,
    postedAt: T0, replyToId: null, inReplyTo: [], quote: null, archiveIndex: null,
  };
}

describe('database', () => {
  it('opens with WAL, foreign keys on and the schema at the latest version', () => {
    const dir = mkdtempSync(`${tmpdir()}/emcee-db-`);
    const db = openDatabase(`${dir}/nested/emcee.sqlite`);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['series', 'sessions', 'question_sets', 'questions', 'prompts', 'messages', 'message_edits', 'answers']));
    db.close();
  });

  it('applies migrations once: reopening changes nothing', () => {
    const db = openDatabase(':memory:');
    expect(migrate(db)).toBe(migrations.at(-1)!.version);
    db.close();
  });

  it('rolls back every pending migration when one fails', () => {
    const db = openDatabase(':memory:', []);
    const broken = [
      { version: 1, name: 'ok', up: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', up: 'CREATE TABLE b (x INTEGER); SELECT * FROM nowhere;' },
    ];
    expect(() => migrate(db, broken)).toThrow(/no such table: nowhere/);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')").pluck().get()).toBe(0);
  });

  it('refuses a database written by a newer Emcee', () => {
    const db = openDatabase(':memory:');
    db.pragma('user_version = 999');
    expect(() => migrate(db)).toThrow(/newer than this Emcee/);
  });

  it('enforces foreign keys', () => {
    const store = memoryStore();
    expect(() => store.messages.ingest(message(42, 'm1', 'orphan'))).toThrow(/FOREIGN KEY/);
  });
});

describe('series', () => {
  it('treats tags case-insensitively: "#badgechat" and "#BadgeChat" are one series', () => {
    const store = memoryStore();
    const a = store.series.findOrCreateForArchive('#BadgeChat');
    const b = store.series.findOrCreateForArchive('#badgechat');
    expect(b.id).toBe(a.id);
    expect(store.series.list()).toHaveLength(1);
    expect(a).toMatchObject({ tag: '#BadgeChat', guildId: null, timezone: 'America/New_York', settings: {} });
    expect(a.createdAt).toEqual(T0);
  });
});

describe('bank', () => {
  it('stores a question set with its questions in order', () => {
    const store = memoryStore();
    const set = store.bank.create({ title: 'Failure', source: 'moderator', questions: ['Why fail?', 'How to fail well?'] });
    expect(store.bank.get(set.id)).toEqual(set);
    expect(store.bank.list().map((s) => s.questions)).toEqual([['Why fail?', 'How to fail well?']]);
    expect(store.bank.get(999)).toBeNull();
  });

  it('refuses a second set from the same archive', () => {
    const store = memoryStore();
    store.bank.create({ title: 'a', source: 'archive', sourceHash: 'h', questions: ['q'] });
    expect(() => store.bank.create({ title: 'b', source: 'archive', sourceHash: 'h', questions: ['q'] })).toThrow(/UNIQUE/);
    expect(store.bank.list()).toHaveLength(1);
  });
});

describe('messages and answers', () => {
  it('ingests the same platform message id once', () => {
    const store = memoryStore();
    const s = session(store);
    const first = store.messages.ingest(message(s.id, 'm1', 'A1: hi'));
    const second = store.messages.ingest(message(s.id, 'm1', 'A1: hi (again)'));
    expect(first.inserted).toBe(true);
    expect(second.inserted).toBe(false);
    expect(second.message.id).toBe(first.message.id);
    expect(store.messages.count(s.id)).toBe(1);
    expect(store.messages.get('m1')!.text).toBe('A1: hi');
  });

  it('keeps the old text of an edited message, and ignores an edit that changes nothing', async () => {
    const store = memoryStore();
    const s = session(store);
    store.messages.ingest(message(s.id, 'm1', 'A1: first'));
    const later = new Date(T0.getTime() + 60_000);
    expect(store.messages.edit('m1', 'A1: second', later)).toMatchObject({ text: 'A1: second', editedAt: later });
    store.messages.edit('m1', 'A1: second', later);
    expect(await store.port.messages.previousTexts('m1')).toEqual(['A1: first']);
  });

  it('records attributions, keeps inferred apart, and leaves deleted messages out of answers', () => {
    const store = memoryStore();
    const s = session(store);
    const a = store.messages.ingest(message(s.id, 'm1', 'A1: yes')).message;
    const b = store.messages.ingest(message(s.id, 'm2', 'unlabelled')).message;
    const c = store.messages.ingest(message(s.id, 'm3', 'TA: learned')).message;
    store.messages.recordAttribution(a, { kind: 'answer', question: 1, via: 'label', label: 'A1:', text: a.text });
    store.messages.recordAttribution(b, { kind: 'inferred', question: 1 });
    store.messages.recordAttribution(c, { kind: 'answer', question: 'TA', via: 'label', label: 'TA:', text: c.text });
    expect(store.messages.answers(s.id).map((x) => [x.question, x.via])).toEqual([[1, 'label'], ['TA', 'label']]);
    expect(store.messages.answers(s.id, { inferred: true })).toHaveLength(3);

    // A second attribution of the same message replaces the first (an edit changed the label).
    store.messages.recordAttribution(a, { kind: 'answer', question: 2, via: 'label', label: 'A2:', text: 'A2: yes' });
    expect(store.messages.answers(s.id)[0]).toMatchObject({ question: 2, label: 'A2:' });

    // Re-attributed as not an answer (an edit took the label away): the row goes.
    store.messages.recordAttribution(c, { kind: 'none', reason: 'empty' });
    expect(store.messages.answers(s.id).map((x) => x.question)).toEqual([2]);

    expect(store.messages.delete('m1', T0)).toBe(true);
    expect(store.messages.delete('m1', T0)).toBe(false);
    expect(store.messages.answers(s.id)).toEqual([]);
  });
});
