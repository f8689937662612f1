/**
 * Checks REST exchanges against Discord's published OpenAPI spec, as zod schemas from the
 * `discord-api-spec` package (a devDependency: loaded only when a sandbox is started with
 * `validateSchemas`, which the tests do; `npm run demo` never loads it).
 *
 * What is checked (a design choice, see also routes.ts):
 * - every response: a success status must be one the route's spec lists, with a body matching
 *   its schema (or no body for 204); a 429 must match RatelimitedResponse and other errors
 *   Error (code and message; see checkExchange);
 * - the bot's request body, when the sandbox accepted the request (2xx): a body Discord's
 *   schema refuses must not be accepted by the sandbox. A request the sandbox refused already
 *   failed for the bot, as it would on Discord, so tests can still send bad bodies on purpose.
 * Objects are not strict: Discord adds fields, and so may discord.js.
 */
import { z } from 'zod';
import type { Exchange } from './rest.ts';

interface Parser {
  safeParse(value: unknown): { success: true } | { success: false; error: { issues: Issue[] } };
}
interface Issue {
  path: PropertyKey[];
  message: string;
}

type Spec = Record<string, unknown>;

let loading: Promise<Spec> | null = null;

/** The zod schemas of discord-api-spec/zod, loaded once. */
export function loadSpec(): Promise<Spec> {
  // A specifier in a variable: the package's "types" point at JavaScript, and the schemas are
  // looked up by name (routes.ts) anyway, so they are typed here as a plain record.
  const specifier = 'discord-api-spec/zod';
  loading ??= import(specifier).then((m: unknown) => ({ ...(m as Spec), ...INLINE_REQUESTS }));
  return loading;
}

/**
 * Request bodies the spec declares inline in an operation and exports no schema for, written
 * from that declaration (discord-api-spec's Paths, same fields and types).
 */
const INLINE_REQUESTS: Spec = {
  // Paths['/channels/{channel_id}/webhooks']['post']['requestBody']: { name: string; avatar?: string | null }
  CreateWebhookRequestSchema: z.object({ name: z.string(), avatar: z.string().nullish() }),
};

function isParser(value: unknown): value is Parser {
  return typeof value === 'object' && value !== null && typeof (value as Parser).safeParse === 'function';
}

/** Is `name` an export of discord-api-spec/zod (plain, `Name[]`, or `A | B` of such)? Returns the unknown names. */
export function unknownSchemas(spec: Spec, ref: string): string[] {
  return ref
    .split('|')
    .map((part) => part.trim().replace(/\[\]$/, ''))
    .filter((name) => !isParser(spec[name]));
}

function describe(issues: Issue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates `value` against a schema reference; returns what is wrong, or null. */
export function validate(spec: Spec, ref: string, value: unknown): string | null {
  const problems: string[] = [];
  for (const part of ref.split('|').map((s) => s.trim())) {
    const array = part.endsWith('[]');
    const parser = spec[array ? part.slice(0, -2) : part];
    if (!isParser(parser)) return `no schema ${part} in discord-api-spec/zod`;
    if (array && !Array.isArray(value)) {
      problems.push(`${part}: expected an array`);
      continue;
    }
    const items = array ? (value as unknown[]) : [value];
    const failed = items
      .map((item, i) => ({ i, result: parser.safeParse(item) }))
      .find(({ result }) => !result.success);
    if (!failed) return null;
    const { issues } = (failed.result as { success: false; error: { issues: Issue[] } }).error;
    problems.push(`${part}: ${array ? `[${failed.i}] ` : ''}${describe(issues)}`);
  }
  return problems.join(' | or ');
}

/**
 * Where Discord's published spec disagrees with the wire format Discord documents and accepts,
 * the value is adjusted before validation, narrowly and with the reason:
 * - ApplicationCommandUpdateRequest.default_member_permissions: the spec says integer; Discord's
 *   documentation (and discord-api-types, and discord.js) send the permission bit set as a
 *   decimal string, which Discord accepts. A decimal string is checked as that number.
 */
function adjustRequest(ref: string, body: unknown): unknown {
  if (!ref.startsWith('ApplicationCommandUpdateRequestSchema') || !Array.isArray(body)) return body;
  return body.map((command: unknown) => {
    if (!command || typeof command !== 'object') return command;
    const permissions = (command as { default_member_permissions?: unknown }).default_member_permissions;
    return typeof permissions === 'string' && /^\d+$/.test(permissions)
      ? { ...command, default_member_permissions: Number(permissions) }
      : command;
  });
}

/** What is wrong with one exchange, as one line each (empty when it agrees with Discord's spec). */
export function checkExchange(spec: Spec, exchange: Exchange): string[] {
  const { route, status, method } = exchange;
  if (!route) return [];
  const where = `${method} ${route.spec.path}`;
  const problems: string[] = [];
  const ok = status >= 200 && status < 300;
  if (ok && route.spec.request && exchange.requestBody !== undefined) {
    const wrong = validate(spec, route.spec.request, adjustRequest(route.spec.request, exchange.requestBody));
    if (wrong) problems.push(`${where}: the bot's request body does not match Discord's schema: ${wrong}`);
  }
  if (ok) {
    if (!(status in route.spec.responses)) {
      problems.push(`${where}: answered ${status}, which Discord's spec does not list for this route`);
      return problems;
    }
    const ref = route.spec.responses[status];
    if (ref === null || ref === undefined) {
      if (exchange.responseBody !== undefined) problems.push(`${where}: answered ${status} with a body; Discord sends none`);
    } else {
      const wrong = validate(spec, ref, exchange.responseBody);
      if (wrong) problems.push(`${where}: the sandbox's ${status} response does not match Discord's schema: ${wrong}`);
    }
  } else if (exchange.responseBody !== undefined) {
    // Errors are checked at the top level (code and message): the spec's ErrorDetails reuses
    // Error, with a numeric code, for the nested `_errors`, where Discord sends string codes
    // such as BASE_TYPE_REQUIRED (the example in Discord's own documentation), as the sandbox does.
    const ref = status === 429 ? 'RatelimitedResponseSchema' : 'ErrorSchema';
    const wrong = validate(spec, ref, exchange.responseBody);
    if (wrong) problems.push(`${where}: the sandbox's ${status} error does not match Discord's schema: ${wrong}`);
  }
  return problems;
}
