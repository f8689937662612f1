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

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads .env (if any) into process.env without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables (DATABASE_PATH= in .env) mean "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}\n(see .env.example for every variable)`);
  }
  return { databasePath: parsed.data.DATABASE_PATH, logLevel: parsed.data.LOG_LEVEL };
}
