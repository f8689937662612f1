import { DiscordAPIError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { classifyChannelError } from '../../src/discord/platform.ts';
import { ChannelUnavailableError } from '../../src/platform/types.ts';

/** Discord's own error object, as @discordjs/rest builds it from a JSON error response. */
function apiError(status: number, code: number, message: string): DiscordAPIError {
  return new DiscordAPIError({ code, message }, code, status, 'POST', 'https://discord.com/api/v10/channels/1/messages', { body: undefined, files: undefined });
}

describe('Discord errors that mean the channel is gone or out of reach (issue 10, item 1)', () => {
  it.each([
    [404, 10003, 'Unknown Channel', 'unknown-channel'],
    [403, 50001, 'Missing Access', 'no-access'],
    [403, 50013, 'Missing Permissions', 'no-permission'],
  ] as const)('%s %s %s becomes ChannelUnavailableError (%s)', (status, code, message, reason) => {
    const err = classifyChannelError('123', apiError(status, code, message));
    expect(err).toBeInstanceOf(ChannelUnavailableError);
    expect(err).toMatchObject({ channelId: '123', reason, detail: `${message} (${code})` });
  });

  it.each([
    ['a rate limit', apiError(429, 0, 'You are being rate limited.')],
    ['a server error', apiError(500, 0, '500: Internal Server Error')],
    ['an invalid form body', apiError(400, 50035, 'Invalid Form Body')],
    ['a network error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
  ])('%s stays as it is (retried with backoff)', (_name, err) => {
    expect(classifyChannelError('123', err)).toBe(err);
  });
});
