/**
 * `emcee doctor`: the checks in order, each with a verdict and what to do. A check whose
 * prerequisite failed is reported as skipped, saying why. Nothing is written anywhere: the
 * database is read through a read-only look (src/store/inspect.ts), Discord only with GETs.
 */
import { ConfigError, loadDotEnv, readBotConfig, readConfig, type BotConfig, type Config } from '../config.ts';
import type { Series } from '../domain/series.ts';
import { describeStore, type StoreConfig } from '../store/index.ts';
import { inspectStore, type SchemaStatus } from '../store/inspect.ts';
import { discordChecks, type ProbeFactory } from './discord-checks.ts';
import type { CheckResult } from './report.ts';

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  /** Read this .env first (the CLI reads ./.env with the real environment; tests pass their own env). */
  dotEnv?: string;
  /** --db: this SQLite file instead of what the configuration names. */
  databasePath?: string;
  /** How Discord is asked (tests may wrap it); default: discord.js's REST at the configured base. */
  probe?: ProbeFactory;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const { bot, base } = checkConfig(options, results);

  const storeConfig: StoreConfig | null = options.databasePath !== undefined ? { databasePath: options.databasePath } : base;
  let series: Series[] | string = 'the database setting is invalid (see above)';
  if (storeConfig) series = await checkDatabase(storeConfig, results);
  else results.push({ check: 'database', verdict: 'skipped', message: 'the configuration is invalid (see above)' });

  results.push(...await discordChecks(bot, series, options.probe));
  return results;
}

/** 1. The configuration: the bot's (Discord and database); the database check can still run on the base settings alone. */
function checkConfig(options: DoctorOptions, results: CheckResult[]): { bot: BotConfig | null; base: Config | null } {
  const fix = 'Correct the variable named above in .env or the environment (.env.example lists every one).';
  try {
    if (options.dotEnv !== undefined) loadDotEnv(options.dotEnv, options.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    results.push({ check: 'config', verdict: 'fail', message: err.message, fix: 'Correct that line of .env (KEY=value; quotes closed on the same line).' });
    return { bot: null, base: null };
  }
  try {
    const bot = readBotConfig(options.env);
    results.push({ check: 'config', verdict: 'ok', message: `valid (${bot.messageContent ? 'MESSAGE_CONTENT on' : 'MESSAGE_CONTENT=off'}${bot.apiBase ? `, DISCORD_API_BASE ${bot.apiBase}` : ''})` });
    return { bot, base: bot };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    results.push({ check: 'config', verdict: 'fail', message: err.message.replace(/\n\(see \.env\.example for every variable\)$/, ''), fix });
  }
  try {
    return { bot: null, base: readConfig(options.env) };
  } catch {
    return { bot: null, base: null };
  }
}

/**
 * 2. The database opens and is at this build's schema (read-only: nothing is migrated).
 * Returns its series, or why they cannot be read (the channel check says it, in its turn).
 */
async function checkDatabase(config: StoreConfig, results: CheckResult[]): Promise<Series[] | string> {
  const where = describeStore(config);
  let look;
  try {
    look = await inspectStore(config);
  } catch (err) {
    results.push({ check: 'database', verdict: 'fail', message: (err as Error).message, fix: 'Fix what the line names, or point DATABASE_PATH / DATABASE_URL (or --db) at the right database.' });
    return 'the database could not be read (see above)';
  }
  try {
    results.push(databaseVerdict(where, look.status));
    if (!look.status.exists) return [];
    try {
      return await look.series();
    } catch (err) {
      return `the series could not be read: ${(err as Error).message}`;
    }
  } finally {
    await look.close();
  }
}

export function databaseVerdict(where: string, s: SchemaStatus): CheckResult {
  if (!s.exists) {
    return {
      check: 'database', verdict: 'warn', message: `${where}: there is no database there yet`,
      fix: 'Emcee creates it at its first start. If you expected one, check DATABASE_PATH (or DATABASE_URL, or --db).',
    };
  }
  if (s.newer) {
    return {
      check: 'database', verdict: 'fail', message: `${where} is at schema version ${s.version}, newer than this build (${s.latest}): this Emcee will refuse to open it`,
      fix: 'Run the newer Emcee that wrote it (upgrade this one), or restore a backup made for this version.',
    };
  }
  if (s.pending.length > 0) {
    return {
      check: 'database', verdict: 'warn',
      message: `${where} is at schema version ${s.version} of ${s.latest}; pending: ${s.pending.map((m) => `${pad3(m.version)} ${m.name}`).join(', ')}`,
      fix: 'The next start of this Emcee (npm start, or any emcee command) applies them; an SQLite file is copied next to itself first.\nTo keep a copy elsewhere too: emcee backup --out FILE (PostgreSQL: pg_dump).',
    };
  }
  return { check: 'database', verdict: 'ok', message: `${where}, schema version ${s.version} (current)` };
}
