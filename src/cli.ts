import { parseArgs } from 'node:util';
import { ImportError } from './archive/import.ts';
import { ArchiveError } from './archive/types.ts';
import { bankList, bankShow } from './cli/bank.ts';
import { importCommand } from './cli/import.ts';
import { participantCommand } from './cli/participant.ts';
import { CliError, exitQuietlyOnClosedPipe, line, processIo, terminalSafeStdout, type CliIo } from './cli/io.ts';
import { COMMAND_HELP, USAGE, didYouMean } from './cli/help.ts';
import { checkSeriesUsage, seriesCommand, sessionCommand } from './cli/live.ts';
import { recapCommand, siteCommand } from './cli/recap.ts';
import { replayCommand } from './cli/replay.ts';
import { ConfigError, loadDotEnv, readConfig } from './config.ts';
import { ControlError } from './live/requests.ts';
import { FileWriteError } from './fs/atomic.ts';
import { SiteError } from './recap/site-folder.ts';
import { systemClock } from './domain/clock.ts';
import { createLogger } from './logger.ts';
import { packagePath, packageVersion } from './paths.ts';
import { StoreError, describeStore, openConfiguredStore, type StoreConfig, type StorePort } from './store/index.ts';

// Found from the package root, so it holds from src/ and from the build in dist/src/.
const demoArchive = () => packagePath('seeds', '2018-10-22-badgechat.txt');
/** 48 minutes of chat in about 36 seconds. */
const DEMO_SPEED = 80;

/**
 * The options each command takes (besides -h/--help and -v/--version, which every command
 * takes). An option a command does not take is refused (exit 2), never silently ignored.
 */
const COMMAND_FLAGS: Record<string, readonly string[]> = {
  replay: ['json'],
  import: ['shared', 'db'],
  bank: ['db'],
  recap: ['format', 'out', 'anonymize', 'db'],
  site: ['out', 'force', 'anonymize', 'db'],
  'invite-url': ['events', 'webhooks'],
  series: ['guild', 'channel', 'tag', 'weekday', 'time', 'timezone', 'questions', 'threads', 'moderator-role', 'preview-minutes', 'format', 'out', 'anonymize', 'db'],
  session: ['channel', 'session', 'questions', 'question', 'minutes', 'db'],
  demo: ['speed', 'transcript', 'db'],
  'migrate-store': ['from', 'to'],
  participant: ['guild', 'db'],
  doctor: ['json', 'db'],
  backup: ['out', 'force', 'db'],
};
const BOOLEAN_FLAGS = new Set(['json', 'force', 'shared', 'events', 'webhooks', 'anonymize']);
/** How many arguments after the command it takes, where that is fixed (the others check their own). */
const MAX_ARGUMENTS: Record<string, number> = { doctor: 0, backup: 0, site: 0, demo: 0, 'migrate-store': 0, 'invite-url': 1, series: 2, session: 1, participant: 2 };
const COMMANDS = [...Object.keys(COMMAND_FLAGS), 'help'];

type Option = { type: 'string' | 'boolean'; short?: string };
const optionsFor = (flags: readonly string[]): Record<string, Option> => ({
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  ...Object.fromEntries(flags.map((f) => [f, { type: BOOLEAN_FLAGS.has(f) ? 'boolean' : 'string' } as Option])),
});
const ALL_FLAGS = [...new Set(Object.values(COMMAND_FLAGS).flat())];
const version = packageVersion;

/** Runs one CLI command; returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) exitQuietlyOnClosedPipe(process.stdout);
  io = terminalSafeStdout(io);
  // First pass, lenient: which command is it? (Options with values are skipped properly.)
  const loose = parseArgs({ args: argv, allowPositionals: true, strict: false, options: optionsFor(ALL_FLAGS) });
  const command = loose.positionals[0];
  if (command === undefined) {
    if (loose.values.version === true) {
      line(io.stdout, version());
      return 0;
    }
    (loose.values.help === true ? io.stdout : io.stderr).write(USAGE);
    return loose.values.help === true ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    const guess = didYouMean(command, COMMANDS);
    line(io.stderr, `emcee: unknown command "${command}"${guess ? ` (did you mean "${guess}"?)` : ''}; emcee --help lists the commands`);
    return 2;
  }
  if (command === 'help') {
    const topic = loose.positionals[1];
    if (topic !== undefined && !(topic in COMMAND_HELP)) {
      const guess = didYouMean(topic, COMMANDS);
      line(io.stderr, `emcee: no help on "${topic}"${guess ? ` (did you mean "${guess}"?)` : ''}; emcee --help lists the commands`);
      return 2;
    }
    io.stdout.write(topic === undefined ? USAGE : COMMAND_HELP[topic]!);
    return 0;
  }

  // Second pass, strict: only the options this command takes.
  const allowed = COMMAND_FLAGS[command]!;
  let values: Record<string, string | boolean | undefined>;
  let rest: string[];
  try {
    const parsed = parseArgs({ args: argv, allowPositionals: true, options: optionsFor(allowed) });
    values = parsed.values;
    rest = parsed.positionals.slice(1);
  } catch (err) {
    line(io.stderr, `emcee: ${usageProblem(command, allowed, err as Error & { code?: string })}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(COMMAND_HELP[command]!);
    return 0;
  }
  if (values.version) {
    line(io.stdout, version());
    return 0;
  }
  const str = (name: string) => values[name] as string | undefined;
  const extra = rest[MAX_ARGUMENTS[command] ?? Infinity];
  if (extra !== undefined) {
    line(io.stderr, `emcee: ${command} does not take "${extra}" (emcee ${command} --help)`);
    return 2;
  }

  // doctor checks the configuration itself: a bad one is its first verdict, not an error.
  if (command === 'doctor') {
    try {
      const { doctorCommand } = await import('./cli/doctor.ts'); // discord.js loads only here
      return await doctorCommand(io, { json: values.json === true, ...(str('db') === undefined ? {} : { db: str('db')! }) });
    } catch (err) {
      return reportError(io, err);
    }
  }
  try {
    if (io.env === process.env) loadDotEnv();
    const config = readConfig(io.env);
    // At a terminal only warnings and errors, unless LOG_LEVEL asks for more.
    const log = createLogger(io.env.LOG_LEVEL ? config.logLevel : 'warn');
    // DATABASE_URL (PostgreSQL) or DATABASE_PATH (SQLite); --db always names an SQLite file.
    const database: StoreConfig = str('db') === undefined ? config : { databasePath: str('db')! };
    const store = (): Promise<StorePort> => openConfiguredStore(database, systemClock, {
      migrationBackup: (b) => line(io.stderr, `emcee: ${b.path}: a copy of the database at schema version ${b.fromVersion}, written before migrating it to ${b.toVersion}`),
    });
    const withStore = async (fn: (s: StorePort) => void | Promise<void>) => {
      const s = await store();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    };
    log.debug({ command, database: describeStore(database) }, 'running command');

    switch (command) {
      case 'replay': {
        if (rest.length !== 1) throw new CliError('replay takes one archive file: emcee replay <file> [--json]', 2);
        replayCommand(io, rest[0]!, { json: values.json === true });
        return 0;
      }
      case 'demo': {
        const speed = str('speed') === undefined ? DEMO_SPEED : Number(str('speed'));
        if (!(speed >= 1 && speed <= 10_000)) throw new CliError('--speed takes a number from 1 to 10000 (how many times faster than real time)', 2);
        const { runDemo } = await import('./cli/demo/run.ts'); // discord.js loads only for the demo
        return await runDemo(io, {
          transcript: str('transcript') ?? demoArchive(),
          speed,
          databasePath: str('db') ?? 'data/demo.sqlite',
          log,
        });
      }
      case 'import':
        if (rest.length === 0) throw new CliError('import needs at least one archive file: emcee import <files…>', 2);
        await importCommand(io, store, rest, { shared: values.shared === true });
        return 0;
      case 'bank': {
        const [sub, ...bankArgs] = rest;
        if (sub === 'list' && bankArgs.length === 0) await withStore((s) => bankList(io, s));
        else if (sub === 'show' && bankArgs.length === 1) await withStore((s) => bankShow(io, s, bankArgs[0]!));
        else throw new CliError('usage: emcee bank list | emcee bank show <id>', 2);
        return 0;
      }
      case 'recap':
        if (rest.length > 1) throw new CliError('recap takes one session: emcee recap <session-id|latest> --format md|html|csv|json|archive [--out FILE]', 2);
        await withStore((s) => recapCommand(io, s, rest[0], str('format'), str('out'), {}, values.anonymize === true));
        return 0;
      case 'site':
        await withStore((s) => siteCommand(io, s, str('out'), values.force === true, values.anonymize === true));
        return 0;
      case 'series':
        checkSeriesUsage(rest[0], rest[1]);
        await withStore((s) => seriesCommand(io, s, systemClock, rest[0], values, rest[1]));
        return 0;
      case 'session':
        await withStore((s) => sessionCommand(io, s, systemClock, log, rest[0], values));
        return 0;
      case 'participant':
        await withStore((s) => participantCommand(io, s, systemClock, rest[0], rest[1], str('guild')));
        return 0;
      case 'migrate-store': {
        const { migrateStoreCommand } = await import('./cli/migrate-store.ts'); // node-postgres loads only here
        await migrateStoreCommand(io, { from: str('from') ?? config.databasePath, to: str('to') ?? config.databaseUrl });
        return 0;
      }
      case 'backup': {
        const { backupCommand } = await import('./cli/backup.ts');
        await backupCommand(io, { databasePath: str('db') ?? config.databasePath, databaseUrl: config.databaseUrl, fromDbOption: str('db') !== undefined }, str('out'), values.force === true);
        return 0;
      }
      case 'invite-url': {
        const appId = rest[0] ?? io.env.DISCORD_APPLICATION_ID;
        if (!appId || !/^\d{17,20}$/.test(appId)) throw new CliError('invite-url needs the application id: emcee invite-url <id>, or DISCORD_APPLICATION_ID in .env', 2);
        const { inviteUrl } = await import('./discord/permissions.ts');
        line(io.stdout, inviteUrl(appId, (['events', 'webhooks'] as const).filter((f) => values[f] === true)));
        return 0;
      }
      default:
        throw new Error(`command "${command}" is in COMMAND_FLAGS but has no case`);
    }
  } catch (err) {
    return reportError(io, err);
  }
}

/** One line for a bad option: which option, which command, what it takes. */
function usageProblem(command: string, allowed: readonly string[], err: Error & { code?: string }): string {
  const takes = allowed.length ? `it takes ${allowed.map((f) => `--${f}`).join(', ')}` : 'it takes no options';
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const flag = unknown[1]!;
    const guess = didYouMean(flag.replace(/^-+/, ''), allowed);
    return `Unknown option '${flag}' for ${command}${guess ? ` (did you mean --${guess}?)` : ''}; ${takes} (emcee ${command} --help)`;
  }
  // A missing value ("Option '--out <value>' argument missing"), an unexpected one, …
  return `${command}: ${err.message.replace(/\.? To specify .*$/s, '')} (emcee ${command} --help)`;
}

function reportError(io: CliIo, err: unknown): number {
  if (err instanceof ImportError) {
    for (const p of err.problems) line(io.stderr, `emcee: ${p.message}`);
    line(io.stderr, `emcee: nothing was imported (${err.problems.length} file${err.problems.length === 1 ? '' : 's'} with problems)`);
    return 1;
  }
  // `emcee recap 1 --out /dev/stdout | head -1`: the reader has gone; stop quietly, as for stdout.
  if (err instanceof FileWriteError && err.code === 'EPIPE') return 0;
  if (err instanceof CliError) {
    line(io.stderr, `emcee: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ArchiveError || err instanceof ConfigError || err instanceof ControlError || err instanceof StoreError || err instanceof SiteError || err instanceof FileWriteError) {
    line(io.stderr, `emcee: ${err.message}`);
    return 1;
  }
  line(io.stderr, `emcee: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
