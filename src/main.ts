import { ConfigError, describeShards, loadDotEnv, readBotConfig } from './config.ts';
import { startApp, type RunningApp } from './app.ts';
import { systemClock } from './domain/clock.ts';
import { DiscordStartError } from './discord/start-error.ts';
import { createLogger } from './logger.ts';
import { ListenError, startOps, type Ops } from './ops/index.ts';
import { realTimers } from './live/timers.ts';
import { StoreError, describeStore } from './store/index.ts';

/**
 * The most a shutdown may take after SIGINT/SIGTERM. Stopping waits for the post in flight
 * and the recaps (app.stop bounds that too), then closes the database; if anything still
 * hangs (a Discord that stopped answering), the process exits anyway, code 1. A second
 * signal exits at once.
 */
export const SHUTDOWN_BOUND_MS = 5_000;

/** `npm start`: the bot, on Discord (or wherever DISCORD_API_BASE points). */
async function main(): Promise<number> {
  let config;
  try {
    loadDotEnv();
    config = readBotConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`emcee: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);

  // Signals are handled from here on, start-up included.
  const stopRequested = new Promise<string>((resolve) => {
    let received: string | null = null;
    const onSignal = (signal: string) => {
      if (received) {
        process.stderr.write(`emcee: ${signal} again: exiting now\n`);
        process.exit(1);
      }
      received = signal;
      log.info({ signal }, 'shutting down');
      setTimeout(() => {
        process.stderr.write(`emcee: shutdown took longer than ${SHUTDOWN_BOUND_MS / 1000} s: exiting anyway\n`);
        process.exit(1);
      }, SHUTDOWN_BOUND_MS).unref();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  log.info({ database: describeStore(config), apiBase: config.apiBase ?? 'Discord', shards: describeShards(config.shards) }, 'starting Emcee');
  // Health and metrics (HTTP_PORT): listening before Discord, so that /readyz says "not yet" meanwhile.
  let ops: Ops | null;
  try {
    ops = config.http ? await startOps({ ...config.http, clock: systemClock, log, owns: config.shards }) : null;
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    process.stderr.write(`emcee: ${err.message}\n`);
    return 1;
  }
  let app: RunningApp;
  try {
    // The store the configuration names, opened by the app and closed by app.stop() (or by
    // startApp itself when Discord cannot be reached).
    app = await startApp({
      database: config, token: config.discordToken, apiBase: config.apiBase, connectTimeoutMs: config.connectTimeoutMs,
      clock: systemClock, timers: realTimers, log, owns: config.shards, messageContent: config.messageContent, telemetry: ops?.telemetry,
    });
  } catch (err) {
    if (!(err instanceof StoreError) && !(err instanceof DiscordStartError)) throw err;
    process.stderr.write(`emcee: ${err.message}\n`);
    return 1;
  }
  ops?.attach(app);
  log.info('running: SIGINT or SIGTERM stops Emcee');
  await stopRequested;
  await app.stop();
  await ops?.close();
  return 0;
}

// process.exit, not exitCode: a discord.js client that lost Discord can leave sockets and
// timers behind that would keep the process alive after a clean stop.
process.exit(await main());
