import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SlashCommand } from '../src/discord/interactions.ts';

const DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * The command registry: every other .ts file in commands/ is one slash command exporting
 * `data` and `execute` (and optionally `autocomplete` and `modals`). Adding a command is
 * adding a file.
 */
export async function loadCommands(): Promise<SlashCommand[]> {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.d.ts')).sort();
  const commands: SlashCommand[] = [];
  for (const file of files) {
    const mod = (await import(new URL(file, import.meta.url).href)) as Partial<SlashCommand>;
    if (!mod.data || typeof mod.execute !== 'function') throw new Error(`commands/${file} must export data and execute`);
    commands.push(mod as SlashCommand);
  }
  const names = commands.map((c) => c.data.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`two commands are named ${dup}`);
  return commands;
}

/** The JSON that `npm run deploy-commands` registers. */
export async function commandsJson() {
  return (await loadCommands()).map((c) => c.data.toJSON());
}
