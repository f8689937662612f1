/** The REST routes of guild scheduled events (see scheduled-events.ts), with their OpenAPI schemas. */
import type { Result, Route, RouteContext, RouteSpec } from './routes.ts';
import type { World } from './state.ts';

type MakeRoute = (method: string, template: string, spec: RouteSpec, handle: (ctx: RouteContext) => Result) => Route;

const KINDS = ['External', 'Stage', 'Voice'];
const EVENT = KINDS.map((k) => `${k}ScheduledEventResponseSchema`).join(' | ');
/** A guild's list may mix kinds: the generic schema covers a mixed one. */
const EVENTS = [...KINDS.map((k) => `${k}ScheduledEventResponseSchema[]`), 'ScheduledEventResponseSchema[]'].join(' | ');
const CREATE = KINDS.map((k) => `${k}ScheduledEventCreateRequestSchema`).join(' | ');
const PATCH = KINDS.map((k) => `${k}ScheduledEventPatchRequestPartialSchema`).join(' | ');
const PATH = '/guilds/{guild_id}/scheduled-events';
const ONE = `${PATH}/{guild_scheduled_event_id}`;

function asObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

export function scheduledEventRoutes(world: World, route: MakeRoute, guildScope: (ctx: RouteContext, i: number) => string): Route[] {
  const events = world.scheduledEvents;
  const withCount = (ctx: RouteContext) => ctx.query.get('with_user_count') === 'true';
  const id = (ctx: RouteContext) => ctx.params[1] ?? '';
  return [
    route('GET', '/guilds/:id/scheduled-events', { path: PATH, responses: { 200: EVENTS } }, (ctx) =>
      ({ status: 200, body: events.list(guildScope(ctx, 0), withCount(ctx)) })),
    route('POST', '/guilds/:id/scheduled-events', { path: PATH, request: CREATE, responses: { 200: EVENT } }, (ctx) => {
      const { event, lost } = events.create(guildScope(ctx, 0), asObject(ctx.body));
      return { status: 200, body: event, lost };
    }),
    route('GET', '/guilds/:id/scheduled-events/:id', { path: ONE, responses: { 200: EVENT } }, (ctx) =>
      ({ status: 200, body: events.get(guildScope(ctx, 0), id(ctx), withCount(ctx)) })),
    route('PATCH', '/guilds/:id/scheduled-events/:id', { path: ONE, request: PATCH, responses: { 200: EVENT } }, (ctx) =>
      ({ status: 200, body: events.modify(guildScope(ctx, 0), id(ctx), asObject(ctx.body)) })),
    route('DELETE', '/guilds/:id/scheduled-events/:id', { path: ONE, responses: { 204: null } }, (ctx) =>
      (events.delete(guildScope(ctx, 0), id(ctx)), { status: 204 })),
    route('GET', '/guilds/:id/scheduled-events/:id/users', { path: `${ONE}/users`, responses: { 200: 'ScheduledEventUserResponseSchema[]' } }, (ctx) =>
      ({ status: 200, body: events.users(guildScope(ctx, 0), id(ctx), ctx.query) })),
  ];
}
