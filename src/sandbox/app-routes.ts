/**
 * The REST routes that say who the bot is and what it may do, as `emcee doctor` asks them:
 * the bot user, the application (its flags: which privileged intents are enabled), the
 * deployed commands, a guild's roles and one member. A wrong token gets 401 before any of
 * these runs (rest.ts).
 */
import { ApplicationFlags, Locale } from 'discord-api-types/v10';
import { ApiError } from './errors.ts';
import { clone } from './model.ts';
import type { Result, Route, RouteContext, RouteSpec } from './routes.ts';
import type { World } from './state.ts';

type MakeRoute = (method: string, template: string, spec: RouteSpec, handle: (ctx: RouteContext) => Result) => Route;

export interface ApplicationIntents {
  messageContent?: boolean;
  guildMembers?: boolean;
  guildPresences?: boolean;
}

/**
 * The application flags Discord reports for these enabled privileged intents: an unverified
 * application (under 100 servers) gets the _LIMITED flags when the switch is on in the
 * Developer Portal, a verified one the plain flags once Discord approved the intent.
 */
export function applicationFlagsFor(enabled: ApplicationIntents = {}, verified = false): number {
  const F = ApplicationFlags;
  return (enabled.messageContent === false ? 0 : verified ? F.GatewayMessageContent : F.GatewayMessageContentLimited)
    | (enabled.guildMembers === false ? 0 : verified ? F.GatewayGuildMembers : F.GatewayGuildMembersLimited)
    | (enabled.guildPresences === false ? 0 : verified ? F.GatewayPresence : F.GatewayPresenceLimited);
}

export function appRoutes(world: World, route: MakeRoute, guildScope: (ctx: RouteContext, i: number) => string): Route[] {
  const { dir, commands } = world;
  const checkApp = (ctx: RouteContext): void => {
    if ((ctx.params[0] ?? '') !== dir.applicationId) throw new ApiError(404, 10002, 'Unknown Application');
  };
  const ok = (body: unknown): Result => ({ status: 200, body });
  const withLocalizations = (ctx: RouteContext) => ctx.query.get('with_localizations') === 'true';
  const COMMANDS = { 200: 'ApplicationCommandResponseSchema[]' };
  return [
    route('GET', '/users/@me', { path: '/users/@me', responses: { 200: 'UserPIIResponseSchema' } }, () =>
      ok({ ...clone(dir.botUser), verified: true, mfa_enabled: false, email: null, locale: Locale.EnglishUS })),
    route('GET', '/applications/@me', { path: '/applications/@me', responses: { 200: 'PrivateApplicationResponseSchema' } }, () => ok({
      id: dir.applicationId,
      name: dir.botUser.username,
      icon: null,
      description: '',
      type: null,
      flags: dir.applicationFlags,
      flags_new: String(dir.applicationFlags),
      bot: clone(dir.botUser),
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      redirect_uris: [],
      interactions_endpoint_url: null,
      role_connections_verification_url: null,
      owner: clone(dir.owner),
      approximate_guild_count: dir.guildIds().length,
      approximate_user_install_count: 0,
      approximate_user_authorization_count: 0,
      explicit_content_filter: 0,
      team: null,
      eligible_oauth2_scopes: ['bot', 'applications.commands'],
    })),
    route('GET', '/applications/:id/commands', { path: '/applications/{application_id}/commands', responses: COMMANDS }, (ctx) =>
      (checkApp(ctx), ok(commands.list(null, withLocalizations(ctx))))),
    route('GET', '/applications/:id/guilds/:id/commands', { path: '/applications/{application_id}/guilds/{guild_id}/commands', responses: COMMANDS }, (ctx) =>
      (checkApp(ctx), ok(commands.list(guildScope(ctx, 1), withLocalizations(ctx))))),
    route('GET', '/guilds/:id/roles', { path: '/guilds/{guild_id}/roles', responses: { 200: 'GuildRoleResponseSchema[]' } }, (ctx) =>
      ok(dir.rolesList(guildScope(ctx, 0)))),
    route('GET', '/guilds/:id/members/:id', { path: '/guilds/{guild_id}/members/{user_id}', responses: { 200: 'GuildMemberResponseSchema' } }, (ctx) => {
      guildScope(ctx, 0);
      if (!dir.members.has(ctx.params[1] ?? '')) throw new ApiError(404, 10007, 'Unknown Member');
      return ok(dir.memberPayload(ctx.params[1]!));
    }),
  ];
}
