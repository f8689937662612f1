/**
 * What `emcee doctor` asks Discord, over REST only (no gateway session, nothing written):
 * who the token belongs to, the application's flags, a channel, a guild's roles and one
 * member, and the deployed commands. Errors come back as a ProbeError with Discord's status
 * and code, or status 0 when Discord could not be reached.
 */
import { DiscordAPIError, HTTPError, REST, Routes } from 'discord.js';
import type { APIApplication, APIApplicationCommand, APIChannel, APIGuildMember, APIRole, APIUser } from 'discord-api-types/v10';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(readonly status: number, readonly code: number | string | null, message: string) {
    super(message);
  }
}

export interface DiscordProbe {
  /** GET /users/@me: the bot user the token belongs to. */
  me(): Promise<APIUser>;
  /** GET /applications/@me: the application, with its flags. */
  application(): Promise<APIApplication>;
  channel(channelId: string): Promise<APIChannel>;
  roles(guildId: string): Promise<APIRole[]>;
  member(guildId: string, userId: string): Promise<APIGuildMember>;
  /** The deployed commands: global, or one server's (with their localizations, as deploy-commands sent them). */
  commands(applicationId: string, guildId?: string): Promise<APIApplicationCommand[]>;
}

export interface ProbeOptions {
  token: string;
  /** Discord's API root (DISCORD_API_BASE; undefined: Discord's own). */
  apiBase: string | undefined;
  /** How long one request may take (default 10 s). */
  timeoutMs?: number;
}

export function discordProbe({ token, apiBase, timeoutMs = 10_000 }: ProbeOptions): DiscordProbe {
  const rest = new REST({ ...(apiBase ? { api: apiBase } : {}), timeout: timeoutMs, retries: 1 }).setToken(token);
  const get = async <T>(route: `/${string}`, query?: URLSearchParams): Promise<T> => {
    try {
      return (await rest.get(route, query ? { query } : {})) as T;
    } catch (err) {
      throw asProbeError(err);
    }
  };
  return {
    me: () => get(Routes.user('@me')),
    application: () => get(Routes.currentApplication()),
    channel: (id) => get(Routes.channel(id)),
    roles: (guildId) => get(Routes.guildRoles(guildId)),
    member: (guildId, userId) => get(Routes.guildMember(guildId, userId)),
    commands: (appId, guildId) => get(
      guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId),
      new URLSearchParams({ with_localizations: 'true' }),
    ),
  };
}

function asProbeError(err: unknown): ProbeError {
  if (err instanceof DiscordAPIError) return new ProbeError(err.status, err.code, err.message);
  if (err instanceof HTTPError) return new ProbeError(err.status, null, `${err.status} ${err.message}`);
  const e = err as Error & { cause?: { code?: string } };
  const why = e.name === 'AbortError' || /aborted|timeout/i.test(e.message) ? 'no answer in time' : (e.cause?.code ?? e.message);
  return new ProbeError(0, null, `Discord could not be reached (${why})`);
}
