import { parseArgs } from 'node:util';
import { REST, Routes } from 'discord.js';
import { applicationCommandsJson } from './commands/index.ts';
import { describeCommandDiff, diffCommands, isNoChange } from './command-diff.ts';
import { ConfigError, loadDotEnv, readBotConfig } from '../config.ts';
import { isEntryPoint } from '../entry-point.ts';

/**
 * `npm run deploy-commands [-- --guild ID]`: registers the command JSON from src/discord/commands/ with
 * Discord (bulk overwrite). Globally by default; with --guild, in one server only, where
 * changes show at once (handy while developing). The running bot never deploys.
 */
export async function deployCommands(argv: string[], env: NodeJS.ProcessEnv = process.env, out = process.stdout): Promise<number> {
  let values: { guild?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { guild: { type: 'string' } } }));
  } catch (err) {
    process.stderr.write(`deploy-commands: ${(err as Error).message} (it takes only --guild SERVER_ID)\n`);
    return 2;
  }
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) {
    process.stderr.write(`deploy-commands: --guild takes a server id (17-20 digits), not "${values.guild}"\n`);
    return 2;
  }
  let config;
  try {
    if (env === process.env) loadDotEnv();
    config = readBotConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`deploy-commands: ${err.message}\n`);
    return 1;
  }
  const body = applicationCommandsJson();
  const rest = new REST(config.apiBase ? { api: config.apiBase } : {}).setToken(config.discordToken);
  const route = values.guild ? Routes.applicationGuildCommands(config.applicationId, values.guild) : Routes.applicationCommands(config.applicationId);
  const where = values.guild ? `in server ${values.guild}` : 'globally';
  let registered: { name: string; type?: number }[];
  try {
    // What this deploy changes, printed before it overwrites (the same diff as emcee doctor's).
    const deployed = (await rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as Record<string, unknown>[];
    const diff = diffCommands(deployed, body as unknown as Record<string, unknown>[], values.guild ? 'guild' : 'global');
    out.write(isNoChange(diff)
      ? `Compared with the commands deployed ${where}: no changes.\n`
      : `Compared with the commands deployed ${where}:\n${describeCommandDiff(diff).map((l) => `  ${l}\n`).join('')}`);
    registered = (await rest.put(route, { body })) as { name: string; type?: number }[];
  } catch (err) {
    // One line, not a stack: a refused token, an unknown application id, no network.
    const e = err as Error & { status?: number; code?: string | number };
    process.stderr.write(`deploy-commands: Discord refused or could not be reached (${e.status ?? e.code ?? 'error'}): ${e.message}\n`);
    return 1;
  }
  out.write(`Registered ${registered.length} commands (${registered.map((c) => (c.type === 3 ? `"${c.name}"` : `/${c.name}`)).join(', ')}) ${values.guild ? where : 'globally (they can take a while to appear everywhere)'}.\n`);
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = await deployCommands(process.argv.slice(2));
}
