import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.ts';
import { applyDelays, matches, type DelayRule } from './limits.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { ApiError, type MessageBody, type UploadedFile, type World } from './state.ts';

/** One REST request the bot made, as the sandbox saw it. */
export interface RecordedRequest {
  method: string;
  /** The path without /api/v10, e.g. '/channels/123/messages'. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or for multipart requests the parsed payload_json. */
  body: unknown;
  /** Files of a multipart request (name and size only). */
  files?: UploadedFile[];
  /** The X-Audit-Log-Reason header, when given. */
  reason?: string;
  at: Date;
  status: number;
}

export type FailResponse = { status: 429; retryAfter: number; global?: boolean } | { status: 500 };

export interface FailRule {
  match: { method?: string; path: RegExp };
  response: FailResponse;
}

interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

interface Result {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  template: string;
  handle(ctx: RouteContext): Result;
}

export interface RestOptions {
  world: World;
  clock: Clock;
  gatewayUrl(): string;
  requests: RecordedRequest[];
  failures: FailRule[];
  /** Slow-Discord rules (sandbox.delay). */
  delays: DelayRule[];
  /** Files of one request together may weigh this much; more is 413 (40005). */
  maxUploadBytes: number;
  log(message: string): void;
}

const ok = (body: unknown): Result => ({ status: 200, body });
const noContent = (): Result => ({ status: 204 });
const ID = '(\\d+)';
const TOKEN = '([^/]+)';

function route(method: string, template: string, handle: (ctx: RouteContext) => Result): Route {
  const source = template
    .split('/')
    .map((part) => (part === ':id' ? ID : part === ':token' ? TOKEN : part === ':any' ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\@]/g, '\\$&')))
    .join('/');
  return { method, template, pattern: new RegExp(`^${source}$`), handle };
}

function p(ctx: RouteContext, i: number): string {
  return ctx.params[i] ?? '';
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** The REST side of the sandbox: a router over node's http with Discord's headers and errors. */
export function createRestHandler(options: RestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { world } = options;
  const guildScope = (ctx: RouteContext, i: number): string => {
    const guildId = p(ctx, i);
    world.checkGuild(guildId);
    return guildId;
  };
  const checkApp = (ctx: RouteContext): void => {
    if (p(ctx, 0) !== world.applicationId) throw new ApiError(404, 10002, 'Unknown Application');
  };

  const routes: Route[] = [
    route('GET', '/gateway/bot', () =>
      ok({
        url: options.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      }),
    ),
    route('GET', '/gateway', () => ok({ url: options.gatewayUrl() })),
    route('GET', '/users/@me', () => ok(world.user(world.botUser.id))),
    route('GET', '/users/:id', (ctx) => {
      const user = world.user(p(ctx, 0));
      if (!user) throw new ApiError(404, 10013, 'Unknown User');
      return ok(user);
    }),
    route('GET', '/applications/@me', () => ok(world.applicationPayload())),
    route('GET', '/oauth2/applications/@me', () => ok(world.applicationPayload())),

    // Application commands, global and guild.
    route('GET', '/applications/:id/commands', (ctx) => (checkApp(ctx), ok(world.commandList(null)))),
    route('PUT', '/applications/:id/commands', (ctx) => (checkApp(ctx), ok(world.overwriteCommands(null, ctx.body)))),
    route('POST', '/applications/:id/commands', (ctx) => (checkApp(ctx), { status: 201, body: world.upsertCommand(null, ctx.body) })),
    route('GET', '/applications/:id/commands/:id', (ctx) => (checkApp(ctx), ok(world.getCommand(null, p(ctx, 1))))),
    route('PATCH', '/applications/:id/commands/:id', (ctx) => (checkApp(ctx), ok(world.editCommand(null, p(ctx, 1), asObject(ctx.body))))),
    route('DELETE', '/applications/:id/commands/:id', (ctx) => (checkApp(ctx), world.deleteCommand(null, p(ctx, 1)), noContent())),
    route('GET', '/applications/:id/guilds/:id/commands', (ctx) => (checkApp(ctx), ok(world.commandList(guildScope(ctx, 1))))),
    route('PUT', '/applications/:id/guilds/:id/commands', (ctx) => (checkApp(ctx), ok(world.overwriteCommands(guildScope(ctx, 1), ctx.body)))),
    route('POST', '/applications/:id/guilds/:id/commands', (ctx) => (checkApp(ctx), { status: 201, body: world.upsertCommand(guildScope(ctx, 1), ctx.body) })),
    route('GET', '/applications/:id/guilds/:id/commands/:id', (ctx) => (checkApp(ctx), ok(world.getCommand(guildScope(ctx, 1), p(ctx, 2))))),
    route('PATCH', '/applications/:id/guilds/:id/commands/:id', (ctx) =>
      (checkApp(ctx), ok(world.editCommand(guildScope(ctx, 1), p(ctx, 2), asObject(ctx.body))))),
    route('DELETE', '/applications/:id/guilds/:id/commands/:id', (ctx) =>
      (checkApp(ctx), world.deleteCommand(guildScope(ctx, 1), p(ctx, 2)), noContent())),

    // Channels and messages.
    route('GET', '/channels/:id', (ctx) => {
      const channel = world.channel(p(ctx, 0));
      if (!channel) throw new ApiError(404, 10003, 'Unknown Channel');
      return ok(channel);
    }),
    route('PATCH', '/channels/:id', (ctx) => ok(world.modifyChannel(p(ctx, 0), asObject(ctx.body)))),
    route('GET', '/channels/:id/messages', (ctx) => ok(world.listMessages(p(ctx, 0), ctx.query))),
    route('POST', '/channels/:id/messages', (ctx) => ok(world.botPosts(p(ctx, 0), asObject(ctx.body) as MessageBody, ctx.files))),
    route('POST', '/channels/:id/messages/bulk-delete', (ctx) => {
      const ids = asObject(ctx.body).messages;
      world.bulkDelete(p(ctx, 0), Array.isArray(ids) ? ids.map(String) : [], true);
      return noContent();
    }),
    route('GET', '/channels/:id/messages/:id', (ctx) => ok(world.getMessage(p(ctx, 0), p(ctx, 1)))),
    route('PATCH', '/channels/:id/messages/:id', (ctx) =>
      ok(world.botEdits(p(ctx, 0), p(ctx, 1), asObject(ctx.body) as MessageBody, ctx.files))),
    route('DELETE', '/channels/:id/messages/:id', (ctx) => (world.deleteMessage(p(ctx, 1), p(ctx, 0)), noContent())),
    route('PUT', '/channels/:id/messages/:id/reactions/:any/@me', (ctx) =>
      (world.botReacts(p(ctx, 0), p(ctx, 1), p(ctx, 2), true), noContent())),
    route('DELETE', '/channels/:id/messages/:id/reactions/:any/@me', (ctx) =>
      (world.botReacts(p(ctx, 0), p(ctx, 1), p(ctx, 2), false), noContent())),
    route('POST', '/channels/:id/typing', (ctx) => (world.requireChannel(p(ctx, 0)), noContent())),
    route('POST', '/channels/:id/messages/:id/threads', (ctx) =>
      ({ status: 201, body: world.threadFromMessage(p(ctx, 0), p(ctx, 1), asObject(ctx.body)) })),
    route('POST', '/channels/:id/threads', (ctx) => ({ status: 201, body: world.threadWithoutMessage(p(ctx, 0), asObject(ctx.body)) })),
    route('PUT', '/channels/:id/thread-members/@me', (ctx) => (world.requireChannel(p(ctx, 0)), noContent())),
    route('DELETE', '/channels/:id/thread-members/@me', (ctx) => (world.requireChannel(p(ctx, 0)), noContent())),
    route('GET', '/channels/:id/threads/archived/public', (ctx) => {
      world.requireChannel(p(ctx, 0));
      const threads = world.threads().filter((t) => t.parent_id === p(ctx, 0) && t.type === 11 && t.thread_metadata?.archived);
      return ok({ threads, members: [], has_more: false });
    }),

    // Guild.
    route('GET', '/guilds/:id', (ctx) => ok(world.guildPayload(guildScope(ctx, 0)))),
    route('GET', '/guilds/:id/channels', (ctx) => ok(world.guildChannels(guildScope(ctx, 0)))),
    route('GET', '/guilds/:id/roles', (ctx) => ok(world.rolesList(guildScope(ctx, 0)))),
    route('GET', '/guilds/:id/members', (ctx) => {
      guildScope(ctx, 0);
      const limit = Math.min(1000, Math.max(1, Number(ctx.query.get('limit') ?? 1)));
      const after = ctx.query.get('after') ?? '0';
      const members = world.membersList().filter((m) => BigInt(m.user.id) > BigInt(after)).slice(0, limit);
      return ok(members);
    }),
    route('GET', '/guilds/:id/members/:id', (ctx) => {
      guildScope(ctx, 0);
      if (!world.user(p(ctx, 1))) throw new ApiError(404, 10007, 'Unknown Member');
      return ok(world.memberPayload(p(ctx, 1)));
    }),
    route('GET', '/guilds/:id/threads/active', (ctx) => (guildScope(ctx, 0), ok(world.activeThreads()))),

    // Interactions and their webhooks.
    route('POST', '/interactions/:id/:token/callback', (ctx) => {
      const withResponse = ctx.query.get('with_response') === 'true';
      const response = world.interactionCallback(p(ctx, 0), p(ctx, 1), ctx.body, ctx.files, withResponse);
      return withResponse ? ok(response) : noContent();
    }),
    route('POST', '/webhooks/:id/:token', (ctx) => {
      const message = world.webhookExecute(p(ctx, 0), p(ctx, 1), asObject(ctx.body) as MessageBody, ctx.files);
      return ctx.query.get('wait') === 'false' ? noContent() : ok(message);
    }),
    route('GET', '/webhooks/:id/:token/messages/:any', (ctx) => ok(world.webhookGet(p(ctx, 0), p(ctx, 1), p(ctx, 2)))),
    route('PATCH', '/webhooks/:id/:token/messages/:any', (ctx) =>
      ok(world.webhookEdit(p(ctx, 0), p(ctx, 1), p(ctx, 2), asObject(ctx.body) as MessageBody, ctx.files))),
    route('DELETE', '/webhooks/:id/:token/messages/:any', (ctx) =>
      (world.webhookDelete(p(ctx, 0), p(ctx, 1), p(ctx, 2)), noContent())),
  ];

  const bucketOf = (method: string, template: string): string =>
    createHash('sha1').update(`${method} ${template}`).digest('hex').slice(0, 32);

  const send = (res: ServerResponse, result: Result, headers: Record<string, string>): void => {
    if (result.status === 204 || result.body === undefined) {
      res.writeHead(result.status === 200 ? 204 : result.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(result.body);
    res.writeHead(result.status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const match = /^\/api(?:\/v(\d+))?(\/.*)?$/.exec(url.pathname);
    // Segments are decoded: discord.js sends '@original' as '%40original' and emojis percent-encoded.
    const path = (match ? (match[2] ?? '/') : url.pathname).split('/').map(safeDecode).join('/');
    const query = Object.fromEntries(url.searchParams.entries());
    const hosted = !match && method === 'GET' ? /^\/attachments\/(\d+)\//.exec(path) : null;
    if (hosted) {
      const file = world.hostedFiles.get(hosted[1]!);
      res.writeHead(file ? 200 : 404, { 'content-type': file?.contentType ?? 'text/plain', 'content-length': String(file?.content.length ?? 9) });
      res.end(file?.content ?? 'not found');
      return;
    }

    let body: unknown = undefined;
    let files: UploadedFile[] = [];
    let parseError: ApiError | null = null;
    const contentType = String(req.headers['content-type'] ?? '');
    try {
      if (raw.length > 0 && contentType.startsWith('multipart/form-data')) {
        const boundary = boundaryOf(contentType);
        const parts = boundary ? parseMultipart(raw, boundary) : [];
        const payload = parts.find((part) => part.name === 'payload_json');
        body = payload ? JSON.parse(payload.data.toString('utf8')) : {};
        files = parts
          .filter((part) => part.filename !== undefined)
          .map((part) => ({
            field: part.name,
            name: part.filename as string,
            size: part.data.length,
            ...(part.contentType ? { contentType: part.contentType } : {}),
          }));
      } else if (raw.length > 0) {
        body = JSON.parse(raw.toString('utf8'));
      }
    } catch {
      parseError = new ApiError(400, 50109, 'The request body contains invalid JSON.');
    }

    const reasonHeader = req.headers['x-audit-log-reason'];
    const recorded: RecordedRequest = { method, path, query, body, at: options.clock.now(), status: 0 };
    if (files.length > 0) recorded.files = files;
    if (typeof reasonHeader === 'string') recorded.reason = decodeURIComponent(reasonHeader);

    const found = routes.find((r) => r.method === method && r.pattern.test(path));
    const template = found?.template ?? path;
    const nowSec = Date.now() / 1000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': '50',
      'x-ratelimit-remaining': '49',
      'x-ratelimit-reset': (nowSec + 1).toFixed(3),
      'x-ratelimit-reset-after': '1.000',
      'x-ratelimit-bucket': bucketOf(method, template),
    };

    let result: Result;
    const needsAuth = !(path.startsWith('/interactions/') || path.startsWith('/webhooks/'));
    const auth = String(req.headers.authorization ?? '');
    const failure = options.failures.findIndex((rule) => matches(rule, method, path));
    const uploaded = files.reduce((sum, f) => sum + f.size, 0);
    await applyDelays(options.delays, method, path);

    if (!match) {
      result = { status: 404, body: { message: 'Unknown route (sandbox)', code: 0 } };
    } else if (needsAuth && auth !== `Bot ${world.token}`) {
      result = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    } else if (failure !== -1) {
      const rule = options.failures.splice(failure, 1)[0] as FailRule;
      if (rule.response.status === 429) {
        const { retryAfter } = rule.response;
        const global = rule.response.global === true;
        headers['retry-after'] = String(retryAfter);
        headers['x-ratelimit-scope'] = global ? 'global' : 'user';
        if (global) {
          headers['x-ratelimit-global'] = 'true';
        } else {
          headers['x-ratelimit-remaining'] = '0';
          headers['x-ratelimit-reset'] = (nowSec + retryAfter).toFixed(3);
          headers['x-ratelimit-reset-after'] = retryAfter.toFixed(3);
        }
        result = { status: 429, body: { message: 'You are being rate limited.', retry_after: retryAfter, global, code: 0 } };
      } else {
        result = { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
      }
      options.log(`rest: ${method} ${path} -> injected ${result.status}`);
    } else if (parseError) {
      result = { status: parseError.status, body: parseError.toJSON() };
    } else if (uploaded > options.maxUploadBytes) {
      // Discord: the files of one message together may not exceed the upload limit.
      result = { status: 413, body: { message: 'Request entity too large', code: 40005 } };
    } else if (!found) {
      result = { status: 404, body: { message: 'Unknown route (sandbox)', code: 0 } };
      options.log(`rest: unknown route ${method} ${path}`);
    } else {
      try {
        const params = (found.pattern.exec(path) ?? []).slice(1).map((s) => s ?? '');
        result = found.handle({ params, query: url.searchParams, body, files });
      } catch (error) {
        if (error instanceof ApiError) {
          result = { status: error.status, body: error.toJSON() };
        } else {
          options.log(`rest: ${method} ${path} failed: ${error instanceof Error ? error.stack : String(error)}`);
          result = { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
        }
      }
    }
    recorded.status = result.status === 200 && result.body === undefined ? 204 : result.status;
    options.requests.push(recorded);
    options.log(`rest: ${method} ${path} -> ${recorded.status}`);
    send(res, result, headers);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log(`rest: internal error ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: '500: Internal Server Error', code: 0 }));
    });
  };
}
