/**
 * The bot's SQLite checkpoints run in a worker thread (src/store/checkpoints.ts): its own
 * connection no longer checkpoints inside a commit, and the WAL still reaches the database.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Db } from '../../src/store/db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { pollUntil } from '../helpers/poll.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The store's own connection's wal_autocheckpoint (pages; 0: off). */
const autocheckpoint = (store: Store) => (store as unknown as { db: Db }).db.pragma('wal_autocheckpoint', { simple: true });

function fileStore() {
  const dir = mkdtempSync(`${tmpdir()}/emcee-ckpt-`);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = `${dir}/emcee.sqlite`;
  const store = openStore(path, new ManualClock(new Date('2026-11-23T19:00:00Z')));
  return { path, store };
}

/** About 1.5 MB of rows: under SQLite's own 1,000-page (4 MB) checkpoint point. */
async function write(store: Store): Promise<void> {
  for (let i = 0; i < 15; i++) {
    await store.bank.create({ title: `set ${i}`, source: 'moderator', questions: Array.from({ length: 100 }, (_, k) => `question ${k} ${'x'.repeat(1_000)}`) });
  }
}

describe('WAL checkpoints in the background (the bot)', () => {
  it('the store stops checkpointing in its commits; the worker copies the WAL into the database within seconds', async () => {
    const { path, store } = fileStore();
    const before = statSync(path).size;
    store.checkpointInBackground((err) => {
      throw err;
    });
    expect(autocheckpoint(store)).toBe(0);
    await write(store);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1_000_000);
    await pollUntil(async () => statSync(path).size > before + 1_000_000, 5_000);
    await store.close();
    // Closed: the worker is gone with its connection; the file opens and holds every row.
    const again = openStore(path, new ManualClock(new Date()));
    cleanups.push(() => again.close());
    expect(await again.bank.list()).toHaveLength(15);
  });

  it('without it (the CLI, tests), the WAL stays in the -wal file until SQLite\'s own checkpoint point', async () => {
    const { path, store } = fileStore();
    cleanups.push(() => store.close());
    const before = statSync(path).size;
    await write(store);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(statSync(path).size).toBe(before);
  });

  it('an in-memory database has no WAL: nothing starts', () => {
    const store = openStore(':memory:', new ManualClock(new Date()));
    cleanups.push(() => store.close());
    store.checkpointInBackground(() => {});
    expect(autocheckpoint(store)).toBe(1000);
  });
});
