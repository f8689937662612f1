import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { runDoctor } from '../../src/doctor/run.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { openPostgresStore, postgresMigrations } from '../../src/store/postgres/index.ts';
import { onPostgresServer } from '../helpers/postgres-server.ts';

/** `emcee doctor` with DATABASE_URL: the schema status read from a real server, nothing migrated. */

const clock = new ManualClock(new Date('2026-11-20T12:00:00Z'));

onPostgresServer('emcee doctor on PostgreSQL', (url) => {
  const schema = `doctor_${process.pid}`;
  /** The URL with this test's schema as the search_path, as an operator's own database would be. */
  const inSchema = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Client({ connectionString: url });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  describe('emcee doctor on PostgreSQL', () => {
    it('no Emcee tables yet: a warning; at a prefix of the migrations: the pending ones, and the version stays', async () => {
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      const env = { DATABASE_URL: inSchema };
      const empty = (await runDoctor({ env })).find((c) => c.check === 'database')!;
      expect(empty).toMatchObject({ verdict: 'warn', message: expect.stringMatching(/there is no database there yet$/) });
      expect((await admin.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1', [schema])).rows).toEqual([]);

      await (await openPostgresStore(url, clock, { schema, migrations: postgresMigrations.slice(0, 9) })).close();
      const old = (await runDoctor({ env })).find((c) => c.check === 'database')!;
      expect(old).toMatchObject({ verdict: 'warn', message: expect.stringMatching(`is at schema version 9 of ${migrations.length}; pending: 010 session events, 011 corrections and reactions, 012 multi answers$`) });
      expect((await admin.query(`SELECT max(version) AS v FROM ${schema}.emcee_migrations`)).rows[0].v).toBe(9);
    });
  });
});

describe('emcee doctor with DATABASE_URL, no server needed', () => {
  it('a server that refuses the connection: the database FAILs in one line naming the host, the password masked', async () => {
    const checks = await runDoctor({ env: { DATABASE_URL: 'postgres://emcee:s3cret@127.0.0.1:9/emcee' } });
    const refused = checks.find((c) => c.check === 'database')!;
    expect(refused).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/^cannot use the PostgreSQL .*127\.0\.0\.1.*refused the connection/) });
    expect(JSON.stringify(checks)).not.toContain('s3cret');
  });
});
