import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { shardSet, type ShardSet } from './domain/shard.ts';
import { postgresUrlProblem } from './store/postgres/url.ts';

/**
 * Configuration from the environment (and .env when present), validated once with every
 * problem reported together. Discord settings join this schema with the bot.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const DEFAULT_DATABASE_PATH = 'data/emcee.sqlite';

/** DATABASE_URL: checked without ever repeating its value (it may hold a password). */
const databaseUrl = z.string().trim().superRefine((url, ctx) => {
  const problem = postgresUrlProblem(url);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `${problem} (the value is not shown: it may hold a password)` });
});

const schema = z.object({
  DATABASE_PATH: z.string().trim().min(1, 'must not be empty').optional(),
  DATABASE_URL: databaseUrl.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
}).superRefine((v, ctx) => {
  if (v.DATABASE_URL !== undefined && v.DATABASE_PATH !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is set, and so is DATABASE_PATH: DATABASE_URL selects PostgreSQL, DATABASE_PATH an SQLite file; unset one of them' });
  }
});

export interface Config {
  /** SQLite's file (DATABASE_PATH, default data/emcee.sqlite): the store when databaseUrl is not set. */
  databasePath: string;
  /** PostgreSQL (DATABASE_URL=postgres://…): when set, the store. */
  databaseUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
}

type Parsed = z.infer<typeof schema>;
const baseConfig = (d: Parsed): Config => ({
  databasePath: d.DATABASE_PATH ?? DEFAULT_DATABASE_PATH, databaseUrl: d.DATABASE_URL, logLevel: d.LOG_LEVEL,
});

const SNOWFLAKE = /^\d{17,20}$/;

/** The health and metrics listener (src/ops): off unless HTTP_PORT is set. */
const opsVars = {
  HTTP_PORT: z.coerce.number({ error: 'must be a port number (1 to 65535)' })
    .int('must be a whole port number (1 to 65535)').min(1, 'must be a port number (1 to 65535)').max(65535, 'must be a port number (1 to 65535)')
    .optional(),
  HTTP_HOST: z.string().trim().refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(h), {
    error: 'must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost',
  }).optional(),
  METRICS_GUILD_LABEL: z.enum(['on', 'off'], { error: 'must be on or off (on: the prompt, message and session metrics carry a guild label)' }).optional(),
};
const botSchema = schema.safeExtend({
  DISCORD_TOKEN: z.string().trim().min(1, 'is required'),
  DISCORD_APPLICATION_ID: z.string().trim().regex(SNOWFLAKE, 'must be the numeric application id from the Developer Portal'),
  DISCORD_API_BASE: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://discord.com/api' })
    .transform((url) => url.replace(/\/+$/, '').replace(/\/v10$/, '').replace(/\/+$/, ''))
    .refine((url) => !/\/v\d+$/.test(url), { error: 'must not end in an API version other than /v10 (Emcee speaks v10): give the API root, such as https://discord.com/api' })
    .optional(),
  DISCORD_CONNECT_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds').min(100, 'must be at least 100').max(600_000, 'must be at most 600000 (10 minutes)')
    .default(15_000),
  MESSAGE_CONTENT: z.enum(['on', 'off'], { error: 'must be on or off (off: run without the Message Content intent; answers by the Answer button)' }).default('on'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds').min(1000, 'must be at least 1000 (1 s)').max(600_000, 'must be at most 600000 (10 minutes)')
    .default(10_000),
  ...opsVars,
}).superRefine((v, ctx) => {
  for (const name of ['HTTP_HOST', 'METRICS_GUILD_LABEL'] as const) {
    if (v[name] !== undefined && v.HTTP_PORT === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is set, but HTTP_PORT is not: the health and metrics listener is off unless HTTP_PORT is set' });
  }
});

export interface BotConfig extends Config {
  discordToken: string;
  applicationId: string;
  /**
   * Discord's REST base; the sandbox sets its own. Undefined: Discord's. A trailing /v10 (the
   * version discord.js adds itself) is dropped, so both https://discord.com/api and
   * https://discord.com/api/v10 work; any other version suffix is refused by name.
   */
  apiBase: string | undefined;
  /** How long logging in to Discord may take at start-up before giving up (DISCORD_CONNECT_TIMEOUT_MS, default 15 s). */
  connectTimeoutMs: number;
  /**
   * The shards this process runs (SHARDS of SHARD_COUNT), and so the guilds it runs sessions
   * for. Null: one process, every shard Discord recommends ('auto'), every guild.
   */
  shards: ShardSet | null;
  /** Ask for the privileged Message Content intent (MESSAGE_CONTENT, default on; off: answers by button, replies and mentions). */
  messageContent: boolean;
  /** How long a shutdown (SIGTERM, SIGINT) may take before the process exits 1 anyway (SHUTDOWN_TIMEOUT_MS, default 10 s). */
  shutdownTimeoutMs: number;
  /** The health and metrics listener (HTTP_PORT, HTTP_HOST, METRICS_GUILD_LABEL); undefined: off. */
  http?: HttpConfig | undefined;
}

export interface HttpConfig {
  port: number;
  /** The address it listens on (HTTP_HOST, default 127.0.0.1: this machine only). */
  host: string;
  /** Metrics carry a guild label (METRICS_GUILD_LABEL=on; default off). */
  guildLabel: boolean;
}

/** The bot's configuration: the base settings plus Discord's, every problem reported together. */
export function readBotConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const present = presentVars(env);
  if (!present.DISCORD_TOKEN) {
    throw new ConfigError('DISCORD_TOKEN is not set: put your bot token in .env (see .env.example and the README), or try Emcee without Discord: npm run demo');
  }
  const parsed = botSchema.safeParse(present);
  const shards = readShards(present.SHARDS, present.SHARD_COUNT);
  if (!parsed.success || shards.problems.length > 0) throw invalid([...parsed.error?.issues ?? [], ...shards.problems]);
  const d = parsed.data;
  return {
    ...baseConfig(d),
    discordToken: d.DISCORD_TOKEN, applicationId: d.DISCORD_APPLICATION_ID, apiBase: d.DISCORD_API_BASE,
    connectTimeoutMs: d.DISCORD_CONNECT_TIMEOUT_MS, shards: shards.value, messageContent: d.MESSAGE_CONTENT === 'on',
    shutdownTimeoutMs: d.SHUTDOWN_TIMEOUT_MS,
    http: d.HTTP_PORT === undefined ? undefined : { port: d.HTTP_PORT, host: d.HTTP_HOST ?? '127.0.0.1', guildLabel: d.METRICS_GUILD_LABEL === 'on' },
  };
}

/** The most shards SHARD_COUNT may name: far beyond any bot (Discord: one per 1,000 guilds or so). */
export const MAX_SHARD_COUNT = 10_000;

interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * SHARDS and SHARD_COUNT. Neither (or SHARDS=auto alone): null, every shard in one process.
 * SHARD_COUNT alone (or with SHARDS=auto): every shard of that count. SHARDS takes "0,1",
 * "0, 1", ranges "0-3" (mixed: "0-1,3"), a single "2", and what discord.js's ShardingManager
 * and discord-hybrid-sharding put in a child's environment: a bare number or JSON "[0,1]".
 * Every problem is its own line, naming the variable.
 */
export function readShards(shardsVar: string | undefined, countVar: string | undefined): { value: ShardSet | null; problems: Problem[] } {
  const problems: Problem[] = [];
  const problem = (variable: 'SHARDS' | 'SHARD_COUNT', message: string) => problems.push({ path: [variable], message });
  const quote = (text: string) => `"${text.slice(0, 40)}"`;

  const countText = countVar?.trim() ?? '';
  let count: number | null = null;
  if (!/^\d*$/.test(countText)) problem('SHARD_COUNT', `must be a whole number of shards, got ${quote(countText)}`);
  else if (countText !== '' && Number(countText) < 1) problem('SHARD_COUNT', 'must be at least 1');
  else if (Number(countText) > MAX_SHARD_COUNT) problem('SHARD_COUNT', `must be at most ${MAX_SHARD_COUNT}`);
  else if (countText !== '') count = Number(countText);

  const listed = shardsVar?.trim() ?? '';
  if (listed === '' || listed.toLowerCase() === 'auto') {
    const every = count === null ? null : shardSet(count, Array.from({ length: count }, (_, i) => i));
    return { value: problems.length > 0 ? null : every, problems };
  }
  if (countText === '') {
    problem('SHARDS', `is set (${quote(listed)}) but SHARD_COUNT is not: give the total number of shards, the same in every process (SHARDS=0,1 SHARD_COUNT=4)`);
  }
  const ids = new Set<number>();
  const twice = new Set<number>();
  for (const item of (/^\[.*\]$/s.test(listed) ? listed.slice(1, -1) : listed).split(',').map((i) => i.trim())) {
    const range = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (!range) {
      problem('SHARDS', item === ''
        ? `${quote(listed)} has an empty entry: list shard numbers such as 0,1 or a range such as 0-3`
        : `${quote(item)} is not a shard number or a range such as 0-3`);
      continue;
    }
    const [lo, hi] = [Number(range[1]), Number(range[2] ?? range[1])];
    if (lo > hi) problem('SHARDS', `${item} is not a range: the first shard must not be above the last (${hi}-${lo})`);
    else if (count !== null && hi >= count) problem('SHARDS', `${hi} is not a shard of ${count} (0 to ${count - 1})`);
    else if (count !== null) {
      for (let id = lo; id <= hi; id++) (ids.has(id) ? twice : ids).add(id);
    }
  }
  if (twice.size > 0) problem('SHARDS', `${[...twice].join(', ')} ${twice.size === 1 ? 'is' : 'are'} listed twice`);
  if (problems.length > 0 || count === null) return { value: null, problems };
  return { value: shardSet(count, [...ids]), problems };
}

/** The shard set as the start-up log names it: "shards 0,1 of 4", or "all shards (auto)". */
export function describeShards(shards: ShardSet | null): string {
  return shards ? `shards ${shards.ids.join(',')} of ${shards.count}` : 'all shards (auto)';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads .env (if any) into env (process.env) without overriding what is already set.
 * A .env that cannot be read, or holds a line that is not KEY=value, is a ConfigError naming
 * the file (and line): nothing from it is used.
 */
export function loadDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): void {
  let text: string;
  try {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) throw new ConfigError(`${path}: is a directory, not a file of KEY=value lines`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  for (const [key, value] of Object.entries(parseDotEnv(text, path))) {
    if (env[key] === undefined) env[key] = value;
  }
}

const DOTENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The .env grammar, strict where dotenv guesses. One KEY=value per line; blank lines and
 * lines starting with # are skipped; an optional `export ` prefix is allowed.
 * - Spaces around "=" are accepted and trimmed (`KEY = value`), as dotenv does.
 * - An unquoted value is trimmed, and ends at " #" (a comment); a # inside a word stays.
 * - A value in '…' or "…" is taken as written (and "…" turns \n into a newline); the closing
 *   quote must be on the same line, followed by nothing but spaces or a comment.
 * Anything else (no "=", a bad name, an unterminated quote) is an error `FILE:LINE: reason`.
 */
export function parseDotEnv(text: string, file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const fail = (reason: string) => new ConfigError(`${file}:${i + 1}: ${reason}`);
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw fail('expected KEY=value');
    const key = line.slice(0, eq).trim().replace(/^export\s+/, '');
    if (!DOTENV_KEY.test(key)) throw fail(`"${key.slice(0, 40)}" is not a variable name (letters, digits and _)`);
    let value = line.slice(eq + 1).trim();
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      const end = value.indexOf(quote, 1);
      if (end < 0) throw fail('unterminated quote');
      const rest = value.slice(end + 1).trim();
      if (rest !== '' && !rest.startsWith('#')) throw fail(`text after the closing quote: ${rest.slice(0, 40)}`);
      value = value.slice(1, end);
      if (quote === '"') value = value.replace(/\\n/g, '\n');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    vars[key] = value;
  });
  return vars;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(presentVars(env));
  if (!parsed.success) throw invalid(parsed.error.issues);
  return baseConfig(parsed.data);
}

/** Empty variables (DATABASE_PATH= in .env) mean "use the default". */
function presentVars(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function invalid(issues: readonly Problem[]): ConfigError {
  const lines = issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  return new ConfigError(`invalid configuration:\n${lines.join('\n')}\n(see .env.example for every variable)`);
}
