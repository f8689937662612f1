/**
 * `emcee backup` while the bot itself writes (issue 16, Backups): the real bot on the
 * sandbox stores a stream of participant messages into its SQLite file, and copies taken
 * meanwhile are each whole (integrity ok), open as an Emcee store, and hold a growing
 * prefix of what the bot stored: every message in a copy is one the sandbox delivered, in
 * order, none missing before the last.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { startSandbox } from '../../src/sandbox/index.ts';
import { backupDatabase } from '../../src/store/backup.ts';
import { openStore } from '../../src/store/index.ts';
import { FakeTime, MINUTE, silentLog } from '../helpers/live.ts';
import { sleep } from '../faults/support.ts';

const NOW = new Date('2026-11-23T19:00:00Z');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('emcee backup while the bot writes', () => {
  it('each copy is whole and holds a prefix of the messages the bot stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emcee-backup-bot-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'emcee.sqlite');
    const time = new FakeTime(NOW);
    const sandbox = await startSandbox({ clock: time });
    const store = openStore(path, time);
    cleanups.push(() => sandbox.close(), () => store.close());
    const channelId = sandbox.createChannel('backups').id;
    const series = await store.series.saveForChannel({ guildId: sandbox.guild.id, channelId, tag: '#Backup', timezone: 'UTC', schedule: null, settings: {} });
    const session = await store.sessions.create({ seriesId: series.id, questionSetId: null, state: 'running', startsAt: new Date(NOW.getTime() - 5 * MINUTE), source: 'live', channelId });
    const app = await startApp({ token: sandbox.token, apiBase: sandbox.apiBase, store, clock: time, timers: time, log: silentLog, minuteTick: false });
    cleanups.push(() => app.stop());

    const amy = sandbox.createUser('amy');
    const sent: string[] = [];
    let writing = true;
    const stored = async () => (await store.messages.listBySession(session.id)).filter((m) => !m.fromSelf).length;
    const poster = (async () => {
      for (let i = 0; writing && i < 5_000; i++) {
        sent.push(sandbox.userSays(channelId, amy.id, `A1: message ${i}`).id);
        if (i % 20 === 19) await sleep(5);
      }
    })();
    try {
      const copies: string[] = [];
      for (let i = 0; i < 3; i++) {
        const before = await stored();
        for (let t = 0; t < 200 && (await stored()) < before + 50; t++) await sleep(10); // the bot keeps storing
        copies.push((await backupDatabase(path, join(dir, `copy-${i}.sqlite`))).path);
      }
      writing = false;
      await poster;
      const counts: number[] = [];
      for (const copy of copies) {
        const raw = new Database(copy, { readonly: true });
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        const ids = raw.prepare('SELECT platform_id FROM messages WHERE session_id = ? AND from_self = 0 ORDER BY id').pluck().all(session.id) as string[];
        raw.close();
        // A prefix of what was delivered, in order: the copy is the database at one moment.
        expect(ids).toEqual(sent.slice(0, ids.length));
        const opened = openStore(copy, time);
        expect((await opened.sessions.get(session.id))?.state).toBe('running');
        await opened.close();
        counts.push(ids.length);
      }
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(counts[0]!);
      expect(counts[2]).toBeGreaterThan(counts[1]!);
    } finally {
      writing = false;
      await poster;
    }
  }, 60_000);
});
