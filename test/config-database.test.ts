/**
 * DATABASE_URL selects PostgreSQL, DATABASE_PATH (the default) SQLite; both set is an
 * error naming both. A bad URL, a server that refuses, or one that does not answer is one
 * line with host and database named and the password never shown. The CLI takes the same
 * choice (--db still names an SQLite file). Server cases run when EMCEE_TEST_POSTGRES_URL
 * is set, and fail (not skip) without it when EMCEE_REQUIRE_POSTGRES=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { ConfigError, readBotConfig, readConfig } from '../src/config.ts';
import { ManualClock } from '../src/domain/clock.ts';
import { StoreError, SqliteStore, describeStore, openConfiguredStore } from '../src/store/index.ts';
import { PostgresStore } from '../src/store/postgres/index.ts';
import { maskUrl } from '../src/store/postgres/url.ts';
import { onPostgresServer } from './helpers/postgres-server.ts';
import { ROOT, SEEDS_DIR } from './helpers/seeds.ts';

const SECRET = 'pa55-w0rd_secret';
const APP = '123456789012345678';
const dir = mkdtempSync(join(tmpdir(), 'emcee-dburl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clock = new ManualClock(new Date('2026-12-01T00:00:00Z'));

const configError = (env: Record<string, string>): string => {
  try {
    readConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The CLI in-process with this environment: code, stdout, stderr. */
async function cli(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const streams = { out: '', err: '' };
  const sink = (key: 'out' | 'err') => ({ write: (s: string) => ((streams[key] += s), true) });
  const code = await main(argv, { stdout: sink('out'), stderr: sink('err'), env: { LOG_LEVEL: 'silent', ...env } });
  return { code, ...streams };
}

describe('configuration: DATABASE_URL or DATABASE_PATH', () => {
  it('SQLite at data/emcee.sqlite by default; DATABASE_PATH moves it; DATABASE_URL selects PostgreSQL', () => {
    expect(readConfig({})).toMatchObject({ databasePath: 'data/emcee.sqlite', databaseUrl: undefined });
    expect(readConfig({ DATABASE_PATH: '/tmp/x.sqlite' })).toMatchObject({ databasePath: '/tmp/x.sqlite', databaseUrl: undefined });
    for (const url of ['postgres://emcee@db.example:5432/emcee', 'postgresql://emcee:pw@127.0.0.1/emcee?sslmode=require']) {
      expect(readConfig({ DATABASE_URL: ` ${url} ` }).databaseUrl).toBe(url);
    }
    // Empty means unset, as for every variable (.env's DATABASE_URL=).
    expect(readConfig({ DATABASE_URL: '', DATABASE_PATH: '/tmp/x.sqlite' }).databaseUrl).toBeUndefined();
    expect(readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, DATABASE_URL: 'postgres://h/emcee' }).databaseUrl).toBe('postgres://h/emcee');
  });

  it('both set is one line naming both', () => {
    const message = configError({ DATABASE_URL: `postgres://emcee:${SECRET}@h/emcee`, DATABASE_PATH: 'data/emcee.sqlite' });
    const lines = message.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toEqual(['  DATABASE_URL: is set, and so is DATABASE_PATH: DATABASE_URL selects PostgreSQL, DATABASE_PATH an SQLite file; unset one of them']);
    expect(message).not.toContain(SECRET);
    expect(() => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, DATABASE_URL: 'postgres://h/e', DATABASE_PATH: 'x' })).toThrow(/DATABASE_URL: is set, and so is DATABASE_PATH/);
  });

  it.each([
    [`mysql://emcee:${SECRET}@h/emcee`, /DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\/ \(it starts with mysql:\/\/\)/],
    [`emcee:${SECRET}@h/emcee`, /DATABASE_URL: (is not a URL|must start with postgres:\/\/)/],
    [`postgres://emcee:${SECRET}@db.example:5432`, /DATABASE_URL: names no database; expected postgres:\/\/user:password@host:5432\/database/],
    [`postgres://emcee:${SECRET}@:5432/emcee`, /DATABASE_URL: (names no host|is not a URL)/],
  ])('a bad DATABASE_URL (%s) is one line naming it, the value not shown', (url, reason) => {
    const message = configError({ DATABASE_URL: url });
    expect(message).toMatch(reason);
    expect(message).toMatch(/the value is not shown: it may hold a password/);
    expect(message).not.toContain(SECRET);
  });

  it('the store in use is described with the password masked', () => {
    expect(describeStore({ databasePath: 'data/emcee.sqlite' })).toBe('SQLite data/emcee.sqlite');
    expect(describeStore({ databasePath: 'x', databaseUrl: `postgres://emcee:${SECRET}@db.example:5432/emcee` })).toBe('PostgreSQL postgres://emcee:***@db.example:5432/emcee');
    expect(maskUrl(`postgresql://u@h/db?password=${SECRET}&sslmode=require`)).toBe('postgresql://u@h/db?password=***&sslmode=require');
    expect(maskUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});

describe('openConfiguredStore chooses the store', () => {
  it('SQLite at databasePath when no databaseUrl is set', async () => {
    const store = await openConfiguredStore({ databasePath: join(dir, 'chosen.sqlite') }, clock);
    try {
      expect(store).toBeInstanceOf(SqliteStore);
      expect((await store.bank.create({ title: 't', source: 'moderator', questions: ['q'] })).id).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a server that refuses is one StoreError line: database and host named, password masked', async () => {
    const port = await closedPort();
    const open = openConfiguredStore({ databasePath: 'unused', databaseUrl: `postgres://emcee:${SECRET}@127.0.0.1:${port}/emcee` }, clock);
    const err = await open.then(() => null, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(StoreError);
    expect(err!.message).toBe(`cannot use the PostgreSQL database "emcee" on 127.0.0.1:${port} (postgres://emcee:***@127.0.0.1:${port}/emcee): the server refused the connection (is PostgreSQL running there, on that port?). Nothing was changed.`);
  });

  it('a server that does not answer is one StoreError line after the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s)); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      await expect(openConfiguredStore({ databasePath: 'unused', databaseUrl: `postgres://emcee:${SECRET}@127.0.0.1:${port}/emcee`, connectTimeoutMs: 300 }, clock))
        .rejects.toThrow(new RegExp(`^cannot use the PostgreSQL database "emcee" on 127\\.0\\.0\\.1:${port} \\(postgres://emcee:\\*\\*\\*@127\\.0\\.0\\.1:${port}/emcee\\): the server did not answer within 0\\.3 s\\. Nothing was changed\\.$`));
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});

describe('npm start with DATABASE_URL', () => {
  it('logs the store in use with the password masked, and an unreachable server is one line, exit 1', async () => {
    const port = await closedPort();
    const env = { PATH: process.env.PATH ?? '', DISCORD_TOKEN: 'token', DISCORD_APPLICATION_ID: APP, LOG_LEVEL: 'info', DATABASE_URL: `postgres://emcee:${SECRET}@127.0.0.1:${port}/emcee` };
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}src/main.ts`], { cwd: dir, encoding: 'utf8', env, timeout: 30_000 });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'starting Emcee', database: `PostgreSQL postgres://emcee:***@127.0.0.1:${port}/emcee` });
    expect(lines.slice(1)).toEqual([`emcee: cannot use the PostgreSQL database "emcee" on 127.0.0.1:${port} (postgres://emcee:***@127.0.0.1:${port}/emcee): the server refused the connection (is PostgreSQL running there, on that port?). Nothing was changed.`]);
    expect(run.stderr).not.toContain(SECRET);
  });
});

describe('the CLI takes DATABASE_URL too', () => {
  it('an unreachable server is one line, exit 1, password never printed', async () => {
    const port = await closedPort();
    const run = await cli({ DATABASE_URL: `postgres://emcee:${SECRET}@127.0.0.1:${port}/emcee` }, 'bank', 'list');
    expect(run.code).toBe(1);
    expect(run.err).toBe(`emcee: cannot use the PostgreSQL database "emcee" on 127.0.0.1:${port} (postgres://emcee:***@127.0.0.1:${port}/emcee): the server refused the connection (is PostgreSQL running there, on that port?). Nothing was changed.\n`);
  });

  it('--db still names an SQLite file, whatever DATABASE_URL says', async () => {
    const run = await cli({ DATABASE_URL: 'postgres://emcee@127.0.0.1:1/emcee' }, 'bank', 'list', '--db', join(dir, 'flag.sqlite'));
    expect(run).toMatchObject({ code: 0, err: '' });
  });

  it('migrate-store: a missing or bad --to, or a missing source, is one line', async () => {
    expect(await cli({}, 'migrate-store', '--from', 'x.sqlite')).toMatchObject({ code: 2, err: 'emcee: migrate-store needs the PostgreSQL database: --to postgres://user:password@host:5432/emcee (or DATABASE_URL)\n' });
    const bad = await cli({}, 'migrate-store', '--from', 'x.sqlite', '--to', `http://emcee:${SECRET}@h/emcee`);
    expect(bad).toMatchObject({ code: 2, err: 'emcee: --to must start with postgres:// or postgresql:// (it starts with http://) (the value is not shown: it may hold a password)\n' });
    const missing = await cli({}, 'migrate-store', '--from', join(dir, 'none.sqlite'), '--to', `postgres://emcee:${SECRET}@127.0.0.1:1/emcee`);
    expect(missing.code).toBe(1);
    expect(missing.err.split('\n').filter(Boolean).at(-1)).toBe(`emcee: cannot copy from ${join(dir, 'none.sqlite')}: there is no such file (--from names the SQLite database, such as data/emcee.sqlite)`);
    expect(missing.err).not.toContain(SECRET);
    expect((await cli({}, 'migrate-store', '--help')).out).toMatch(/^Usage: emcee migrate-store \[--from FILE\] \[--to URL\]/);
  });
});

onPostgresServer('DATABASE_URL on a PostgreSQL server', (SERVER_URL) => {
  describe('DATABASE_URL on a PostgreSQL server', () => {
    const schema = `emcee_cfg${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    // The tables go to a schema of their own: search_path from the URL's options.
    const url = `${SERVER_URL}${SERVER_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const admin = new pg.Pool({ connectionString: SERVER_URL, max: 1 });
    afterAll(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });

    it('DATABASE_URL opens the PostgreSQL store, and the CLI imports into it and reads it back', async () => {
      await admin.query(`CREATE SCHEMA ${schema}`);
      const store = await openConfiguredStore({ databasePath: 'unused', databaseUrl: url }, clock);
      try {
        expect(store).toBeInstanceOf(PostgresStore);
        await store.bank.create({ title: 'From the store', source: 'moderator', questions: ['Is this PostgreSQL?'] });
      } finally {
        await store.close();
      }
      expect(await cli({ DATABASE_URL: url }, 'import', join(SEEDS_DIR, '2018-10-22-badgechat.txt'))).toMatchObject({ code: 0, err: '' });
      const list = await cli({ DATABASE_URL: url }, 'bank', 'list');
      expect(list).toMatchObject({ code: 0, err: '' });
      expect(list.out).toMatch(/#1 {2}From the store/);
      expect(list.out).toMatch(/#2 {2}#badgechat — Monday October 22, 2018/);
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.question_sets`)).rows[0].n).toBe(2);
    });
  });
});
