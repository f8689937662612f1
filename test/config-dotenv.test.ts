import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadDotEnv, parseDotEnv } from '../src/config.ts';
import { ROOT } from './helpers/seeds.ts';

/**
 * .env is read strictly: a line that is not KEY=value is an error naming the file and line,
 * never guessed at. `KEY = value` (spaces around "=") is accepted, as dotenv does.
 */

const fresh = () => mkdtempSync(`${tmpdir()}/emcee-dotenv-`);

function expectLineError(text: string, line: number, reason: RegExp) {
  try {
    parseDotEnv(text, '.env');
    expect.unreachable(`accepted ${JSON.stringify(text)}`);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(`^\\.env:${line}: ${reason.source}`));
    expect((err as Error).message).not.toMatch(/\n/);
  }
}

describe('.env', () => {
  it('reads KEY=value lines, comments, quotes, export, and spaces around =', () => {
    const text = [
      '# a comment',
      '',
      'DATABASE_PATH=/tmp/a.sqlite',
      'LOG_LEVEL = debug',
      '  DISCORD_TOKEN =  abc.def  ',
      'export DISCORD_APPLICATION_ID=123456789012345678',
      'QUOTED="two words" # comment',
      "SINGLE='it has # inside'",
      'EMPTY=',
      'HASH=abc#not-a-comment',
      'TRAIL=value # a comment',
      'ESCAPED="line\\nnext"',
    ].join('\n');
    expect(parseDotEnv(text, '.env')).toEqual({
      DATABASE_PATH: '/tmp/a.sqlite', LOG_LEVEL: 'debug', DISCORD_TOKEN: 'abc.def', DISCORD_APPLICATION_ID: '123456789012345678',
      QUOTED: 'two words', SINGLE: 'it has # inside', EMPTY: '', HASH: 'abc#not-a-comment', TRAIL: 'value', ESCAPED: 'line\nnext',
    });
  });

  it('CRLF line endings and a BOM are fine', () => {
    expect(parseDotEnv('\uFEFFA=1\r\nB="2"\r\n', '.env')).toEqual({ A: '1', B: '2' });
  });

  it('refuses an unterminated quote, naming the file and line', () => {
    expectLineError('LOG_LEVEL=info\n\nDATABASE_PATH="/tmp/x\n', 3, /unterminated quote/);
    expectLineError("A='x", 1, /unterminated quote/);
  });

  it('refuses a line that is not KEY=value', () => {
    expectLineError('A=1\njust some words\n', 2, /expected KEY=value/);
    expectLineError('1A=x', 1, /"1A" is not a variable name/);
    expectLineError('MY KEY=x', 1, /"MY KEY" is not a variable name/);
    expectLineError('=x', 1, /expected KEY=value/);
    expectLineError('A="x" trailing', 1, /text after the closing quote/);
  });

  it('loading does not override what the environment already sets', () => {
    const dir = fresh();
    writeFileSync(`${dir}/.env`, 'EMCEE_TEST_SET=from-file\nEMCEE_TEST_NEW = from file\n');
    const env: NodeJS.ProcessEnv = { EMCEE_TEST_SET: 'from-env' };
    loadDotEnv(`${dir}/.env`, env);
    expect(env).toEqual({ EMCEE_TEST_SET: 'from-env', EMCEE_TEST_NEW: 'from file' });
  });

  it('a missing .env is fine; a directory is a clear error', () => {
    const dir = fresh();
    expect(() => loadDotEnv(`${dir}/.env`, {})).not.toThrow();
    mkdirSync(`${dir}/.env`);
    expect(() => loadDotEnv(`${dir}/.env`, {})).toThrow(/\.env: is a directory, not a file of KEY=value lines/);
  });
});

const CLEAN_ENV = { PATH: process.env.PATH, HOME: '/tmp' };

describe('a bad .env through the real processes', () => {
  it('emcee: an unterminated quote is one line naming .env and the line, exit 1, nothing created', () => {
    const dir = fresh();
    writeFileSync(`${dir}/.env`, 'LOG_LEVEL=warn\nDATABASE_PATH="/tmp/x\n');
    const run = spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, 'bank', 'list'], { cwd: dir, encoding: 'utf8', env: CLEAN_ENV, timeout: 30_000 });
    expect(run.stderr.trim()).toBe('emcee: .env:2: unterminated quote');
    expect(run.status).toBe(1);
    expect(readdirSync(dir)).toEqual(['.env']);
  });

  it('emcee: .env that is a directory is one line, exit 1', () => {
    const dir = fresh();
    mkdirSync(`${dir}/.env`);
    const run = spawnSync(process.execPath, [`${ROOT}bin/emcee.js`, 'bank', 'list', '--db', `${dir}/e.sqlite`], { cwd: dir, encoding: 'utf8', env: CLEAN_ENV, timeout: 30_000 });
    expect(run.stderr.trim()).toBe('emcee: .env: is a directory, not a file of KEY=value lines');
    expect(run.status).toBe(1);
  });

  it('npm start: .env that is a directory is one line, exit 1', () => {
    const dir = fresh();
    mkdirSync(`${dir}/.env`);
    const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}src/main.ts`], { cwd: dir, encoding: 'utf8', env: CLEAN_ENV, timeout: 30_000 });
    expect(run.stderr.trim()).toBe('emcee: .env: is a directory, not a file of KEY=value lines');
    expect(run.status).toBe(1);
  });
});

describe('.env.example', () => {
  it('copied as it is, with a token and an application id filled in, is valid; adding DATABASE_URL selects PostgreSQL without a clash', async () => {
    const { readFileSync } = await import('node:fs');
    const { readBotConfig } = await import('../src/config.ts');
    const example = parseDotEnv(readFileSync(`${ROOT}.env.example`, 'utf8'), '.env.example');
    const filled = { ...example, DISCORD_TOKEN: 'abc.def.ghi', DISCORD_APPLICATION_ID: '123456789012345678' };
    expect(readBotConfig(filled)).toMatchObject({ databasePath: 'data/emcee.sqlite', databaseUrl: undefined });
    expect(readBotConfig({ ...filled, DATABASE_URL: 'postgres://emcee@localhost:5432/emcee' }).databaseUrl).toBe('postgres://emcee@localhost:5432/emcee');
  });

  it('runs every shard as it is; its commented SHARDS and SHARD_COUNT lines, uncommented, run shards 0 and 1 of 4', async () => {
    const { readFileSync } = await import('node:fs');
    const { readBotConfig } = await import('../src/config.ts');
    const text = readFileSync(`${ROOT}.env.example`, 'utf8');
    const credentials = { DISCORD_TOKEN: 'abc.def.ghi', DISCORD_APPLICATION_ID: '123456789012345678' };
    expect(readBotConfig({ ...parseDotEnv(text, '.env.example'), ...credentials }).shards).toBeNull();
    const uncommented = text.replace(/^# (SHARDS|SHARD_COUNT)=/gm, '$1=');
    expect(readBotConfig({ ...parseDotEnv(uncommented, '.env.example'), ...credentials }).shards).toEqual({ count: 4, ids: [0, 1] });
  });
});
