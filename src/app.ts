/**
 * The composition root: the one place where the store, the chat platform, the clock and
 * timers, the live sessions (engine, controls, ingest, planner) and the Discord listeners
 * meet. `npm start` (src/main.ts), `npm run demo` (src/cli/demo/run.ts) and the tests that
 * run the bot on the loopback sandbox all start Emcee through startApp; they differ only in
 * the options below.
 *
 * The split: src/discord/bot.ts assembles the Discord adapter on its own (client, platform,
 * listeners, slash commands, backfill, recap posts, the bounded log-in and shutdown) and
 * knows nothing of where the store comes from or how the sessions are built; src/live/
 * builds the sessions from ports and knows nothing of Discord. This file picks the store
 * (src/store's openConfiguredStore, or one handed in), builds the live sessions over the
 * adapter's platform, connects the adapter to them, starts the timetable, and watches the
 * database for changes made from the terminal. Its stop() undoes all of that, and closes
 * the store only if it opened it.
 */
import type { Clock } from './domain/clock.ts';
import { createDiscordAdapter, STOP_GRACE_MS, type DiscordAdapter } from './discord/bot.ts';
import type { ShardSet } from './domain/shard.ts';
import { newOwnerId } from './live/engine.ts';
import { createLiveSessions, type LiveSessions } from './live/index.ts';
import type { Timers } from './live/timers.ts';
import type { DiscordTelemetry } from './discord/telemetry.ts';
import type { Logger } from './logger.ts';
import { ShutdownSteps } from './shutdown.ts';
import { openConfiguredStore, type StoreConfig } from './store/index.ts';
import type { StorePort } from './store/port.ts';

/** How often the app checks whether another process (the CLI) changed the database. */
export const EXTERNAL_CHANGE_POLL_MS = 1000;

/**
 * Where the store comes from: the configuration (`database`: opened here, closed by stop()),
 * or a store already open (`store`: used as it is and left open, for a test that restarts
 * the bot on the same database or looks into it afterwards).
 */
export type StoreSource =
  | { database: StoreConfig; store?: never }
  | { store: StorePort; database?: never };

export type AppOptions = StoreSource & {
  /** The bot token (the sandbox's own in tests and the demo). */
  token: string;
  /** Discord's REST base; undefined: Discord's. */
  apiBase?: string | undefined;
  /** Real time, or the demo's scaled time, or a test's fake time. */
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** node-cron minute tick (default on; off where fake or scaled time drives the engine). */
  minuteTick?: boolean | undefined;
  /** How long logging in and getting the gateway ready may take (default 15 s). */
  connectTimeoutMs?: number | undefined;
  /**
   * The guilds this process runs (engine, planner, backfill): those of these shards of a
   * fixed count (src/domain/shard.ts). Default: every guild (one process).
   */
  owns?: ShardSet | null | undefined;
  /** Who this process claims prompts and recaps as (default: a new id per start). */
  owner?: string | undefined;
  /** How often recaps nobody posted are looked for (real ms; default 15 s). */
  recapSweepMs?: number | undefined;
  /** Ask Discord for the Message Content intent (default true; MESSAGE_CONTENT=off: false). */
  messageContent?: boolean | undefined;
  /** Where what the bot does is counted (src/ops's metrics when HTTP_PORT is set; default nowhere). */
  telemetry?: DiscordTelemetry | undefined;
};

export interface RunningApp {
  store: StorePort;
  client: DiscordAdapter['client'];
  platform: DiscordAdapter['platform'];
  live: LiveSessions;
  /** The latest backfill (start-up or reconnect), for whoever wants to wait for it. */
  lastBackfill(): Promise<number>;
  /** Recaps being posted for sessions that closed. */
  recapsPosted(): Promise<void>;
  /**
   * Stops taking new work (the timetable, the database watch, the recap sweeps), lets the
   * posts in flight and the recaps finish, closes the gateway, writes the messages already
   * received, and closes the store if the app opened it: each a named step of `steps`
   * (default: bounded by STOP_GRACE_MS and a second; main.ts passes its own and bounds the
   * process, naming the steps still running when time is up).
   */
  stop(steps?: ShutdownSteps): Promise<void>;
}

/**
 * Opens (or takes) the store, logs in to Discord, catches up with what was posted while the
 * bot was away, and runs the timetable. Throws StoreError when the configured store cannot
 * be opened and DiscordStartError when Discord cannot be reached; either way nothing is
 * left running and a store the app opened is closed again.
 */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { token, apiBase, clock, timers, log, minuteTick = true, connectTimeoutMs } = options;
  const owned = options.store === undefined;
  const store = options.store ?? await openConfiguredStore(options.database, clock, {
    migrationBackup: (b) => log.info({ backup: b.path, bytes: b.bytes, fromVersion: b.fromVersion, toVersion: b.toVersion }, `database copied to ${b.path} before migrating it from schema version ${b.fromVersion} to ${b.toVersion}`),
  });
  store.checkpointInBackground?.((err) => log.warn({ err }, 'the background checkpoints stopped; SQLite checkpoints in the bot again'));

  const owns = options.owns ?? null;
  const owner = options.owner ?? newOwnerId();
  const { telemetry } = options;
  const discord = createDiscordAdapter({ apiBase, store, clock, log, owner, owns, recapSweepMs: options.recapSweepMs, messageContent: options.messageContent, telemetry });
  const live = createLiveSessions({
    store, platform: discord.platform, clock, timers, log, minuteTick, owner, owns, telemetry,
    onSessionEnded: (session) => discord.postRecap(session),
  });
  try {
    await discord.connect(live, { token, connectTimeoutMs }); // lets the client go itself on failure
  } catch (err) {
    if (owned) await store.close();
    throw err;
  }
  let watch: { stop(): void };
  try {
    await live.start();
    watch = await watchExternalChanges(store, live, log);
  } catch (err) {
    live.stop();
    await discord.stop(live.engine.whenIdle());
    if (owned) await store.close();
    throw err;
  }

  return {
    store,
    client: discord.client,
    platform: discord.platform,
    live,
    lastBackfill: () => discord.lastBackfill(),
    recapsPosted: () => discord.recapsPosted(),
    stop: async (steps = new ShutdownSteps({ limitMs: STOP_GRACE_MS + 1000, log })) => {
      watch.stop();
      live.stop();
      await discord.stop(live.engine.whenIdle(), steps);
      // The gateway is closed: what it delivered is written before the database closes.
      await steps.run('ingest flush', () => live.ingest.whenIdle());
      if (owned) await steps.run('database', () => store.close());
    },
  };
}

/**
 * `emcee session …` and `emcee series …` change the same database from another process:
 * the store's external change mark (SQLite's data_version) moves when they commit, and the
 * engine then looks again.
 */
async function watchExternalChanges(store: StorePort, live: LiveSessions, log: Logger): Promise<{ stop(): void }> {
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
  return { stop: () => clearInterval(watch) };
}
