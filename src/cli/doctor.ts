/** `emcee doctor [--json] [--db <path>]`: every check with its verdict; exit 0 when none failed, 1 otherwise. */
import type { ProbeFactory } from '../doctor/discord-checks.ts';
import { exitCodeOf, renderJson, renderText } from '../doctor/report.ts';
import { runDoctor } from '../doctor/run.ts';
import { processIo, type CliIo } from './io.ts';

export async function doctorCommand(io: CliIo, options: { json: boolean; db?: string; probe?: ProbeFactory }): Promise<number> {
  const results = await runDoctor({
    env: io.env,
    ...(io.env === processIo.env ? { dotEnv: '.env' } : {}),
    ...(options.db === undefined ? {} : { databasePath: options.db }),
    ...(options.probe ? { probe: options.probe } : {}),
  });
  io.stdout.write(options.json ? renderJson(results) : renderText(results));
  return exitCodeOf(results);
}
