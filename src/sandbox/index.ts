/**
 * The sandbox: a loopback Discord (REST + JSON gateway, guilds on shards, Discord's rate
 * limits) for end-to-end tests of the bot with the real, unchanged discord.js client.
 *
 *   const sandbox = await startSandbox({ clock });
 *   const client = new Client({ intents, partials, rest: { api: sandbox.apiBase } });
 *   await client.login(sandbox.token);
 *   ...
 *   await client.destroy();   // before sandbox.close()
 *   await sandbox.close();
 *
 * Ids and timestamps come from the injected clock; heartbeats and rate-limit windows use real time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../domain/clock.ts';
import { controlApi, type Sandbox } from './control.ts';
import { Gateway } from './gateway.ts';
import { enabledPrivilegedIntents } from './gateway-intents.ts';
import { applicationFlagsFor } from './app-routes.ts';
import { guildCreatePayload, membersChunk, readyPayload } from './gateway-payloads.ts';
import { DISCORD_INTERACTION_DEADLINES, DISCORD_MAX_UPLOAD_BYTES, type DelayRule, type InteractionDeadlines } from './limits.ts';
import { RateLimiter, resolveRateLimits, type RateLimitOptions } from './ratelimit.ts';
import { createRestHandler, type Exchange, type FailResponse, type FailRule, type RecordedRequest } from './rest.ts';
import { recordSchemaViolation } from './schema-violations.ts';
import { DISCORD_MAX_GUILDS_PER_SHARD, gatewayBot, type ShardingOptions } from './sharding.ts';
import { World } from './state.ts';
import type { Clock } from '../domain/clock.ts';

export type { Sandbox, SandboxInteraction } from './control.ts';
export type { InteractOptions } from './interactions.ts';
export type { RecordedCallback, SandboxChannel, SandboxCommand, SandboxMessage, SandboxUser } from './model.ts';
export type { RecordedRequest, FailResponse };
export type { SandboxScheduledEvent } from './scheduled-events.ts';
export type { Limit, RateLimitOptions, RateLimitScope } from './ratelimit.ts';
export { DISCORD_RATE_LIMITS, scaledRateLimits } from './ratelimit.ts';
export type { ShardingOptions } from './sharding.ts';
export type { WebhookPost } from './webhooks.ts';
export { shardOf } from './sharding.ts';

export interface SandboxOptions {
  clock?: Clock;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Receives debug lines; nothing is logged without it. */
  log?: (msg: string) => void;
  /**
   * Discord's interaction deadlines, in real time: an initial response after `callbackMs`
   * (default 3000) is refused with 404 Unknown interaction (10062); follow-ups and edits
   * after `tokenMs` (default 15 minutes) with 401 Invalid Webhook Token (50027).
   */
  interactionDeadlines?: Partial<InteractionDeadlines>;
  /**
   * The most a message's files may weigh together (default Discord's 10 MiB for bots);
   * more is refused with 413 Request entity too large (40005).
   */
  maxUploadBytes?: number;
  /**
   * Check every REST response the sandbox sends, and every request body it accepts, against
   * Discord's published schema (discord-api-spec, a devDependency); what disagrees is recorded
   * (sandbox.schemaViolations(), and schema-violations.ts for the tests' afterEach). Default:
   * on when the environment has EMCEE_SANDBOX_SCHEMAS=1, as vitest.config.ts sets for tests.
   */
  validateSchemas?: boolean;
  /**
   * Discord's REST rate limits (ratelimit.ts): per-route buckets and 50 requests/s per bot token.
   * The default is Discord's values; tests of other things may loosen a route, the global limit
   * (`global: false`), or turn every limit off with `false`.
   */
  rateLimits?: RateLimitOptions | false;
  /**
   * The ms clock the rate-limit windows run on (default Date.now: Discord's windows are real
   * time, and so is discord.js's pacing). A test may stop it to make a burst land in one window.
   */
  rateLimitClock?: () => number;
  /** Sharding: GET /gateway/bot's recommended shards and session start limit, the per-shard guild cap. */
  sharding?: ShardingOptions;
  /**
   * The privileged intents the application has enabled in the Developer Portal (default: all
   * three). IDENTIFY asking for one that is off is closed with 4014 Disallowed intent(s).
   */
  privilegedIntents?: { messageContent?: boolean; guildMembers?: boolean; guildPresences?: boolean };
  /**
   * The application is verified (default false): GET /applications/@me then reports the
   * enabled privileged intents with Discord's plain flags (GATEWAY_MESSAGE_CONTENT, 1 << 18)
   * rather than the _LIMITED ones of an unverified application (1 << 19).
   */
  verifiedApplication?: boolean;
}

export const SANDBOX_TOKEN = 'sandbox-bot-token';

/** The schema checker, when asked for: loads discord-api-spec (a devDependency) only then. */
async function schemaChecker(violations: string[]): Promise<((exchange: Exchange) => void) | undefined> {
  const { loadSpec, checkExchange } = await import('./schema-check.ts');
  const spec = await loadSpec();
  return (exchange) => {
    for (const line of checkExchange(spec, exchange)) {
      violations.push(line);
      recordSchemaViolation(line);
    }
  };
}

/**
 * Starts a loopback Discord: REST under /api/v10 and a JSON gateway on the same port of
 * 127.0.0.1. The real discord.js Client connects to it with `rest: { api: sandbox.apiBase }`
 * and `login(sandbox.token)`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  let port = 0;
  const baseUrl = (): string => `http://127.0.0.1:${port}`;
  const gatewayUrl = (): string => `ws://127.0.0.1:${port}`;

  const maxUploadBytes = options.maxUploadBytes ?? DISCORD_MAX_UPLOAD_BYTES;
  const world = new World(clock, baseUrl, { ...DISCORD_INTERACTION_DEADLINES, ...options.interactionDeadlines }, maxUploadBytes);
  const { dir } = world;
  dir.applicationFlags = applicationFlagsFor(options.privilegedIntents, options.verifiedApplication);
  const requests: RecordedRequest[] = [];
  const failures: FailRule[] = [];
  const delays: DelayRule[] = [];
  const violations: string[] = [];
  const validateSchemas = options.validateSchemas ?? process.env.EMCEE_SANDBOX_SCHEMAS === '1';
  const onExchange = validateSchemas ? await schemaChecker(violations) : undefined;
  const sharding = options.sharding ?? {};
  const limiter = new RateLimiter(resolveRateLimits(options.rateLimits), options.rateLimitClock);
  // Assigned below; GET /gateway/bot reads it only once the server is listening.
  let gateway: Gateway | undefined;
  const gatewayBotBody = () => gatewayBot(gatewayUrl(), dir.guildIds().length, sharding, gateway?.identifyBudget() ?? { used: 0, resetAfterMs: 0 });
  const server = createServer(createRestHandler({ world, clock, gatewayBot: gatewayBotBody, limiter, requests, failures, delays, maxUploadBytes, log, onExchange }));
  server.keepAliveTimeout = 1_000;
  gateway = new Gateway(server, {
    token: dir.token,
    botUserId: dir.botUser.id,
    resumeUrl: gatewayUrl,
    readyData: (sessionId, shard) => readyPayload(dir, sessionId, shard, gatewayUrl()),
    guildIds: () => dir.guildIds(),
    guildCreateData: (guildId) => guildCreatePayload(dir, guildId),
    maxGuildsPerShard: sharding.maxGuildsPerShard ?? DISCORD_MAX_GUILDS_PER_SHARD,
    membersChunk: (request) => membersChunk(dir, request),
    privilegedIntents: enabledPrivilegedIntents(options.privilegedIntents),
    log,
  });
  world.dispatch = (event, data) => {
    log(`dispatch ${event}`);
    gateway?.dispatch(event, data);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  log(`sandbox listening on ${baseUrl()}`);
  return controlApi({
    world, gateway, server, limiter, requests, failures, delays, violations, log,
    apiBase: `${baseUrl()}/api`,
    gatewayUrl: gatewayUrl(),
  });
}
