/**
 * Migration 009 rebuilds SQLite's answers table to widen its via CHECK (issue 14: answers
 * given through the Answer button, /chat answer, a moderator's correction). A database at
 * version 8 keeps every answer row, its index, and its constraints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migration 009: answers.via gains button, command and correction', () => {
  it('keeps the rows, the index and the constraints of a version-8 database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-m9-'));
    dirs.push(dir);
    const path = join(dir, 'emcee.db');
    const v8 = openDatabase(path, migrations.slice(0, 8));
    v8.exec(`
      INSERT INTO series (id, tag, tag_key, created_at) VALUES (1, '#chat', '#chat', '2026-11-01T00:00:00.000Z');
      INSERT INTO sessions (id, series_id, state, starts_at, source, created_at) VALUES (1, 1, 'ended', '2026-11-01T18:00:00.000Z', 'live', '2026-11-01T00:00:00.000Z');
      INSERT INTO messages (id, session_id, platform_id, text) VALUES (1, 1, 'm1', 'A1: yes'), (2, 1, 'm2', 'TA: more');
      INSERT INTO answers VALUES (1, 1, 1, 0, 'label', 'A1', 'yes'), (2, 1, NULL, 1, 'inferred', NULL, 'more');
    `);
    expect(() => v8.prepare("INSERT INTO answers VALUES (2, 1, 2, 0, 'button', NULL, 'x')").run()).toThrow(/CHECK/);
    v8.close();

    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare('SELECT * FROM answers ORDER BY message_id').all()).toEqual([
      { message_id: 1, session_id: 1, question: 1, takeaway: 0, via: 'label', label: 'A1', text: 'yes' },
      { message_id: 2, session_id: 1, question: null, takeaway: 1, via: 'inferred', label: null, text: 'more' },
    ]);
    db.prepare("UPDATE answers SET via = 'button' WHERE message_id = 1").run();
    expect(() => db.prepare("UPDATE answers SET via = 'guess' WHERE message_id = 1").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE answers SET question = NULL WHERE message_id = 1").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO answers VALUES (3, 1, 1, 0, 'label', NULL, 'x')").run()).toThrow(/FOREIGN KEY/);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM answers WHERE session_id = ? AND question = ?').all(1, 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/answers_session/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});
