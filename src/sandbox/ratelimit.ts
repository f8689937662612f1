/**
 * Discord's REST rate limits (https://discord.com/developers/docs/topics/rate-limits), enforced
 * by the sandbox so that a bot that would be refused on Discord is refused in tests too.
 *
 * - Per-route buckets: a route (method + path template) shares one bucket hash
 *   (X-RateLimit-Bucket) and is counted per major parameter (channel, guild, webhook id + token,
 *   interaction id + token), in fixed windows that open with the first request. Every response
 *   carries X-RateLimit-Limit / Remaining / Reset / Reset-After / Bucket; a request over the
 *   limit gets 429 `{ message, retry_after, global: false }` with Retry-After and
 *   X-RateLimit-Scope (user, or shared for a resource's limit).
 * - The global limit: 50 requests per second per bot token, documented ("All bots can make up
 *   to 50 requests per second to our API"); over it, 429 with `global: true`,
 *   X-RateLimit-Global: true and X-RateLimit-Scope: global. Interaction endpoints (callbacks and
 *   the interaction webhooks) are not bound to it, as documented ("Interaction endpoints are not
 *   bound to the bot's Global Rate Limit"), nor are requests without the bot token.
 *
 * Per-route limits are not published (Discord says to read them from the headers); the defaults
 * below are the values bots observe, with the source named. Windows run on real time (Date.now,
 * or the sandbox's `rateLimitClock`), like discord.js's own accounting, whatever clock the
 * sandbox was given.
 */
import { createHash } from 'node:crypto';

export interface Limit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  /** X-RateLimit-Scope of its 429s: 'user' (the default) or 'shared' (a resource's limit). */
  scope?: 'user' | 'shared';
}

export interface RateLimitOptions {
  /** The global limit per bot token; false turns it off. */
  global?: Limit | false;
  /** Per route, keyed 'METHOD template' as in routes.ts (e.g. 'POST /channels/:id/messages'); false: none. */
  routes?: Record<string, Limit | false>;
  /** Routes not listed in `routes`. */
  fallback?: Limit | false;
}

export interface ResolvedRateLimits {
  global: Limit | false;
  routes: Record<string, Limit | false>;
  fallback: Limit | false;
}

export const DISCORD_RATE_LIMITS: ResolvedRateLimits = {
  // Documented: 50 requests per second per bot.
  global: { limit: 50, windowMs: 1_000 },
  routes: {
    // Observed 5 per 5 s per channel: discord-api-docs#20 ("5/5 per server ... applies to message
    // creation and editing", since narrowed to per channel), discord.js rate-limit logs such as
    // alexemanuelol/rustplusplus#475 ("Limit: 5 ... Route: /channels/:id/messages", ~4.4 s waits).
    'POST /channels/:id/messages': { limit: 5, windowMs: 5_000 },
    'PATCH /channels/:id/messages/:id': { limit: 5, windowMs: 5_000 },
    // Observed 5 per 1 s per channel for deleting (recent) messages.
    'DELETE /channels/:id/messages/:id': { limit: 5, windowMs: 1_000 },
    // Observed 5 per 2 s per webhook for executing one (interaction follow-ups are webhooks).
    'POST /webhooks/:id/:token': { limit: 5, windowMs: 2_000 },
  },
  // Not observed for the remaining routes: a generous bucket, so that the global limit binds first.
  fallback: { limit: 50, windowMs: 1_000 },
};

/** The defaults with `options` over them (route by route); `false` turns every limit off. */
export function resolveRateLimits(options: RateLimitOptions | false | undefined): ResolvedRateLimits {
  if (options === false) return { global: false, routes: {}, fallback: false };
  return {
    global: options?.global ?? DISCORD_RATE_LIMITS.global,
    routes: { ...DISCORD_RATE_LIMITS.routes, ...options?.routes },
    fallback: options?.fallback ?? DISCORD_RATE_LIMITS.fallback,
  };
}

/**
 * Discord's limits for a sandbox whose clock runs `speed` times faster than real time (the
 * demo): every window shrinks by that factor, so the limits hold per second of the session's
 * time, which is what a bot on Discord meets in real time.
 */
export function scaledRateLimits(speed: number): ResolvedRateLimits {
  const scale = (limit: Limit | false): Limit | false => (limit ? { ...limit, windowMs: limit.windowMs / speed } : false);
  const routes = Object.fromEntries(Object.entries(DISCORD_RATE_LIMITS.routes).map(([key, limit]) => [key, scale(limit)]));
  return { global: scale(DISCORD_RATE_LIMITS.global), routes, fallback: scale(DISCORD_RATE_LIMITS.fallback) };
}

export type RateLimitScope = 'user' | 'global' | 'shared';

export interface RateLimitDecision {
  headers: Record<string, string>;
  /** Set when the request is refused: the 429 body. */
  refused?: { scope: RateLimitScope; body: { message: string; retry_after: number; global: boolean; code: number } };
}

interface Window {
  count: number;
  resetAt: number;
}

/** The major parameter of a path: what a route's bucket is counted per. */
export function majorParameter(path: string): string {
  const match = /^\/(?:channels|guilds)\/(\d+)|^\/applications\/\d+\/guilds\/(\d+)|^\/(?:webhooks|interactions)\/(\d+\/[^/]+)/.exec(path);
  return match ? (match[1] ?? match[2] ?? match[3] ?? '') : '';
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export class RateLimiter {
  /** 429s sent by scope (not counting ones injected with failNext). */
  readonly refusals: Record<RateLimitScope, number> = { user: 0, global: 0, shared: 0 };
  private readonly windows = new Map<string, Window>();
  private globalWindow: Window = { count: 0, resetAt: 0 };

  /** `now`: the ms clock of the windows; Discord's run in real time whatever the sandbox's clock says. */
  constructor(
    private readonly limits: ResolvedRateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one request of `method` `template` (the route's, or the path for an unknown route) at
   * `path`; `global` says whether the global limit applies (a bot-token request that is not an
   * interaction endpoint).
   */
  take(method: string, template: string, path: string, global: boolean, now = this.now()): RateLimitDecision {
    if (global && this.limits.global) {
      const window = this.open(this.globalWindow, this.limits.global, now);
      if (window.count >= this.limits.global.limit) return this.refuse('global', window.resetAt - now, { 'x-ratelimit-global': 'true' });
      window.count += 1;
    }
    const limit = this.limits.routes[`${method} ${template}`] ?? this.limits.fallback;
    if (!limit) return { headers: {} };
    const hash = createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32);
    const key = `${hash}:${majorParameter(path)}`;
    const window = this.open(this.windows.get(key) ?? { count: 0, resetAt: 0 }, limit, now);
    this.windows.set(key, window);
    const over = window.count >= limit.limit;
    if (!over) window.count += 1;
    const headers = {
      'x-ratelimit-limit': String(limit.limit),
      'x-ratelimit-remaining': String(limit.limit - window.count),
      'x-ratelimit-reset': seconds(window.resetAt),
      'x-ratelimit-reset-after': seconds(window.resetAt - now),
      'x-ratelimit-bucket': hash,
    };
    return over ? this.refuse(limit.scope ?? 'user', window.resetAt - now, headers) : { headers };
  }

  /** A window that has ended starts again now. */
  private open(window: Window, limit: Limit, now: number): Window {
    if (window.resetAt <= now) {
      window.count = 0;
      window.resetAt = now + limit.windowMs;
    }
    return window;
  }

  private refuse(scope: RateLimitScope, waitMs: number, headers: Record<string, string>): RateLimitDecision {
    this.refusals[scope] += 1;
    const retryAfter = Math.max(0.001, Math.ceil(waitMs) / 1000);
    return {
      // Discord's Retry-After header is whole seconds, rounded up; the body's retry_after is exact.
      headers: { ...headers, 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': scope },
      refused: {
        scope,
        body: { message: 'You are being rate limited.', retry_after: retryAfter, global: scope === 'global', code: 0 },
      },
    };
  }
}
