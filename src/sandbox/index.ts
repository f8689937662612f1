/**
 * The sandbox: a loopback Discord (REST + JSON gateway, one guild) for end-to-end tests of the
 * bot with the real, unchanged discord.js client.
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
import type { APIApplicationCommand, APIAttachment } from 'discord-api-types/v10';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../core/clock.ts';
import { Gateway } from './gateway.ts';
import { createRestHandler, type FailResponse, type FailRule, type RecordedRequest } from './rest.ts';
import { DISCORD_INTERACTION_DEADLINES, DISCORD_MAX_UPLOAD_BYTES, type DelayRule, type InteractionDeadlines } from './limits.ts';
import {
  World,
  type RecordedCallback,
  type SandboxChannel,
  type SandboxMessage,
  type SandboxUser,
} from './state.ts';

export type { RecordedCallback, RecordedRequest, SandboxChannel, SandboxMessage, SandboxUser, FailResponse };
/** An application command as stored by a bulk overwrite (with id, application_id, version...). */
export type SandboxCommand = APIApplicationCommand;

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
}

export interface SandboxInteraction {
  id: string;
  token: string;
  /** Resolves when the bot answered POST /interactions/{id}/{token}/callback. */
  callback(): Promise<RecordedCallback>;
  /** The messages of this interaction's webhook, current state: the original response (once it exists), then follow-ups. */
  followUps(): SandboxMessage[];
  /** The original response message, once there is one. */
  original(): SandboxMessage | undefined;
}

export interface Sandbox {
  /** 'http://127.0.0.1:PORT/api' — pass as `rest: { api }` to discord.js. */
  apiBase: string;
  /** The gateway url, 'ws://127.0.0.1:PORT'. */
  gatewayUrl: string;
  /** The accepted bot token. */
  token: string;
  applicationId: string;
  botUser: SandboxUser;
  /** The guild owner (a plain user, member of the guild, with every permission). */
  owner: SandboxUser;
  guild: { id: string; name: string; ownerId: string };
  /**
   * A text channel (in the first guild unless `guildId` names one from createGuild); `denyBot`
   * denies the bot those permission bits there (a member overwrite).
   */
  createChannel(name: string, opts?: { denyBot?: bigint; guildId?: string }): SandboxChannel;
  /**
   * Another server the bot is in (it receives GUILD_CREATE). Users, members and roles other
   * than @everyone are shared by all sandbox guilds; channels belong to one.
   */
  createGuild(name: string): { id: string; name: string };
  createUser(username: string, opts?: { bot?: boolean; roles?: string[] }): SandboxUser;
  createRole(name: string, permissions: bigint): { id: string; name: string };
  addRole(userId: string, roleId: string): void;
  userSays(channelId: string, userId: string, content: string, opts?: { replyTo?: string }): SandboxMessage;
  userEdits(messageId: string, content: string): SandboxMessage;
  userDeletes(messageId: string): void;
  userBulkDeletes(channelId: string, messageIds: string[]): void;
  /**
   * Injects INTERACTION_CREATE: type 2 (slash command, default), 4 (autocomplete) or 5 (modal
   * submit; `name` is then the modal's custom_id). `options` are raw API options; user, role and
   * channel options get `resolved` filled in. `data` is merged over the generated data.
   */
  interact(opts: {
    userId: string;
    channelId: string;
    name: string;
    options?: unknown[];
    type?: 2 | 4 | 5;
    data?: Record<string, unknown>;
  }): SandboxInteraction;
  /** Serves a file as an attachment (for attachment options of slash commands). */
  hostFile(filename: string, content: Buffer | string, contentType?: string): APIAttachment;
  messages(channelId: string): SandboxMessage[];
  /** One stored message by id (any channel), unless deleted. */
  message(messageId: string): SandboxMessage | undefined;
  threads(): SandboxChannel[];
  requests: RecordedRequest[];
  /** The last bulk-overwritten application commands (global or guild). */
  commands(): SandboxCommand[];
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  connected(): boolean;
  closeSocket(code?: number): void;
  sendReconnect(): void;
  sendInvalidSession(resumable: boolean): void;
  /**
   * The next REST request whose method and path (without /api/v10) match gets this response
   * instead: 429 with `retryAfter` in seconds (Discord's unit; fractions allowed) in the body,
   * the retry-after header and x-ratelimit-* headers (or x-ratelimit-global), or a 500.
   */
  failNext(match: { method?: string; path: RegExp }, response: FailResponse): void;
  /**
   * A slow Discord: every REST request whose method and path (without /api/v10) match waits
   * `ms` of real time before it is handled, until stop() (which also releases the waiting ones).
   */
  delay(match: { method?: string; path: RegExp }, ms: number): { stop(): void };
  close(): Promise<void>;
}

export const SANDBOX_TOKEN = 'sandbox-bot-token';

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
  const requests: RecordedRequest[] = [];
  const failures: FailRule[] = [];
  const delays: DelayRule[] = [];
  const server = createServer(createRestHandler({ world, clock, gatewayUrl, requests, failures, delays, maxUploadBytes, log }));
  server.keepAliveTimeout = 1_000;
  const gateway = new Gateway(server, {
    token: world.token,
    botUserId: world.botUser.id,
    resumeUrl: gatewayUrl,
    readyData: (sessionId, shard) => world.readyPayload(sessionId, shard, gatewayUrl()),
    guildCreateData: () => world.guildIds().map((id) => world.guildCreatePayload(id)),
    membersChunk: (request) => world.membersChunk(request),
    log,
  });
  world.dispatch = (event, data) => {
    log(`dispatch ${event}`);
    gateway.dispatch(event, data);
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
  let closed = false;

  return {
    apiBase: `${baseUrl()}/api`,
    gatewayUrl: gatewayUrl(),
    token: world.token,
    applicationId: world.applicationId,
    botUser: structuredClone(world.botUser),
    owner: structuredClone(world.owner),
    guild: { ...world.guild },
    createChannel: (name, opts) => world.createChannel(name, opts),
    createGuild: (name) => world.createGuild(name),
    createUser: (username, opts) => world.createUser(username, opts),
    createRole: (name, permissions) => world.createRole(name, permissions),
    addRole: (userId, roleId) => world.addRole(userId, roleId),
    userSays: (channelId, userId, content, opts) => world.userSays(channelId, userId, content, opts),
    userEdits: (messageId, content) => world.userEdits(messageId, content),
    userDeletes: (messageId) => world.deleteMessage(messageId),
    userBulkDeletes: (channelId, messageIds) => world.bulkDelete(channelId, messageIds, false),
    hostFile: (filename, content, contentType) => world.hostFile(filename, content, contentType),
    interact(opts) {
      const record = world.interact(opts);
      return {
        id: record.id,
        token: record.token,
        callback: () => world.waitForCallback(record),
        followUps: () => world.followUps(record),
        original: () => world.original(record),
      };
    },
    messages: (channelId) => world.messages(channelId),
    message: (messageId) => world.findMessage(messageId),
    threads: () => world.threads(),
    requests,
    commands: () => world.lastOverwritten(),
    async waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 5_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          const value = check();
          if (value) return value;
          lastError = undefined;
        } catch (error) {
          lastError = error;
        }
        if (Date.now() >= deadline) {
          const why = lastError instanceof Error ? `: last error: ${lastError.message}` : '';
          throw new Error(`sandbox.waitFor timed out after ${timeoutMs} ms${why}\n  check: ${check.toString().slice(0, 300)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    connected: () => gateway.connected(),
    closeSocket: (code = 4000) => gateway.closeSockets(code),
    sendReconnect: () => gateway.sendReconnect(),
    sendInvalidSession: (resumable) => gateway.sendInvalidSession(resumable),
    failNext: (match, response) => {
      failures.push({ match, response });
    },
    delay: (match, ms) => {
      const rule: DelayRule = { match, ms, waiting: new Set(), stopped: false };
      delays.push(rule);
      return {
        stop() {
          rule.stopped = true;
          for (const release of [...rule.waiting]) release();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const rule of delays) {
        rule.stopped = true;
        for (const release of [...rule.waiting]) release();
      }
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      log('sandbox closed');
    },
  };
}
