import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.ts';
import { ApiError } from './errors.ts';
import { applyDelays, matches, type DelayRule } from './limits.ts';
import type { UploadedFile } from './model.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import type { RateLimitDecision, RateLimiter } from './ratelimit.ts';
import { createRoutes, type Result, type Route } from './routes.ts';
import type { World } from './state.ts';

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

/** A 429 is the route's (scope user, the default), a resource's shared limit (`shared`), or the global one. */
export type FailResponse = { status: 429; retryAfter: number; global?: boolean; shared?: boolean } | { status: 500 };

export interface FailRule {
  match: { method?: string; path: RegExp };
  response: FailResponse;
}

/** One REST exchange, for a checker (tests check it against Discord's published schema). */
export interface Exchange {
  method: string;
  path: string;
  /** The route that served it; undefined for an unknown route. */
  route: Route | undefined;
  /** The parsed JSON body (for multipart, payload_json), undefined when there was none. */
  requestBody: unknown;
  status: number;
  /** The JSON body sent back, undefined for none. */
  responseBody: unknown;
}

export interface RestOptions {
  world: World;
  clock: Clock;
  /** The body of GET /gateway/bot. */
  gatewayBot(): unknown;
  requests: RecordedRequest[];
  failures: FailRule[];
  /** Slow-Discord rules (sandbox.delay). */
  delays: DelayRule[];
  /** Discord's rate limits: per-route buckets and the global limit. */
  limiter: RateLimiter;
  /** Files of one request together may weigh this much; more is 413 (40005). */
  maxUploadBytes: number;
  log(message: string): void;
  /** Sees every exchange once its response is decided (the sandbox's schema checks). */
  onExchange?: (exchange: Exchange) => void;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The REST side of the sandbox: a router over node's http with Discord's headers and errors. */
export function createRestHandler(options: RestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { world } = options;
  const routes = createRoutes(world, options.gatewayBot);

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
      const file = world.messages.hostedFiles.get(hosted[1]!);
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
    const needsAuth = !(path.startsWith('/interactions/') || path.startsWith('/webhooks/'));
    const auth = String(req.headers.authorization ?? '');
    const authorized = auth === `Bot ${world.dir.token}`;
    // Counted on arrival; interaction endpoints and requests without the bot token escape the global limit.
    const limited: RateLimitDecision = match && (authorized || !needsAuth) ? options.limiter.take(method, template, path, needsAuth) : { headers: {} };
    const headers: Record<string, string> = { ...limited.headers };

    let result: Result;
    const failure = limited.refused ? -1 : options.failures.findIndex((rule) => matches(rule, method, path));
    const uploaded = files.reduce((sum, f) => sum + f.size, 0);
    await applyDelays(options.delays, method, path);

    if (!match) {
      result = { status: 404, body: { message: 'Unknown route (sandbox)', code: 0 } };
    } else if (needsAuth && !authorized) {
      result = { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    } else if (limited.refused) {
      result = { status: 429, body: limited.refused.body };
      options.log(`rest: ${method} ${path} -> 429 (${limited.refused.scope} rate limit)`);
    } else if (failure !== -1) {
      const rule = options.failures.splice(failure, 1)[0] as FailRule;
      if (rule.response.status === 429) {
        const { retryAfter } = rule.response;
        const global = rule.response.global === true;
        headers['retry-after'] = String(retryAfter);
        headers['x-ratelimit-scope'] = global ? 'global' : rule.response.shared === true ? 'shared' : 'user';
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
    options.onExchange?.({ method, path, route: found, requestBody: body, status: recorded.status, responseBody: result.status === 204 ? undefined : result.body });
    options.log(`rest: ${method} ${path} -> ${recorded.status}`);
    if (result.lost) return void res.socket?.destroy();
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
