/** The test-facing control API: the `Sandbox` object that tests and the demo drive. */
import type { Server } from 'node:http';
import type { APIAttachment } from 'discord-api-types/v10';
import type { Gateway } from './gateway.ts';
import type { InteractOptions } from './interactions.ts';
import type { DelayRule } from './limits.ts';
import type { RateLimiter, RateLimitScope } from './ratelimit.ts';
import type { ReactionEmoji } from './reactions.ts';
import type { RecordedCallback, SandboxChannel, SandboxCommand, SandboxMessage, SandboxUser } from './model.ts';
import type { FailResponse, FailRule, RecordedRequest } from './rest.ts';
import type { SandboxScheduledEvent } from './scheduled-events.ts';
import type { World } from './state.ts';
import type { WebhookPost } from './webhooks.ts';

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
   * Sets a channel's permission overwrite for a role (the guild's id is @everyone) or a member
   * (the bot's id: the bot), replacing the one it had; CHANNEL_UPDATE is dispatched.
   */
  setPermissionOverwrite(channelId: string, overwrite: { id: string; type: 'role' | 'member'; allow?: bigint; deny?: bigint }): void;
  /** A moderator deletes a channel (CHANNEL_DELETE); afterwards it is 404 Unknown Channel. */
  deleteChannel(channelId: string): void;
  /**
   * Another server the bot is in (it receives GUILD_CREATE). Users, members and roles other
   * than @everyone are shared by all sandbox guilds; channels belong to one. With `shard: [k, n]`
   * the guild's id lands on shard k of n (`(id >> 22) % n === k`), so its events go to that shard.
   */
  createGuild(name: string, opts?: { shard?: [number, number] }): { id: string; name: string };
  createUser(username: string, opts?: { bot?: boolean; roles?: string[] }): SandboxUser;
  createRole(name: string, permissions: bigint): { id: string; name: string };
  addRole(userId: string, roleId: string): void;
  /** `ping: false` on a reply: the reply does not mention the replied-to author (the client's "@ off"). */
  userSays(channelId: string, userId: string, content: string, opts?: { replyTo?: string; ping?: boolean }): SandboxMessage;
  userEdits(messageId: string, content: string): SandboxMessage;
  userDeletes(messageId: string): void;
  userBulkDeletes(channelId: string, messageIds: string[]): void;
  /**
   * Injects INTERACTION_CREATE: type 2 (slash command, default; a message context-menu command
   * when `name` is one, with `messageId` its target), 3 (a component: `name` is the custom_id of a
   * button or select menu on message `messageId`, `values` a select's choice; refused, as Discord
   * would, when the message does not carry it or it is disabled), 4 (autocomplete) or 5 (modal
   * submit; `name` is then the modal's custom_id, `messageId` the message whose component
   * opened it). `options` are raw API options; user, role and channel options get `resolved`
   * filled in. `data` is merged over the generated data.
   */
  interact(opts: InteractOptions): SandboxInteraction;
  /** Serves a file as an attachment (for attachment options of slash commands). */
  hostFile(filename: string, content: Buffer | string, contentType?: string): APIAttachment;
  messages(channelId: string): SandboxMessage[];
  /** One stored message by id (any channel), unless deleted. */
  message(messageId: string): SandboxMessage | undefined;
  threads(): SandboxChannel[];
  /** The channel webhooks' messages, oldest first: who they show as (username, avatar_url) and where. */
  webhookPosts(): WebhookPost[];
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
   * the retry-after header and x-ratelimit-* headers (or x-ratelimit-global; `shared`: the
   * X-RateLimit-Scope of a resource's shared limit), or a 500.
   */
  failNext(match: { method?: string; path: RegExp }, response: FailResponse): void;
  /**
   * A slow Discord: every REST request whose method and path (without /api/v10) match waits
   * `ms` of real time before it is handled, until stop() (which also releases the waiting ones).
   */
  delay(match: { method?: string; path: RegExp }, ms: number): { stop(): void };
  /**
   * What this sandbox's exchanges got wrong against Discord's published schema (only with
   * `validateSchemas`); see schema-check.ts.
   */
  schemaViolations(): string[];
  /**
   * The 429s the sandbox's rate limits sent, by X-RateLimit-Scope (user: a route's bucket; global:
   * 50/s per token; shared: a resource's), so a test can assert no global 429 in steady state.
   * 429s injected with failNext are not counted.
   */
  rateLimited(): Record<RateLimitScope, number>;
  /** Guild scheduled events (scheduled-events.ts). */
  scheduledEvents: {
    /** A guild's events (the first guild's by default), current state with user_count. */
    list(guildId?: string): SandboxScheduledEvent[];
    /** Users click "Interested" on an event: its user_count moves. */
    markInterested(eventId: string, userIds: string[]): void;
    /** The nth create from now (1: the next) is carried out, then the connection dropped: the bot never hears back. */
    loseCreateResponse(nth?: number): void;
  };
  /** Reactions (reactions.ts): each dispatches its MESSAGE_REACTION_* event, and the message carries the counts. */
  reactions: {
    /** A user reacts (a super reaction with burst); false when they had it already (nothing dispatched). */
    add(messageId: string, userId: string, emoji: ReactionEmoji, opts?: { burst?: boolean }): boolean;
    /** A user takes a reaction back; false when they had none (nothing dispatched). */
    remove(messageId: string, userId: string, emoji: ReactionEmoji, opts?: { burst?: boolean }): boolean;
    /** A moderator removes every reaction of the message. */
    removeAll(messageId: string): void;
    /** A moderator removes one emoji's reactions. */
    removeEmoji(messageId: string, emoji: ReactionEmoji): void;
  };
  close(): Promise<void>;
}

export interface ControlParts {
  world: World;
  gateway: Gateway;
  server: Server;
  limiter: RateLimiter;
  apiBase: string;
  gatewayUrl: string;
  requests: RecordedRequest[];
  failures: FailRule[];
  delays: DelayRule[];
  violations: string[];
  log(message: string): void;
}

export function controlApi(parts: ControlParts): Sandbox {
  const { world, gateway, server, requests, failures, delays, log } = parts;
  const { dir, messages, interactions } = world;
  let closed = false;
  return {
    apiBase: parts.apiBase,
    gatewayUrl: parts.gatewayUrl,
    token: dir.token,
    applicationId: dir.applicationId,
    botUser: structuredClone(dir.botUser),
    owner: structuredClone(dir.owner),
    guild: { ...dir.guild },
    createChannel: (name, opts) => dir.createChannel(name, opts),
    setPermissionOverwrite: (channelId, overwrite) => dir.setOverwrite(channelId, overwrite),
    deleteChannel: (channelId) => dir.deleteChannel(channelId),
    createGuild: (name, opts) => world.createGuild(name, opts?.shard),
    createUser: (username, opts) => dir.createUser(username, opts),
    createRole: (name, permissions) => dir.createRole(name, permissions),
    addRole: (userId, roleId) => dir.addRole(userId, roleId),
    userSays: (channelId, userId, content, opts) => messages.userSays(channelId, userId, content, opts),
    userEdits: (messageId, content) => messages.userEdits(messageId, content),
    userDeletes: (messageId) => messages.deleteMessage(messageId),
    userBulkDeletes: (channelId, messageIds) => messages.userBulkDeletes(channelId, messageIds),
    hostFile: (filename, content, contentType) => messages.hostFile(filename, content, contentType),
    interact(opts) {
      const record = interactions.interact(opts);
      return {
        id: record.id,
        token: record.token,
        callback: () => interactions.waitForCallback(record),
        followUps: () => interactions.followUps(record),
        original: () => interactions.original(record),
      };
    },
    messages: (channelId) => messages.list(channelId),
    message: (messageId) => messages.findMessage(messageId),
    threads: () => dir.threads(),
    webhookPosts: () => world.webhooks.posts.map((post) => ({ ...post })),
    requests,
    commands: () => world.commands.lastOverwritten(),
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
    schemaViolations: () => [...parts.violations],
    rateLimited: () => ({ ...parts.limiter.refusals }),
    scheduledEvents: {
      list: (guildId) => world.scheduledEvents.inGuild(guildId ?? dir.guild.id),
      markInterested: (eventId, userIds) => world.scheduledEvents.markInterested(eventId, userIds),
      loseCreateResponse: (nth) => world.scheduledEvents.loseCreateResponse(nth),
    },
    reactions: {
      add: (messageId, userId, emoji, opts) => world.reactions.add(messageId, userId, emoji, opts),
      remove: (messageId, userId, emoji, opts) => world.reactions.remove(messageId, userId, emoji, opts),
      removeAll: (messageId) => world.reactions.removeAll(messageId),
      removeEmoji: (messageId, emoji) => world.reactions.removeEmoji(messageId, emoji),
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
