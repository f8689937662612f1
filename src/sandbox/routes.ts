/**
 * The REST routes the sandbox serves: only those the bot (src/) or a test uses.
 * Each names its operation in Discord's published OpenAPI spec (discord/discord-api-spec) and
 * the zod schemas (exports of `discord-api-spec/zod`) of its request body and of each success
 * status, so that tests can check every exchange against Discord's own schema (schema-check.ts)
 * and test/sandbox/routes.test.ts can fail for a route without one.
 *
 * A schema reference is an export name; `Name[]` is an array of it; `A | B` is any of them.
 * A `null` response is 204 No Content (no body).
 */
import type { MessageBody, UploadedFile } from './model.ts';
import { ApiError } from './errors.ts';
import type { World } from './state.ts';
import { scheduledEventRoutes } from './scheduled-event-routes.ts';
import { appRoutes } from './app-routes.ts';
import { PermissionFlagsBits } from 'discord-api-types/v10';

export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

export interface Result {
  status: number;
  body?: unknown;
  /** Carried out, but the connection is dropped instead of answering (a lost response). */
  lost?: boolean;
}

export interface RouteSpec {
  /** The path in Discord's OpenAPI spec, e.g. '/channels/{channel_id}/messages'. */
  path: string;
  /** The request body's schema, for routes that take one. */
  request?: string;
  /** Success status -> the response body's schema (null: no body). */
  responses: Record<number, string | null>;
}

export interface Route {
  method: string;
  /** The sandbox's pattern: ':id' a snowflake, ':token' and ':any' one path segment. */
  template: string;
  pattern: RegExp;
  spec: RouteSpec;
  handle(ctx: RouteContext): Result;
}

const ok = (body: unknown): Result => ({ status: 200, body });
const created = (body: unknown): Result => ({ status: 201, body });
const noContent = (): Result => ({ status: 204 });

function route(method: string, template: string, spec: RouteSpec, handle: (ctx: RouteContext) => Result): Route {
  const source = template
    .split('/')
    .map((part) => (part === ':id' ? '(\\d+)' : part === ':token' || part === ':any' ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\@]/g, '\\$&')))
    .join('/');
  return { method, template, spec, pattern: new RegExp(`^${source}$`), handle };
}

function p(ctx: RouteContext, i: number): string {
  return ctx.params[i] ?? '';
}

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

const MESSAGE = 'MessageResponseSchema';
const COMMANDS = { request: 'ApplicationCommandUpdateRequestSchema[]', responses: { 200: 'ApplicationCommandResponseSchema[]' } };
const CALLBACK_REQUEST = [
  'CreateMessageInteractionCallbackRequestSchema',
  'UpdateMessageInteractionCallbackRequestSchema',
  'ApplicationCommandAutocompleteCallbackRequestSchema',
  'ModalInteractionCallbackRequestSchema',
  'PongInteractionCallbackRequestSchema',
  'LaunchActivityInteractionCallbackRequestSchema',
].join(' | ');

export function createRoutes(world: World, gatewayBot: () => unknown): Route[] {
  const { dir, messages, threads, commands, interactions } = world;
  const guildScope = (ctx: RouteContext, i: number): string => {
    dir.checkGuild(p(ctx, i));
    return p(ctx, i);
  };
  const checkApp = (ctx: RouteContext): void => {
    if (p(ctx, 0) !== dir.applicationId) throw new ApiError(404, 10002, 'Unknown Application');
  };
  const body = (ctx: RouteContext) => asObject(ctx.body) as MessageBody;

  return [
    // The recommended shard count and session start limit (sharding.ts).
    route('GET', '/gateway/bot', { path: '/gateway/bot', responses: { 200: 'GatewayBotResponseSchema' } }, () => ok(gatewayBot())),

    // Application commands: bulk overwrite, global and per guild (deploy-commands, the bot's start-up).
    route('PUT', '/applications/:id/commands', { path: '/applications/{application_id}/commands', ...COMMANDS }, (ctx) =>
      (checkApp(ctx), ok(commands.overwrite(null, ctx.body)))),
    route('PUT', '/applications/:id/guilds/:id/commands', { path: '/applications/{application_id}/guilds/{guild_id}/commands', ...COMMANDS }, (ctx) =>
      (checkApp(ctx), ok(commands.overwrite(guildScope(ctx, 1), ctx.body)))),

    // Channels and messages.
    route('GET', '/channels/:id', { path: '/channels/{channel_id}', responses: { 200: 'GuildChannelResponseSchema | ThreadResponseSchema' } }, (ctx) => {
      const channel = dir.channel(p(ctx, 0));
      if (!channel) throw new ApiError(404, 10003, 'Unknown Channel');
      // Discord: a channel the bot cannot see is 403 Missing Access, not the channel.
      if ((dir.permissionsIn(channel.id, dir.botUser.id) & PermissionFlagsBits.ViewChannel) === 0n) throw new ApiError(403, 50001, 'Missing Access');
      return ok(channel);
    }),
    route('GET', '/channels/:id/messages', { path: '/channels/{channel_id}/messages', responses: { 200: `${MESSAGE}[]` } }, (ctx) =>
      ok(messages.listMessages(p(ctx, 0), ctx.query))),
    route('POST', '/channels/:id/messages', { path: '/channels/{channel_id}/messages', request: 'MessageCreateRequestSchema', responses: { 200: MESSAGE } }, (ctx) =>
      ok(messages.botPosts(p(ctx, 0), body(ctx), ctx.files))),
    route('GET', '/channels/:id/messages/:id', { path: '/channels/{channel_id}/messages/{message_id}', responses: { 200: MESSAGE } }, (ctx) =>
      ok(messages.getMessage(p(ctx, 0), p(ctx, 1)))),
    route('PATCH', '/channels/:id/messages/:id', { path: '/channels/{channel_id}/messages/{message_id}', request: 'MessageEditRequestPartialSchema', responses: { 200: MESSAGE } }, (ctx) =>
      ok(messages.botEdits(p(ctx, 0), p(ctx, 1), body(ctx), ctx.files))),
    route('DELETE', '/channels/:id/messages/:id', { path: '/channels/{channel_id}/messages/{message_id}', responses: { 204: null } }, (ctx) =>
      (messages.deleteMessage(p(ctx, 1), p(ctx, 0)), noContent())),
    route('POST', '/channels/:id/messages/:id/threads', { path: '/channels/{channel_id}/messages/{message_id}/threads', request: 'CreateTextThreadWithMessageRequestSchema', responses: { 201: 'ThreadResponseSchema' } }, (ctx) =>
      created(threads.fromMessage(p(ctx, 0), p(ctx, 1), asObject(ctx.body)))),

    // Channel webhooks (webhooks.ts).
    route('GET', '/channels/:id/webhooks', { path: '/channels/{channel_id}/webhooks', responses: { 200: 'GuildIncomingWebhookResponseSchema[]' } }, (ctx) =>
      ok(world.webhooks.list(p(ctx, 0)))),
    route('POST', '/channels/:id/webhooks', { path: '/channels/{channel_id}/webhooks', request: 'CreateWebhookRequestSchema', responses: { 200: 'GuildIncomingWebhookResponseSchema' } }, (ctx) =>
      ok(world.webhooks.create(p(ctx, 0), asObject(ctx.body)))),

    // Guild.
    route('GET', '/guilds/:id/threads/active', { path: '/guilds/{guild_id}/threads/active', responses: { 200: 'ThreadsResponseSchema' } }, (ctx) =>
      ok(threads.active(guildScope(ctx, 0)))),

    // Interactions and their webhooks (no bot token: the interaction token is the credential).
    route('POST', '/interactions/:id/:token/callback', { path: '/interactions/{interaction_id}/{interaction_token}/callback', request: CALLBACK_REQUEST, responses: { 200: 'InteractionCallbackResponseSchema', 204: null } }, (ctx) => {
      const withResponse = ctx.query.get('with_response') === 'true';
      const response = interactions.callback(p(ctx, 0), p(ctx, 1), ctx.body, ctx.files, withResponse);
      return withResponse ? ok(response) : noContent();
    }),
    route('POST', '/webhooks/:id/:token', { path: '/webhooks/{webhook_id}/{webhook_token}', request: 'IncomingWebhookRequestPartialSchema', responses: { 200: MESSAGE, 204: null } }, (ctx) => {
      // A channel webhook (webhooks.ts), or an interaction's, whose id is the application's.
      const message = world.webhooks.has(p(ctx, 0))
        ? world.webhooks.execute(p(ctx, 0), p(ctx, 1), body(ctx), ctx.files, ctx.query.get('thread_id'))
        : interactions.execute(p(ctx, 0), p(ctx, 1), body(ctx), ctx.files);
      return ctx.query.get('wait') === 'false' ? noContent() : ok(message);
    }),
    route('GET', '/webhooks/:id/:token/messages/:any', { path: '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}', responses: { 200: MESSAGE } }, (ctx) =>
      ok(interactions.get(p(ctx, 0), p(ctx, 1), p(ctx, 2)))),
    route('PATCH', '/webhooks/:id/:token/messages/:any', { path: '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}', request: 'IncomingWebhookUpdateRequestPartialSchema', responses: { 200: MESSAGE } }, (ctx) =>
      ok(interactions.edit(p(ctx, 0), p(ctx, 1), p(ctx, 2), body(ctx), ctx.files))),

    // Guild scheduled events (scheduled-events.ts).
    ...scheduledEventRoutes(world, route, guildScope),
    // Who the bot is, its application's flags, deployed commands, roles and members (app-routes.ts).
    ...appRoutes(world, route, guildScope),
  ];
}
