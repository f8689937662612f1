import { Events, type Client } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import { createLiveSessions, type LiveSessions } from '../live/index.ts';
import type { Timers } from '../live/timers.ts';
import type { StorePort } from '../store/port.ts';
import { backfill } from './backfill.ts';
import { postRecap } from './recap-post.ts';
import { createDiscordClient } from './client.ts';
import { loadCommands } from './commands/index.ts';
import { registerInteractions } from './interactions.ts';
import { LiveGate, registerListeners } from './listeners.ts';
import { DiscordPlatform } from './platform.ts';
import { ConnectTimeout, explainStartFailure } from './start-error.ts';

/** How often the bot checks whether another process (the CLI) changed the database. */
const EXTERNAL_CHANGE_POLL_MS = 1000;

export interface BotOptions {
  token: string;
  /** Discord's REST base; the sandbox's for tests and the demo. */
  apiBase?: string | undefined;
  store: StorePort;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** node-cron minute tick (default on). */
  minuteTick?: boolean;
  /** How long logging in and getting the gateway ready may take (default 15 s). */
  connectTimeoutMs?: number;
}

export const CONNECT_TIMEOUT_MS = 15_000;
/**
 * How long stop() lets the engine finish the post in flight and the recaps go out before it
 * destroys the client anyway: with Discord unreachable a REST call can hang for a minute.
 */
export const STOP_GRACE_MS = 3_000;

export interface RunningBot {
  client: Client;
  platform: DiscordPlatform;
  live: LiveSessions;
  /** The latest backfill (start-up or reconnect), for whoever wants to wait for it. */
  lastBackfill(): Promise<number>;
  /** Recaps being posted for sessions that closed. */
  recapsPosted(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Logs in, then — once the gateway is ready — reloads the sessions from the database,
 * catches up with the messages posted meanwhile, and runs the timetable. Every gateway
 * resume or re-identify triggers the catch-up again.
 */
export async function startBot({ token, apiBase, store, clock, timers, log, minuteTick = true, connectTimeoutMs = CONNECT_TIMEOUT_MS }: BotOptions): Promise<RunningBot> {
  const client = createDiscordClient({ apiBase });
  const platform = new DiscordPlatform(client, log);
  let recaps: Promise<void> = Promise.resolve();
  const live = createLiveSessions({
    store, platform, clock, timers, log, minuteTick,
    onSessionEnded: (session) => {
      recaps = recaps.then(() => postRecap(client, store, session, log));
    },
  });
  // Live events wait while the bot catches up (see LiveGate): from start-up, and from every
  // lost connection, until the backfill that follows is done.
  const gate = new LiveGate();
  let sinceDisconnect: (() => void) | null = gate.hold();
  registerListeners(client, { store, ingest: live.ingest, clock, log }, gate);
  registerInteractions(client, await loadCommands(), { store, controls: live.controls, clock, log, changed: () => live.engine.kick() });

  let catchingUp: Promise<number> = Promise.resolve(0);
  const catchUp = (why: string) => {
    const release = gate.hold();
    const reconnected = sinceDisconnect;
    sinceDisconnect = null;
    catchingUp = catchingUp
      .then(() => backfill(client, { store, ingest: live.ingest, clock, log }))
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

  // Start-up is bounded: a Discord that refuses, or never answers, is one clear error
  // (DiscordStartError) after at most connectTimeoutMs, and the client is let go.
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  let timeout: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.login(token).then(() => ready),
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
  await live.start();
  // `emcee session …` and `emcee series …` change the same database from another process:
  // SQLite's data_version moves when they commit, and the engine then looks again.
  let version = await store.externalChangeMark();
  const watch = setInterval(() => {
    void store.externalChangeMark().then((now) => {
      if (now === version) return;
      version = now;
      log.debug('database changed by another process');
      void live.engine.kick();
    }, (err: unknown) => log.warn({ err }, 'could not check the database for outside changes'));
  }, EXTERNAL_CHANGE_POLL_MS);
  watch.unref();

  return {
    client,
    platform,
    live,
    lastBackfill: () => catchingUp,
    recapsPosted: () => recaps,
    // Bounded: the engine's post in flight and the recaps get STOP_GRACE_MS, then the client
    // is destroyed whatever they are waiting for (a Discord that stopped answering).
    stop: async () => {
      clearInterval(watch);
      live.stop();
      await withinMs(Promise.all([live.engine.whenIdle(), recaps]), STOP_GRACE_MS);
      await withinMs(client.destroy(), 1000);
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
