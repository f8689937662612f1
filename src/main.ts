import { ConfigError, loadDotEnv, readBotConfig } from './config.ts';
import { systemClock } from './core/clock.ts';
import { startBot } from './discord/bot.ts';
import { createLogger } from './logger.ts';
import { realTimers } from './scheduler/timers.ts';
import { StoreError } from './store/db.ts';
import { openStore } from './store/index.ts';

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
  let store;
  try {
    store = openStore(config.databasePath, systemClock);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    process.stderr.write(`emcee: ${err.message}\n`);
    return 1;
  }
  log.info({ databasePath: config.databasePath, apiBase: config.apiBase ?? 'Discord' }, 'starting Emcee');
  const bot = await startBot({ token: config.discordToken, apiBase: config.apiBase, store, clock: systemClock, timers: realTimers, log });

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  await bot.stop();
  store.close();
  return 0;
}

process.exitCode = await main();
