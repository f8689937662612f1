import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ImportError } from './archive/import.ts';
import { ArchiveError } from './archive/types.ts';
import { bankList, bankShow } from './cli/bank.ts';
import { importCommand } from './cli/import.ts';
import { CliError, line, processIo, type CliIo } from './cli/io.ts';
import { seriesCommand, sessionCommand } from './cli/live.ts';
import { recapCommand, siteCommand } from './cli/recap.ts';
import { replayCommand } from './cli/replay.ts';
import { ConfigError, loadDotEnv, readConfig } from './config.ts';
import { ControlError } from './session/controls.ts';
import { systemClock } from './core/clock.ts';
import { createLogger } from './logger.ts';
import { StoreError } from './store/db.ts';
import { openStore, type Store } from './store/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO_ARCHIVE = `${ROOT}seeds/2018-10-22-badgechat.txt`;
const LIVE_FLAGS = ['guild', 'channel', 'tag', 'weekday', 'time', 'timezone', 'questions', 'threads', 'moderator-role', 'preview-minutes', 'session', 'question', 'minutes'] as const;
/** 48 minutes of chat in about 36 seconds. */
const DEMO_SPEED = 80;

const USAGE = `Usage: emcee <command> [options]

Commands:
  replay <file> [--json]   Run a chat archive through the answer attribution and print
                           each question with its answers (--json: one JSON object on stdout)
  import <files…>          Store archives as past sessions and their questions in the bank
                           (importing the same file again changes nothing)
  bank list                Every question set in the bank, with its questions
  bank show <id>           One question set in full
  recap <id|latest> [--format md|html|csv|json|archive] [--out FILE]
                           A session's recap (default md, to stdout)
  site --out DIR           The static archive site: every series and session, from file://
  invite-url [app id]      The URL that adds the bot to a server with the permissions it needs
  series setup|list        Set up a channel's recurring chat (--guild --channel --tag --weekday
                           --time --timezone --questions --threads --moderator-role
                           --preview-minutes), or list the chats
  session <control>        start|next|skip|pause|resume|extend|end|cancel|status for the
                           session of --channel ID (or --session N); the running bot follows
  demo [--speed N] [--transcript FILE]
                           A full live session on a loopback Discord: the bot runs the
                           timetable while the archive's participants answer (default:
                           80× speed, seeds/2018-10-22-badgechat.txt, data/demo.sqlite)

Options:
  --db <path>              SQLite database (default: $DATABASE_PATH or data/emcee.sqlite)
  -h, --help               This help
  -v, --version            Emcee's version
`;

/** Runs one CLI command; returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        db: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        speed: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        transcript: { type: 'string' },
        ...Object.fromEntries(LIVE_FLAGS.map((f) => [f, { type: 'string' as const }])),
      },
    });
  } catch (err) {
    line(io.stderr, `emcee: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  const [command, ...rest] = positionals;
  if (values.version) {
    line(io.stdout, (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.stderr : io.stdout).write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }

  try {
    if (io.env === process.env) loadDotEnv();
    const config = readConfig(io.env);
    // At a terminal only warnings and errors, unless LOG_LEVEL asks for more.
    const log = createLogger(io.env.LOG_LEVEL ? config.logLevel : 'warn');
    const databasePath = values.db ?? config.databasePath;
    const store = (): Store => openStore(databasePath, systemClock);
    const withStore = async (fn: (s: Store) => void | Promise<void>) => {
      const s = store();
      try {
        await fn(s);
      } finally {
        s.close();
      }
    };
    log.debug({ command, databasePath }, 'running command');

    switch (command) {
      case 'replay': {
        if (rest.length !== 1) throw new CliError('replay takes one archive file: emcee replay <file> [--json]', 2);
        replayCommand(io, rest[0]!, { json: values.json });
        return 0;
      }
      case 'demo': {
        const speed = values.speed === undefined ? DEMO_SPEED : Number(values.speed);
        if (!(speed >= 1 && speed <= 10_000)) throw new CliError('--speed takes a number from 1 to 10000 (how many times faster than real time)', 2);
        const { runDemo } = await import('./demo/run.ts'); // discord.js loads only for the demo
        return await runDemo(io, {
          transcript: values.transcript ?? DEMO_ARCHIVE,
          speed,
          databasePath: values.db ?? 'data/demo.sqlite',
          log,
        });
      }
      case 'import':
        if (rest.length === 0) throw new CliError('import needs at least one archive file: emcee import <files…>', 2);
        importCommand(io, store, rest);
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
        await withStore((s) => recapCommand(io, s, rest[0], values.format, values.out));
        return 0;
      case 'site':
        await withStore((s) => siteCommand(io, s, values.out));
        return 0;
      case 'series':
        await withStore((s) => seriesCommand(io, s, systemClock, rest[0], values));
        return 0;
      case 'session':
        await withStore((s) => sessionCommand(io, s, systemClock, log, rest[0], values));
        return 0;
      case 'invite-url': {
        const appId = rest[0] ?? io.env.DISCORD_APPLICATION_ID;
        if (!appId || !/^\d{17,20}$/.test(appId)) throw new CliError('invite-url needs the application id: emcee invite-url <id>, or DISCORD_APPLICATION_ID in .env', 2);
        const { inviteUrl } = await import('./discord/permissions.ts');
        line(io.stdout, inviteUrl(appId));
        return 0;
      }
      default:
        throw new CliError(`unknown command "${command}"\n\n${USAGE}`, 2);
    }
  } catch (err) {
    return reportError(io, err);
  }
}

function reportError(io: CliIo, err: unknown): number {
  if (err instanceof ImportError) {
    for (const p of err.problems) line(io.stderr, `emcee: ${p.message}`);
    line(io.stderr, `emcee: nothing was imported (${err.problems.length} file${err.problems.length === 1 ? '' : 's'} with problems)`);
    return 1;
  }
  if (err instanceof CliError) {
    line(io.stderr, `emcee: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof ArchiveError || err instanceof ConfigError || err instanceof ControlError || err instanceof StoreError) {
    line(io.stderr, `emcee: ${err.message}`);
    return 1;
  }
  line(io.stderr, `emcee: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
