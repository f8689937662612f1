import { describe, expect, it } from 'vitest';
import { ConfigError, readBotConfig } from '../../src/config.ts';

// HTTP_PORT, HTTP_HOST and METRICS_GUILD_LABEL (src/ops): off by default, and every bad
// value one line naming its variable.

const BASE = { DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456789012345678' };

/** The problem lines of a refused configuration. */
function problems(env: Record<string, string>): string[] {
  try {
    readBotConfig({ ...BASE, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message.split('\n').filter((l) => l.startsWith('  '));
  }
  throw new Error('the configuration was accepted');
}

describe('configuration: the health and metrics listener', () => {
  it('is off unless HTTP_PORT is set; HTTP_HOST defaults to 127.0.0.1, the guild label to off', () => {
    expect(readBotConfig(BASE).http).toBeUndefined();
    expect(readBotConfig({ ...BASE, HTTP_PORT: '9464' }).http).toEqual({ port: 9464, host: '127.0.0.1', guildLabel: false });
    expect(readBotConfig({ ...BASE, HTTP_PORT: ' 9464 ', HTTP_HOST: '0.0.0.0', METRICS_GUILD_LABEL: 'on' }).http).toEqual({ port: 9464, host: '0.0.0.0', guildLabel: true });
    expect(readBotConfig({ ...BASE, HTTP_PORT: '9464', HTTP_HOST: '::1' }).http?.host).toBe('::1');
    expect(readBotConfig({ ...BASE, HTTP_PORT: '9464', HTTP_HOST: 'localhost' }).http?.host).toBe('localhost');
    expect(readBotConfig({ ...BASE, HTTP_PORT: '', HTTP_HOST: '' }).http).toBeUndefined(); // empty: unset
  });

  it.each([
    ['abc', 'HTTP_PORT: must be a port number (1 to 65535)'],
    ['0', 'HTTP_PORT: must be a port number (1 to 65535)'],
    ['70000', 'HTTP_PORT: must be a port number (1 to 65535)'],
    ['94.64', 'HTTP_PORT: must be a whole port number (1 to 65535)'],
  ])('HTTP_PORT=%s is one line naming it', (HTTP_PORT, line) => {
    expect(problems({ HTTP_PORT })).toEqual([`  ${line}`]);
  });

  it('a bad HTTP_HOST or METRICS_GUILD_LABEL is one line naming it; either without HTTP_PORT is refused by name', () => {
    expect(problems({ HTTP_PORT: '9464', HTTP_HOST: 'my host' })).toEqual(['  HTTP_HOST: must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost']);
    expect(problems({ HTTP_PORT: '9464', METRICS_GUILD_LABEL: 'yes' })).toEqual(['  METRICS_GUILD_LABEL: must be on or off (on: the prompt, message and session metrics carry a guild label)']);
    expect(problems({ HTTP_HOST: '0.0.0.0' })).toEqual(['  HTTP_HOST: is set, but HTTP_PORT is not: the health and metrics listener is off unless HTTP_PORT is set']);
    expect(problems({ METRICS_GUILD_LABEL: 'on' })).toEqual(['  METRICS_GUILD_LABEL: is set, but HTTP_PORT is not: the health and metrics listener is off unless HTTP_PORT is set']);
  });
});
