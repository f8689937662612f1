import { Events, Status, type Client } from 'discord.js';
import type { Telemetry } from '../live/telemetry.ts';

/**
 * What the adapter tells whoever counts (src/ops/metrics.ts), besides what the live sessions
 * do: Discord's 429s and the gateway's reconnects. And what a readiness check asks of the
 * client: which of its shards are not connected.
 */
export interface DiscordTelemetry extends Telemetry {
  /** A REST response with status 429, by its X-RateLimit-Scope (user, global, shared; else "unknown"). */
  rateLimited(scope: RateLimitScope): void;
  /** A shard's gateway connection closed and discord.js is connecting it again. */
  reconnecting(): void;
}

export type RateLimitScope = 'user' | 'global' | 'shared' | 'unknown';

const SCOPES: readonly string[] = ['user', 'global', 'shared'];

/** Counts the client's 429s and reconnects, from its creation on (log-in included). */
export function watchClient(client: Client, telemetry: DiscordTelemetry): void {
  // discord.js emits every REST response here (a 429 too, before it waits and retries).
  client.rest.on('response', (_request, response) => {
    // The event carries a clone of the response: its body is not read here, so let it go.
    const body = (response as { body?: { cancel?: () => Promise<void> } | null }).body;
    void body?.cancel?.().catch(() => {});
    if (response.status !== 429) return;
    const scope = response.headers.get('x-ratelimit-scope') ?? '';
    telemetry.rateLimited(SCOPES.includes(scope) ? scope as RateLimitScope : 'unknown');
  });
  // discord.js also says "reconnecting" when its own destroy() closes the sockets: not counted.
  client.on(Events.ShardReconnecting, () => {
    if (!destroyed(client)) telemetry.reconnecting();
  });
}

/** The client was let go (client.destroy(): shutting down); discord.js keeps the flag private. */
const destroyed = (client: Client): boolean => (client.ws as unknown as { destroyed?: boolean }).destroyed === true;

/**
 * What keeps the client's gateway from being ready, one line per shard ("shard 1: gateway
 * reconnecting"); none when every shard this process runs is connected. Before log-in has
 * created any shard, or once the client is let go: one line saying so.
 */
export function gatewayProblems(client: Client): string[] {
  if (destroyed(client)) return ['gateway: closed (Emcee is shutting down)'];
  const shards = [...client.ws.shards.values()];
  if (shards.length === 0) return ['gateway: not connected yet'];
  return shards.filter((s) => s.status !== Status.Ready).map((s) => `shard ${s.id}: gateway ${describeStatus(s.status)}`);
}

function describeStatus(status: Status): string {
  switch (status) {
    case Status.Connecting: return 'connecting';
    case Status.Reconnecting: return 'reconnecting';
    case Status.Resuming: return 'resuming';
    case Status.Identifying: return 'identifying';
    case Status.WaitingForGuilds: return 'waiting for guilds';
    case Status.Nearly: return 'nearly ready';
    case Status.Disconnected: return 'disconnected (will not reconnect)';
    case Status.Idle: return 'not connected';
    default: return 'not connected';
  }
}
