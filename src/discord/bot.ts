import { Events, type Client } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Logger } from '../logger.ts';
import type { LiveSessions } from '../live/index.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { backfill } from './backfill.ts';
import { createDiscordClient } from './client.ts';
import { loadCommands } from './commands/index.ts';
import { loginAllowingIntents } from './intents.ts';
import { registerInteractions } from './interactions.ts';
import { LiveGate, registerListeners } from './listeners.ts';
import { registerReactionListeners } from './reactions.ts';
import { DiscordPlatform } from './platform.ts';
import { RecapQueue } from './recaps.ts';
import { ConnectTimeout, explainStartFailure } from './start-error.ts';
import { ShutdownSteps } from '../shutdown.ts';
import { watchClient, type DiscordTelemetry } from './telemetry.ts';

export interface DiscordAdapterOptions {
  /** Discord's REST base; the sandbox's for tests and the demo. */
  apiBase?: string | undefined;
  store: StorePort;
  clock: Clock;
  log: Logger;
  /** Who this process claims recaps as (the engine's owner). */
  owner: string;
  /** The guilds this process runs: those of these shards (default: every guild). */
  owns?: ShardSet | null;
  /** How often recaps nobody posted are looked for (default RECAP_SWEEP_MS). */
  recapSweepMs?: number | undefined;
  /** Ask for the Message Content intent (default true; MESSAGE_CONTENT=off: false). */
  messageContent?: boolean | undefined;
  /** Where 429s, reconnects and answers given by button or command are counted (src/ops; default nowhere). */
  telemetry?: DiscordTelemetry | undefined;
}

export interface ConnectOptions {
  token: string;
  /** How long logging in and getting the gateway ready may take (default 15 s). */
  connectTimeoutMs?: number | undefined;
}

export const CONNECT_TIMEOUT_MS = 15_000;
/**
 * How long an in-process stop() (tests, the demo) lets the engine finish the post in flight
 * and the recaps go out before it destroys the client anyway: with Discord unreachable a
 * REST call can hang for a minute. `npm start` bounds its whole shutdown itself (main.ts).
 */
export const STOP_GRACE_MS = 3_000;

/**
 * The Discord adapter, assembled: the discord.js client, the ChatPlatform that posts through
 * it, and — once connected to the live sessions — the message listeners, the slash
 * commands, the catch-up (backfill) on start-up and every reconnect, and the recap posts.
 * It does not create the live sessions: src/app.ts does, and hands them to connect().
 */
export interface DiscordAdapter {
  client: Client;
  platform: DiscordPlatform;
  /**
   * Posts the recap of a session that closed, after the recaps queued before it; recaps that
   * nobody posted (a process killed at the close) are caught up on from start-up on.
   */
  postRecap(session: Session): void;
  /** Recaps being posted for sessions that closed. */
  recapsPosted(): Promise<void>;
  /** The latest backfill (start-up or reconnect), for whoever wants to wait for it. */
  lastBackfill(): Promise<number>;
  /**
   * Wires listeners and slash commands to the live sessions, logs in, and — once the gateway
   * is ready — catches up with the messages posted meanwhile. Bounded: a Discord that
   * refuses, or never answers, is one DiscordStartError after at most connectTimeoutMs, and
   * the client is let go.
   */
  connect(live: Pick<LiveSessions, 'ingest' | 'controls' | 'engine'>, options: ConnectOptions): Promise<void>;
  /**
   * Stops the recap sweeps, waits for `work` (the engine finishing its posts in flight) and
   * the recaps queued, then closes the gateway: named steps of `steps` (by default bounded
   * by STOP_GRACE_MS and a second for the gateway).
   */
  stop(work: Promise<unknown>, steps?: ShutdownSteps): Promise<void>;
}

export function createDiscordAdapter({ apiBase, store, clock, log, owner, owns = null, recapSweepMs, messageContent = true, telemetry }: DiscordAdapterOptions): DiscordAdapter {
  const client = createDiscordClient({ apiBase, shards: owns, messageContent });
  if (telemetry) watchClient(client, telemetry);
  const platform = new DiscordPlatform(client, log);
  const recaps = new RecapQueue({ client, store, clock, log, owner, owns, ...(recapSweepMs ? { sweepMs: recapSweepMs } : {}) });
  let catchingUp: Promise<number> = Promise.resolve(0);

  const connect = async (live: Pick<LiveSessions, 'ingest' | 'controls' | 'engine'>, { token, connectTimeoutMs = CONNECT_TIMEOUT_MS }: ConnectOptions) => {
    // Live events wait while the bot catches up (see LiveGate): from start-up, and from every
    // lost connection, until the backfill that follows is done.
    const gate = new LiveGate();
    let sinceDisconnect: (() => void) | null = gate.hold();
    const order = registerListeners(client, { store, ingest: live.ingest, clock, log }, gate);
    registerReactionListeners(client, { store, log, order });
    registerInteractions(client, await loadCommands(), { store, controls: live.controls, clock, log, changed: () => live.engine.kick(), corrected: (id) => live.ingest.corrected(id), telemetry });

    const catchUp = (why: string) => {
      const release = gate.hold();
      const reconnected = sinceDisconnect;
      sinceDisconnect = null;
      catchingUp = catchingUp
        .then(() => backfill(client, { store, ingest: live.ingest, clock, log, owns }))
        .catch((err: unknown) => {
          log.error({ err, why }, 'backfill failed');
          return 0;
        })
        .finally(() => {
          release();
          reconnected?.();
        });
      return catchingUp;
    };
    client.on(Events.ShardReconnecting, () => {
      sinceDisconnect ??= gate.hold();
    });
    client.on(Events.ShardResume, () => void catchUp('gateway resumed'));
    client.on(Events.ShardReady, () => void catchUp('gateway ready'));
    client.on(Events.ShardDisconnect, (event) => log.warn({ code: event.code }, 'gateway disconnected'));
    client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
    client.on(Events.Warn, (message) => log.warn({ message }, 'discord client warning'));

    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        loginAllowingIntents(client, token, log).then(() => ready),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new ConnectTimeout()), connectTimeoutMs);
        }),
      ]);
    } catch (err) {
      void withinMs(client.destroy(), 1000);
      throw explainStartFailure(err, apiBase, connectTimeoutMs);
    } finally {
      clearTimeout(timeout);
    }
    log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'connected to Discord');
    await catchUp('start-up');
    // Recaps nobody posted (a process killed at the close): once the messages are in.
    recaps.start();
  };

  return {
    client,
    platform,
    postRecap: (session) => void recaps.post(session),
    recapsPosted: () => recaps.idle(),
    lastBackfill: () => catchingUp,
    connect,
    // Each wait is a named step: a shutdown that runs out of time says which post, which
    // recap, or the gateway it was still waiting for (a Discord that stopped answering).
    stop: async (work, steps = new ShutdownSteps({ limitMs: STOP_GRACE_MS + 1000, log })) => {
      recaps.stop();
      const posts = () => platform.postsInFlight().map((p) => `post in flight: ${p}`);
      await steps.run(() => (posts().length > 0 ? posts() : ['the session engine finishing its cycle']), () => work);
      await steps.run(() => recaps.pending().map((id) => `recap of session ${id}`).concat(recaps.pending().length > 0 ? [] : ['recaps']), () => recaps.idle());
      await steps.run('gateway', () => client.destroy());
    },
  };
}

/** Waits for work, but no longer than ms (real time: shutting down is about the process, not the schedule). */
async function withinMs(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
