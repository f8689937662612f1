import { ConfigError, describeShards, loadDotEnv, readBotConfig } from './config.ts';
import { startApp, type RunningApp } from './app.ts';
import { systemClock } from './domain/clock.ts';
import { DiscordStartError } from './discord/start-error.ts';
import { createLogger } from './logger.ts';
import { EXIT_CRASHED, ShutdownSteps } from './shutdown.ts';
import { ListenError, startOps, type Ops } from './ops/index.ts';
import { realTimers } from './live/timers.ts';
import { StoreError, describeStore } from './store/index.ts';

/**
 * `npm start`: the bot, on Discord (or wherever DISCORD_API_BASE points). Exit codes: 0 a
 * clean stop; 1 a start that failed (one line says why), or a shutdown that took longer than
 * SHUTDOWN_TIMEOUT_MS; EXIT_CRASHED (70) after an unhandled rejection or exception.
 */
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
  let phase: 'starting' | 'running' | 'stopping' = 'starting';

  // A promise nobody handled or an exception nobody caught: the process is in a state no
  // one planned for. Logged with what it was doing, then exit non-zero at once, so that
  // the supervisor (systemd's Restart=on-failure) starts a fresh one: a restart resumes
  // exactly where the database says (every prompt once), which is safer than going on.
  const crash = (kind: string, err: unknown) => {
    log.fatal({ err, kind, phase, uptimeSeconds: Math.round(process.uptime()) }, `${kind} while ${phase}: exiting with code ${EXIT_CRASHED} so that the supervisor restarts Emcee`);
    process.exit(EXIT_CRASHED);
  };
  process.on('unhandledRejection', (reason) => crash('unhandled rejection', reason));
  process.on('uncaughtException', (err) => crash('uncaught exception', err));

  // Signals are handled from here on, start-up included. The shutdown (app.stop) runs in
  // named steps; if they are not all done within SHUTDOWN_TIMEOUT_MS, the process exits 1
  // naming those still running. A second signal exits at once.
  const steps = new ShutdownSteps({ log });
  const stopRequested = new Promise<string>((resolve) => {
    let received: string | null = null;
    const onSignal = (signal: string) => {
      if (received) {
        process.stderr.write(`emcee: ${signal} again: exiting now\n`);
        process.exit(1);
      }
      received = signal;
      const wasStarting = phase === 'starting';
      phase = 'stopping';
      log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
      setTimeout(() => {
        const still = steps.still();
        if (still.length === 0) still.push(wasStarting ? 'start-up (opening the database, connecting to Discord)' : 'the shutdown');
        log.error({ still, timeoutMs: config.shutdownTimeoutMs }, `shutdown took longer than ${config.shutdownTimeoutMs / 1000} s (SHUTDOWN_TIMEOUT_MS): exiting 1 with these still running: ${still.join('; ')}`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
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
  if (phase === 'starting') phase = 'running';
  log.info('running: SIGINT or SIGTERM stops Emcee');
  await stopRequested;
  await app.stop(steps);
  log.info('stopped');
  await ops?.close();
  return 0;
}

// process.exit, not exitCode: a discord.js client that lost Discord can leave sockets and
// timers behind that would keep the process alive after a clean stop.
process.exit(await main());
