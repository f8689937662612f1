import { describe, expect, it } from 'vitest';
import { ConfigError, MAX_SHARD_COUNT, describeShards, readBotConfig, readConfig } from '../src/config.ts';
import { shardSet } from '../src/domain/shard.ts';
import { createLogger } from '../src/logger.ts';

const APP = '123456789012345678';

describe('configuration', () => {
  it('has defaults for everything but Discord credentials', () => {
    expect(readConfig({})).toEqual({ databasePath: 'data/emcee.sqlite', logLevel: 'info' });
    expect(readConfig({ DATABASE_PATH: '', LOG_LEVEL: '' })).toEqual({ databasePath: 'data/emcee.sqlite', logLevel: 'info' });
  });

  it('without a token says in one line what to set, and points to the demo', () => {
    expect(() => readBotConfig({})).toThrow(ConfigError);
    expect(() => readBotConfig({})).toThrow(/^DISCORD_TOKEN is not set: .*\.env.*npm run demo$/);
  });

  it('reports every problem together', () => {
    try {
      readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: 'my-app', DISCORD_API_BASE: 'ftp://x', LOG_LEVEL: 'chatty' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/DISCORD_APPLICATION_ID: must be the numeric application id/);
      expect(message).toMatch(/DISCORD_API_BASE: must be an http\(s\) URL/);
      expect(message).toMatch(/LOG_LEVEL: must be one of/);
    }
  });

  it('reads a complete bot configuration', () => {
    expect(readBotConfig({ DISCORD_TOKEN: ' tok ', DISCORD_APPLICATION_ID: APP, DISCORD_API_BASE: 'http://127.0.0.1:9/api', DATABASE_PATH: '/tmp/x.sqlite' }))
      .toEqual({ discordToken: 'tok', applicationId: APP, apiBase: 'http://127.0.0.1:9/api', databasePath: '/tmp/x.sqlite', logLevel: 'info', connectTimeoutMs: 15_000, shards: null, messageContent: true, shutdownTimeoutMs: 10_000 });
  });

  it('MESSAGE_CONTENT: on (default) or off; anything else is one line naming it', () => {
    const read = (MESSAGE_CONTENT?: string) => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, ...(MESSAGE_CONTENT === undefined ? {} : { MESSAGE_CONTENT }) });
    expect(read().messageContent).toBe(true);
    expect(read('on').messageContent).toBe(true);
    expect(read('off').messageContent).toBe(false);
    expect(() => read('no')).toThrow(/MESSAGE_CONTENT: must be on or off/);
  });

  it('DISCORD_API_BASE: a trailing /v10 (and slashes) is dropped; another version is refused by name', () => {
    const base = (DISCORD_API_BASE: string) => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, DISCORD_API_BASE }).apiBase;
    expect(base('https://discord.com/api')).toBe('https://discord.com/api');
    expect(base('https://discord.com/api/')).toBe('https://discord.com/api');
    expect(base('https://discord.com/api/v10')).toBe('https://discord.com/api');
    expect(base('http://127.0.0.1:9/api/v10/')).toBe('http://127.0.0.1:9/api');
    expect(() => base('https://discord.com/api/v9')).toThrow(/DISCORD_API_BASE: must not end in an API version other than \/v10/);
  });

  it('SHUTDOWN_TIMEOUT_MS: milliseconds (default 10 s), checked, one line naming it', () => {
    const bound = (SHUTDOWN_TIMEOUT_MS?: string) => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, ...(SHUTDOWN_TIMEOUT_MS === undefined ? {} : { SHUTDOWN_TIMEOUT_MS }) }).shutdownTimeoutMs;
    expect(bound()).toBe(10_000);
    expect(bound('30000')).toBe(30_000);
    expect(() => bound('later')).toThrow(/SHUTDOWN_TIMEOUT_MS: must be a number of milliseconds/);
    expect(() => bound('500')).toThrow(/SHUTDOWN_TIMEOUT_MS: must be at least 1000 \(1 s\)/);
    expect(() => bound('2.5')).toThrow(/SHUTDOWN_TIMEOUT_MS: must be a whole number of milliseconds/);
  });

  it('DISCORD_CONNECT_TIMEOUT_MS: milliseconds, checked', () => {
    const timeout = (DISCORD_CONNECT_TIMEOUT_MS: string) => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, DISCORD_CONNECT_TIMEOUT_MS }).connectTimeoutMs;
    expect(timeout('1500')).toBe(1500);
    expect(() => timeout('soon')).toThrow(/DISCORD_CONNECT_TIMEOUT_MS: must be a number of milliseconds/);
    expect(() => timeout('5')).toThrow(/DISCORD_CONNECT_TIMEOUT_MS: must be at least 100/);
  });
});

describe('configuration: SHARDS and SHARD_COUNT (issue 12)', () => {
  const bot = { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP };
  const shards = (env: Record<string, string>) => readBotConfig({ ...bot, ...env }).shards;
  /** The problem lines of a refused configuration. */
  const problems = (env: Record<string, string>): string[] => {
    try {
      readBotConfig({ ...bot, ...env });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
    }
    throw new Error('expected a ConfigError');
  };

  it('neither set, empty, or SHARDS=auto alone: no shard set (one process, discord.js \'auto\', every guild)', () => {
    expect(shards({})).toBeNull();
    expect(shards({ SHARDS: '', SHARD_COUNT: '' })).toBeNull();
    expect(shards({ SHARDS: 'auto' })).toBeNull();
    expect(shards({ SHARDS: ' AUTO ' })).toBeNull();
    expect(describeShards(null)).toBe('all shards (auto)');
  });

  it('SHARDS of SHARD_COUNT: lists with or without spaces, ranges, one shard, and the JSON forms of ShardingManager', () => {
    expect(shards({ SHARDS: '0,1', SHARD_COUNT: '4' })).toEqual(shardSet(4, [0, 1]));
    expect(shards({ SHARDS: '0, 1', SHARD_COUNT: '4' })).toEqual({ count: 4, ids: [0, 1] });
    expect(shards({ SHARDS: '0-3', SHARD_COUNT: '4' })).toEqual({ count: 4, ids: [0, 1, 2, 3] });
    expect(shards({ SHARDS: '2', SHARD_COUNT: '4' })).toEqual({ count: 4, ids: [2] });
    expect(shards({ SHARDS: '3, 0-1', SHARD_COUNT: '8' })).toEqual({ count: 8, ids: [0, 1, 3] });
    // discord-hybrid-sharding's "[0,1]"; discord.js ShardingManager's bare shard id.
    expect(shards({ SHARDS: '[0,1]', SHARD_COUNT: '4' })).toEqual({ count: 4, ids: [0, 1] });
    expect(shards({ SHARDS: '[ 2, 3 ]', SHARD_COUNT: '4' })).toEqual({ count: 4, ids: [2, 3] });
    expect(shards({ SHARDS: '1', SHARD_COUNT: '2' })).toEqual({ count: 2, ids: [1] });
    expect(describeShards(shards({ SHARDS: '0,1', SHARD_COUNT: '4' }))).toBe('shards 0,1 of 4');
  });

  it('SHARD_COUNT alone (or with SHARDS=auto): every shard of that count in this process', () => {
    expect(shards({ SHARD_COUNT: '3' })).toEqual({ count: 3, ids: [0, 1, 2] });
    expect(shards({ SHARDS: 'auto', SHARD_COUNT: '2' })).toEqual({ count: 2, ids: [0, 1] });
    expect(shards({ SHARD_COUNT: '1' })).toEqual({ count: 1, ids: [0] });
  });

  it('SHARDS without SHARD_COUNT is refused in one line that says what to add', () => {
    expect(problems({ SHARDS: '0,1' })).toEqual([
      'SHARDS: is set ("0,1") but SHARD_COUNT is not: give the total number of shards, the same in every process (SHARDS=0,1 SHARD_COUNT=4)',
    ]);
  });

  it('a shard not below the count, duplicates, a bad entry or range: one line each, naming SHARDS', () => {
    expect(problems({ SHARDS: '5', SHARD_COUNT: '4' })).toEqual(['SHARDS: 5 is not a shard of 4 (0 to 3)']);
    expect(problems({ SHARDS: '0-4', SHARD_COUNT: '4' })).toEqual(['SHARDS: 4 is not a shard of 4 (0 to 3)']);
    expect(problems({ SHARDS: '0,1,1', SHARD_COUNT: '4' })).toEqual(['SHARDS: 1 is listed twice']);
    expect(problems({ SHARDS: '0-2,1-3', SHARD_COUNT: '4' })).toEqual(['SHARDS: 1, 2 are listed twice']);
    expect(problems({ SHARDS: 'one', SHARD_COUNT: '4' })).toEqual(['SHARDS: "one" is not a shard number or a range such as 0-3']);
    expect(problems({ SHARDS: '-1', SHARD_COUNT: '4' })).toEqual(['SHARDS: "-1" is not a shard number or a range such as 0-3']);
    expect(problems({ SHARDS: '1.5', SHARD_COUNT: '4' })).toEqual(['SHARDS: "1.5" is not a shard number or a range such as 0-3']);
    expect(problems({ SHARDS: '3-1', SHARD_COUNT: '4' })).toEqual(['SHARDS: 3-1 is not a range: the first shard must not be above the last (1-3)']);
    expect(problems({ SHARDS: '0,,1', SHARD_COUNT: '4' })).toEqual(['SHARDS: "0,,1" has an empty entry: list shard numbers such as 0,1 or a range such as 0-3']);
    expect(problems({ SHARDS: '[]', SHARD_COUNT: '4' })).toEqual(['SHARDS: "[]" has an empty entry: list shard numbers such as 0,1 or a range such as 0-3']);
  });

  it('SHARD_COUNT: a whole number from 1 to the cap, one line naming it', () => {
    expect(problems({ SHARD_COUNT: 'four' })).toEqual(['SHARD_COUNT: must be a whole number of shards, got "four"']);
    expect(problems({ SHARD_COUNT: '2.5' })).toEqual(['SHARD_COUNT: must be a whole number of shards, got "2.5"']);
    expect(problems({ SHARD_COUNT: '0' })).toEqual(['SHARD_COUNT: must be at least 1']);
    expect(problems({ SHARDS: '0', SHARD_COUNT: String(MAX_SHARD_COUNT + 1) })).toEqual([`SHARD_COUNT: must be at most ${MAX_SHARD_COUNT}`]);
    expect(problems({ SHARD_COUNT: '99999999999999999999999' })).toEqual([`SHARD_COUNT: must be at most ${MAX_SHARD_COUNT}`]);
    expect(shards({ SHARDS: String(MAX_SHARD_COUNT - 1), SHARD_COUNT: String(MAX_SHARD_COUNT) })).toEqual({ count: MAX_SHARD_COUNT, ids: [MAX_SHARD_COUNT - 1] });
  });

  it('shard problems are reported together with each other and with the other variables\'', () => {
    expect(problems({ SHARDS: '1,x,1', SHARD_COUNT: '0', LOG_LEVEL: 'chatty' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL: must be one of/),
      'SHARD_COUNT: must be at least 1',
      'SHARDS: "x" is not a shard number or a range such as 0-3',
    ]);
    expect(problems({ SHARDS: '7,1,1', SHARD_COUNT: '4' })).toEqual(['SHARDS: 7 is not a shard of 4 (0 to 3)', 'SHARDS: 1 is listed twice']);
  });
});

describe('logging', () => {
  it('never writes the token', () => {
    const lines: string[] = [];
    const log = createLogger('info', { destination: { write: (s: string) => void lines.push(s) } });
    log.info({ token: 'secret-1', config: { DISCORD_TOKEN: 'secret-2' }, headers: { authorization: 'Bot secret-3' } }, 'starting');
    expect(lines.join('')).not.toMatch(/secret/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ token: '[redacted]', msg: 'starting' });
  });
});
