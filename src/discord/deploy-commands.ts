import { parseArgs } from 'node:util';
import { REST, Routes } from 'discord.js';
import { commandsJson } from '../../commands/index.ts';
import { ConfigError, loadDotEnv, readBotConfig } from '../config.ts';
import { isEntryPoint } from '../entry-point.ts';

/**
 * `npm run deploy-commands [-- --guild ID]`: registers the command JSON from commands/ with
 * Discord (bulk overwrite). Globally by default; with --guild, in one server only, where
 * changes show at once (handy while developing). The running bot never deploys.
 */
export async function deployCommands(argv: string[], env: NodeJS.ProcessEnv = process.env, out = process.stdout): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { guild: { type: 'string' } } });
  if (values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)) {
    process.stderr.write(`deploy-commands: --guild takes a server id (17-20 digits), not "${values.guild}"\n`);
    return 2;
  }
  let config;
  try {
    config = readBotConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`deploy-commands: ${err.message}\n`);
    return 1;
  }
  const body = await commandsJson();
  const rest = new REST(config.apiBase ? { api: config.apiBase } : {}).setToken(config.discordToken);
  const route = values.guild ? Routes.applicationGuildCommands(config.applicationId, values.guild) : Routes.applicationCommands(config.applicationId);
  const registered = (await rest.put(route, { body })) as { name: string }[];
  out.write(`Registered ${registered.length} commands (${registered.map((c) => `/${c.name}`).join(', ')}) ${values.guild ? `in server ${values.guild}` : 'globally (they can take a while to appear everywhere)'}.\n`);
  return 0;
}

if (isEntryPoint(import.meta.url)) {
  loadDotEnv();
  process.exitCode = await deployCommands(process.argv.slice(2));
}
