import { describe, expect, test } from 'vitest';
import { connect, general, sandbox, sendable, useSandbox } from './support.ts';

// REST faults: rate limits and server errors discord.js retries, unknown routes; and waitFor's timeout.

useSandbox();

describe('sandbox with the real discord.js client', () => {
  test('429 on POST messages: discord.js waits retry_after, retries, and the message is posted once', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    sandbox.failNext({ method: 'POST', path: /^\/channels\/\d+\/messages$/ }, { status: 429, retryAfter: 0.2 });
    const started = Date.now();
    const sent = await channel.send('rate limited once');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(sandbox.messages(general.id).map((m) => m.id)).toEqual([sent.id]);
    const posts = sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
  });

  test('500: discord.js retries', async () => {
    const client = await connect();
    const channel = await sendable(client, general.id);
    sandbox.failNext({ path: /messages$/ }, { status: 500 });
    const sent = await channel.send('after a 500');
    expect(sandbox.messages(general.id).map((m) => m.id)).toEqual([sent.id]);
    const posts = sandbox.requests.filter((r) => r.path.endsWith('/messages'));
    expect(posts.map((r) => r.status)).toEqual([500, 200]);
  });

  test('unknown routes answer 404 and are recorded', async () => {
    const client = await connect();
    await expect(client.rest.get('/voice/regions/nowhere' as `/${string}`)).rejects.toThrow(/Unknown route/);
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'GET', path: '/voice/regions/nowhere', status: 404 });
  });

  test('waitFor times out with a clear error', async () => {
    await expect(sandbox.waitFor(() => false, 50)).rejects.toThrow(/timed out after 50 ms/);
  });
});
