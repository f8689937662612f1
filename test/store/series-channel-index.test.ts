/**
 * A channel's series is found through an index (migration 008), in both dialects: before it,
 * getByChannel (and saveForChannel, which looks first) read every series, and setting up
 * 10,000 series cost time growing with the square of their number (issue 13).
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { openDatabase } from '../../src/store/db.ts';
import { openPgliteStore } from '../../src/store/postgres/index.ts';

vi.setConfig({ testTimeout: 120_000 });

const BY_CHANNEL = 'SELECT * FROM series WHERE guild_id = $1 AND channel_id = $2 ORDER BY id LIMIT 1';

let pglite: PGlite | null = null;
afterAll(async () => {
  await pglite?.close();
});

describe('a channel\'s series is read through an index', () => {
  it('SQLite: getByChannel searches series_channel', () => {
    const db = openDatabase(':memory:');
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${BY_CHANNEL.replace(/\$\d/g, '?')}`).all('g', 'c') as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/SEARCH series USING INDEX series_channel \(guild_id=\? AND channel_id=\?\)/);
    db.close();
  });

  it('PostgreSQL (PGlite): the same index, and getByChannel can use it', async () => {
    pglite = await PGlite.create();
    const schema = `series_channel_${process.pid}`;
    const store = await openPgliteStore(pglite, new ManualClock(new Date('2026-11-20T12:00:00Z')), { schema });
    try {
      const { rows } = await pglite.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'series_channel'`, [schema]);
      expect(rows.map((r) => r.indexdef)).toEqual([`CREATE INDEX series_channel ON ${schema}.series USING btree (guild_id, channel_id)`]);
      // An empty table is scanned whatever the indexes: forbid the scan to see that the index serves the query.
      await pglite.exec(`SET enable_seqscan = off; PREPARE by_channel(text, text) AS ${BY_CHANNEL.replace('FROM series', `FROM ${schema}.series`)}`);
      const plan = await pglite.query<{ 'QUERY PLAN': string }>("EXPLAIN EXECUTE by_channel('g', 'c')");
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using series_channel/);
    } finally {
      await store.close();
    }
  });
});
