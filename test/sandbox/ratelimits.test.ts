/**
 * Discord's REST rate limits in the sandbox (issue 12, "The sandbox learns sharding"; issue 13,
 * "The top of the hour"): per-route buckets with their headers, 429s with Discord's body and
 * headers, the global 50 requests/s per token (interaction endpoints exempt), and the real
 * discord.js client pacing itself by those headers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { RateLimiter, resolveRateLimits } from '../../src/sandbox/ratelimit.ts';
import { checkExchange, loadSpec } from '../../src/sandbox/schema-check.ts';
import { createRoutes } from '../../src/sandbox/routes.ts';
import { World } from '../../src/sandbox/state.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { connect, general, restartSandbox, sandbox, sendable, useSandbox } from './support.ts';

useSandbox();

const extra: Sandbox[] = [];
afterEach(async () => {
  while (extra.length) await extra.pop()!.close();
});

interface Answer {
  /** When the request went out and when its answer came (ms). */
  sent: number;
  at: number;
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
}

async function api(s: Sandbox, method: string, path: string, body?: unknown, auth = true): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth) headers.authorization = `Bot ${s.token}`;
  const sent = Date.now();
  const res = await fetch(`${s.apiBase}/v10${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { sent, at: Date.now(), status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const post = (s: Sandbox, channelId: string, content: string) => api(s, 'POST', `/channels/${channelId}/messages`, { content });

describe('per-route buckets, with Discord\'s defaults', () => {
  it('POST messages: 5 per 5 s per channel, counted down in the headers; the 6th gets 429 with retry_after and Retry-After', async () => {
    const answers: Answer[] = [];
    for (let i = 1; i <= 6; i++) answers.push(await post(sandbox, general.id, `m${i}`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0']);
    for (const a of answers) {
      expect(a.headers.get('x-ratelimit-limit')).toBe('5');
      expect(a.headers.get('x-ratelimit-bucket')).toBe(answers[0]!.headers.get('x-ratelimit-bucket'));
      // One fixed window: the same reset time in every answer, reset-after counting down to it.
      expect(a.headers.get('x-ratelimit-reset')).toBe(answers[0]!.headers.get('x-ratelimit-reset'));
      const resetAfter = Number(a.headers.get('x-ratelimit-reset-after'));
      expect(resetAfter).toBeGreaterThan(0);
      expect(resetAfter).toBeLessThanOrEqual(5);
      // reset - reset-after is the moment the sandbox answered: between sending and receiving.
      const answeredAt = (Number(a.headers.get('x-ratelimit-reset')) - resetAfter) * 1000;
      expect(answeredAt).toBeGreaterThanOrEqual(a.sent - 2);
      expect(answeredAt).toBeLessThanOrEqual(a.at + 2);
    }
    expect(Number(answers[0]!.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(4.5);
    const limited = answers[5]!;
    expect(limited.body).toMatchObject({ message: 'You are being rate limited.', global: false });
    const retryAfter = limited.body!.retry_after as number;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(retryAfter).toBeCloseTo(Number(limited.headers.get('x-ratelimit-reset-after')), 2);
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil(retryAfter)));
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(limited.headers.get('x-ratelimit-global')).toBeNull();
    expect(sandbox.messages(general.id).map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(sandbox.rateLimited()).toEqual({ user: 1, global: 0, shared: 0 });

    // The bucket is counted per channel (the major parameter): another channel is not limited.
    const other = sandbox.createChannel('other');
    const elsewhere = await post(sandbox, other.id, 'elsewhere');
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(elsewhere.headers.get('x-ratelimit-bucket')).toBe(answers[0]!.headers.get('x-ratelimit-bucket'));
  });

  it('every routed response carries the headers, interaction callbacks too', async () => {
    const read = await api(sandbox, 'GET', `/channels/${general.id}`);
    const i = sandbox.interact({ userId: sandbox.owner.id, channelId: general.id, name: 'ping' });
    const callback = await api(sandbox, 'POST', `/interactions/${i.id}/${i.token}/callback`, { type: 4, data: { content: 'pong' } }, false);
    for (const answer of [read, callback]) {
      expect(answer.status).toBeLessThan(300);
      for (const name of ['limit', 'remaining', 'reset', 'reset-after', 'bucket']) expect(answer.headers.get(`x-ratelimit-${name}`), name).not.toBeNull();
    }
  });

  it('the 429 body is checked against Discord\'s RatelimitedResponse schema, and agrees', async () => {
    const spec = await loadSpec();
    const route = createRoutes(new World(systemClock, () => 'http://127.0.0.1:1'), () => ({})).find((r) => r.method === 'POST' && r.template === '/channels/:id/messages');
    for (let i = 1; i <= 5; i++) await post(sandbox, general.id, `m${i}`);
    const limited = await post(sandbox, general.id, 'over');
    const exchange = { method: 'POST', path: `/channels/${general.id}/messages`, route, requestBody: { content: 'over' }, status: 429 };
    expect(checkExchange(spec, { ...exchange, responseBody: limited.body })).toEqual([]);
    expect(checkExchange(spec, { ...exchange, responseBody: { message: 'slow down' } })).toEqual([
      expect.stringMatching(/429 error does not match Discord's schema/),
    ]);
  });
});

describe('the global limit: 50 requests per second per bot token', () => {
  it('counts 50 per window; the 51st is refused with the time left in the window (RateLimiter, exact times)', () => {
    const limiter = new RateLimiter(resolveRateLimits(undefined));
    const at = 1_000_000;
    const take = (n: number, now: number) => limiter.take('GET', '/channels/:id', `/channels/${n}`, true, now);
    for (let n = 0; n < 50; n++) expect(take(n, at + n).refused).toBeUndefined();
    const over = take(99, at + 400);
    expect(over.refused).toEqual({ scope: 'global', body: { message: 'You are being rate limited.', retry_after: 0.6, global: true, code: 0 } });
    expect(over.headers).toEqual({ 'retry-after': '1', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' });
    // Interaction endpoints (global: false) pass while the token is limited.
    expect(limiter.take('POST', '/interactions/:id/:token/callback', '/interactions/1/t/callback', false, at + 500).refused).toBeUndefined();
    expect(take(99, at + 1_000).refused).toBeUndefined();
    expect(limiter.refusals).toEqual({ user: 0, global: 1, shared: 0 });
  });

  it('a raw burst over 50/s gets global 429s with retry_after; interaction callbacks are exempt; it lifts after retry_after', async () => {
    // The windows' clock stands still, so the whole burst lands in one second however slow this machine is.
    let now = 1_000_000;
    const s = await startSandbox({ rateLimitClock: () => now });
    extra.push(s);
    const home = s.createChannel('general');
    const i = s.interact({ userId: s.owner.id, channelId: home.id, name: 'ping' });
    const channels = Array.from({ length: 6 }, (_, n) => s.createChannel(`c${n}`));
    // 60 reads spread over 6 channels (10 each, well inside each channel's bucket), all at once.
    const burst = await Promise.all(Array.from({ length: 60 }, (_, n) => api(s, 'GET', `/channels/${channels[n % 6]!.id}`)));
    const refused = burst.filter((a) => a.status === 429);
    expect(burst.filter((a) => a.status === 200)).toHaveLength(50);
    expect(refused).toHaveLength(10);
    for (const a of refused) {
      expect(a.body).toEqual({ message: 'You are being rate limited.', retry_after: 1, global: true, code: 0 });
      expect(a.headers.get('x-ratelimit-global')).toBe('true');
      expect(a.headers.get('x-ratelimit-scope')).toBe('global');
      expect(a.headers.get('retry-after')).toBe('1');
      expect(a.headers.get('x-ratelimit-bucket')).toBeNull();
    }
    expect(s.rateLimited()).toEqual({ user: 0, global: 10, shared: 0 });

    // Interaction endpoints are not bound to the global limit.
    const callback = await api(s, 'POST', `/interactions/${i.id}/${i.token}/callback`, { type: 4, data: { content: 'pong' } }, false);
    expect(callback.status).toBe(204);
    now += 999;
    expect((await api(s, 'GET', `/channels/${home.id}`)).status).toBe(429);
    now += 1;
    expect((await api(s, 'GET', `/channels/${home.id}`)).status).toBe(200);
  });
});

/** A discord.js client sends `count` posts to one channel at once; what was sent, and how long it took. */
async function burst(channelId: string, count: number) {
  const channel = await sendable(await connect(), channelId);
  const started = Date.now();
  const sent = await Promise.all(Array.from({ length: count }, (_, n) => channel.send(`burst ${n + 1}`)));
  return { sent, elapsed: Date.now() - started };
}

describe('the real discord.js client paces itself by the headers', () => {
  it('with the defaults: 6 posts to one channel all succeed, the 6th after the 5 s window, with no 429', async () => {
    const { sent, elapsed } = await burst(general.id, 6);
    expect(sandbox.messages(general.id).map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(elapsed).toBeGreaterThanOrEqual(4_500);
    expect(sandbox.rateLimited()).toEqual({ user: 0, global: 0, shared: 0 });
  });

  it('a burst of 20 posts to one channel (5 per 400 ms) all succeed, in order, paced over 3 windows, without a global 429', async () => {
    const s = await restartSandbox({ rateLimits: { routes: { 'POST /channels/:id/messages': { limit: 5, windowMs: 400 } } } });
    const channel = s.createChannel('general');
    const { sent, elapsed } = await burst(channel.id, 20);
    expect(s.messages(channel.id).map((m) => m.content)).toEqual(sent.map((m) => m.content));
    expect(sent.map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, n) => `burst ${n + 1}`));
    expect(elapsed).toBeGreaterThanOrEqual(3 * 400);
    const limited = s.rateLimited();
    expect(limited.global).toBe(0);
    // Only per-route 429s, if any, and discord.js retried each (every post made it once).
    const posts = s.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel.id}/messages`);
    expect(posts.filter((r) => r.status === 200)).toHaveLength(20);
    expect(posts.filter((r) => r.status === 429)).toHaveLength(limited.user);
  });
});

describe('configuration', () => {
  it('rateLimits: false sends no bucket headers and refuses nothing', async () => {
    const s = await startSandbox({ rateLimits: false });
    extra.push(s);
    const channel = s.createChannel('general');
    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => post(s, channel.id, `m${n}`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBeNull();
    expect(s.rateLimited()).toEqual({ user: 0, global: 0, shared: 0 });
  });

  it('a route can be given its own limit and scope (shared), others keep Discord\'s', async () => {
    const s = await startSandbox({ rateLimits: { routes: { 'GET /channels/:id': { limit: 1, windowMs: 60_000, scope: 'shared' } } } });
    extra.push(s);
    const channel = s.createChannel('general');
    expect((await api(s, 'GET', `/channels/${channel.id}`)).status).toBe(200);
    const second = await api(s, 'GET', `/channels/${channel.id}`);
    expect(second.status).toBe(429);
    expect(second.headers.get('x-ratelimit-scope')).toBe('shared');
    expect((await post(s, channel.id, 'still 5 per 5 s')).headers.get('x-ratelimit-limit')).toBe('5');
    expect(s.rateLimited()).toEqual({ user: 0, global: 0, shared: 1 });
  });
});
