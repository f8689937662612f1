import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * Configuration from the environment (and .env when present), validated once with every
 * problem reported together. Discord settings join this schema with the bot.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  DATABASE_PATH: z.string().trim().min(1, 'must not be empty').default('data/emcee.sqlite'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export interface Config {
  databasePath: string;
  logLevel: (typeof LOG_LEVELS)[number];
}

const SNOWFLAKE = /^\d{17,20}$/;
const botSchema = schema.extend({
  DISCORD_TOKEN: z.string().trim().min(1, 'is required'),
  DISCORD_APPLICATION_ID: z.string().trim().regex(SNOWFLAKE, 'must be the numeric application id from the Developer Portal'),
  DISCORD_API_BASE: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://discord.com/api' }).optional(),
});

export interface BotConfig extends Config {
  discordToken: string;
  applicationId: string;
  /** Discord's REST base (without /v10); the sandbox sets its own. Undefined: Discord's. */
  apiBase: string | undefined;
}

/** The bot's configuration: the base settings plus Discord's, every problem reported together. */
export function readBotConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const present = presentVars(env);
  if (!present.DISCORD_TOKEN) {
    throw new ConfigError('DISCORD_TOKEN is not set: put your bot token in .env (see .env.example and the README), or try Emcee without Discord: npm run demo');
  }
  const parsed = botSchema.safeParse(present);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const d = parsed.data;
  return {
    databasePath: d.DATABASE_PATH, logLevel: d.LOG_LEVEL,
    discordToken: d.DISCORD_TOKEN, applicationId: d.DISCORD_APPLICATION_ID, apiBase: d.DISCORD_API_BASE,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads .env (if any) into process.env without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(presentVars(env));
  if (!parsed.success) throw invalid(parsed.error.issues);
  return { databasePath: parsed.data.DATABASE_PATH, logLevel: parsed.data.LOG_LEVEL };
}

/** Empty variables (DATABASE_PATH= in .env) mean "use the default". */
function presentVars(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function invalid(issues: z.core.$ZodIssue[]): ConfigError {
  const lines = issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  return new ConfigError(`invalid configuration:\n${lines.join('\n')}\n(see .env.example for every variable)`);
}
