import type { SlashCommand } from '../interactions.ts';
import { undeclaredSubcommands } from '../preconditions.ts';
import * as bank from './bank.ts';
import * as chat from './chat.ts';
import { messageCommands } from './corrections.ts';

/**
 * The command registry: a typed static list. Each module in this folder is one slash command
 * exporting `data`, `preconditions` (per subcommand) and `execute` (and optionally
 * `autocomplete` and `modals`); `satisfies`
 * makes the compiler check every module against SlashCommand, where a readdir + import +
 * cast checked nothing until run time and needed the folder next to the running code.
 * Adding a command is adding a file and a line here (test/discord/commands-registry.test.ts fails
 * for a file here that is not listed).
 */
const ALL = [bank, chat] as const satisfies readonly SlashCommand[];

/** Throws if two commands share a name (Discord would keep only one of them). */
export function checkCommandNames(list: readonly SlashCommand[]): void {
  const names = list.map((c) => c.data.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`two commands are named ${dup}`);
}

/** Throws for a subcommand without declared preconditions: the dispatcher would refuse to run it. */
export function checkPreconditionsDeclared(list: readonly SlashCommand[]): void {
  for (const c of list) {
    const missing = undeclaredSubcommands(c);
    if (missing.length) throw new Error(`/${c.data.name} ${missing.join(', ')}: no preconditions declared`);
  }
}

checkCommandNames(ALL);
checkPreconditionsDeclared(ALL);

/** Every slash command, sorted by name. */
export const commands: readonly SlashCommand[] = [...ALL].sort((a, b) => a.data.name.localeCompare(b.data.name));

/**
 * The commands the bot serves. Synchronous now (nothing is read from disk); callers that
 * still `await` it get the same list.
 */
export function loadCommands(): SlashCommand[] {
  return [...commands];
}

/**
 * Modules of this folder that hold message context-menu commands (right-click a message,
 * Apps) rather than a slash command: each exports `messageCommands`.
 */
export const messageCommandModules = ['corrections'] as const;
export { messageCommands };

/** The slash commands' JSON. */
export function commandsJson() {
  return commands.map((c) => c.data.toJSON());
}

/** The JSON that `npm run deploy-commands` registers: the slash commands, then the message context-menu commands. */
export function applicationCommandsJson() {
  return [...commandsJson(), ...messageCommands.map((c) => c.data.toJSON())];
}
