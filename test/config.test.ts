import { describe, expect, it } from 'vitest';
import { ConfigError, readBotConfig, readConfig } from '../src/config.ts';
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
      .toEqual({ discordToken: 'tok', applicationId: APP, apiBase: 'http://127.0.0.1:9/api', databasePath: '/tmp/x.sqlite', logLevel: 'info', connectTimeoutMs: 15_000 });
  });

  it('DISCORD_API_BASE: a trailing /v10 (and slashes) is dropped; another version is refused by name', () => {
    const base = (DISCORD_API_BASE: string) => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, DISCORD_API_BASE }).apiBase;
    expect(base('https://discord.com/api')).toBe('https://discord.com/api');
    expect(base('https://discord.com/api/')).toBe('https://discord.com/api');
    expect(base('https://discord.com/api/v10')).toBe('https://discord.com/api');
    expect(base('http://127.0.0.1:9/api/v10/')).toBe('http://127.0.0.1:9/api');
    expect(() => base('https://discord.com/api/v9')).toThrow(/DISCORD_API_BASE: must not end in an API version other than \/v10/);
  });

  it('DISCORD_CONNECT_TIMEOUT_MS: milliseconds, checked', () => {
    const timeout = (DISCORD_CONNECT_TIMEOUT_MS: string) => readBotConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: APP, DISCORD_CONNECT_TIMEOUT_MS }).connectTimeoutMs;
    expect(timeout('1500')).toBe(1500);
    expect(() => timeout('soon')).toThrow(/DISCORD_CONNECT_TIMEOUT_MS: must be a number of milliseconds/);
    expect(() => timeout('5')).toThrow(/DISCORD_CONNECT_TIMEOUT_MS: must be at least 100/);
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
