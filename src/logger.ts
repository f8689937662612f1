import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Paths whose values never reach a log line. */
export const REDACT = ['token', '*.token', 'DISCORD_TOKEN', '*.DISCORD_TOKEN', 'headers.authorization', '*.headers.authorization'];

/**
 * One pino logger for the process: JSON lines on stderr, pretty when stderr is a terminal.
 * stdout stays free for command output (`emcee replay --json` prints only JSON there).
 */
export function createLogger(
  level: string,
  { pretty: usePretty = process.stderr.isTTY === true, destination }: { pretty?: boolean; destination?: pino.DestinationStream } = {},
): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined };
  if (destination) return pino(options, destination);
  if (usePretty) return pino(options, pretty({ destination: 2, sync: true, colorize: true }));
  return pino(options, pino.destination({ fd: 2, sync: true }));
}
