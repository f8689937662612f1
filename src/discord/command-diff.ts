/**
 * Which application commands differ between what is deployed on Discord and what this build
 * registers: pure, for `emcee doctor` and for `deploy-commands` (which prints it before it
 * overwrites). Discord answers with fields the local JSON leaves out (id, application_id,
 * version, guild_id, integration_types, nsfw, localizations, an option's required: false…):
 * both sides are compared in a normalized form where a field left out and Discord's default
 * for it are the same, so only real differences count.
 */

type Json = Record<string, unknown>;

export interface CommandChange {
  /** `/chat`, or `"Count as answer…"` for a context-menu command. */
  command: string;
  /** The fields that differ, as paths: `description`, `options.setup.options.channel.required`. */
  fields: string[];
}

export interface CommandDiff {
  /** In this build, not deployed (deploy-commands would add them). */
  added: string[];
  /** Deployed, not in this build (deploy-commands would remove them). */
  removed: string[];
  changed: CommandChange[];
}

/** Fields Discord sets itself: never a difference. */
const SERVER_FIELDS = new Set(['id', 'application_id', 'version', 'guild_id', 'name_localized', 'description_localized']);

/** Discord's default for a top-level field the request may leave out. */
const COMMAND_DEFAULTS: Json = {
  type: 1, description: '', default_member_permissions: null, nsfw: false, contexts: null, integration_types: [0], dm_permission: true,
};
/** Discord's default for an option field the request may leave out. */
const OPTION_DEFAULTS: Json = { required: false, autocomplete: false };

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as Json).length === 0);

const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function normalizeOption(option: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries({ ...OPTION_DEFAULTS, ...defined(option) })) {
    if (key.endsWith('_localizations') || key.endsWith('_localized')) {
      if (!isEmpty(value)) out[key] = value;
    } else if (key === 'options' || key === 'choices' || key === 'channel_types') {
      if (!isEmpty(value)) out[key] = key === 'options' ? (value as Json[]).map(normalizeOption) : value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A command as compared: Discord's own fields dropped, defaults filled in, empty lists and maps dropped. */
export function normalizeCommand(command: Json, scope: 'global' | 'guild'): Json {
  const out: Json = {};
  const merged: Json = { ...COMMAND_DEFAULTS, ...defined(command) };
  // contexts replaced dm_permission: when it is set, Discord derives dm_permission from it.
  // Guild commands have neither integration_types nor dm_permission.
  if (!isEmpty(merged.contexts) || scope === 'guild') delete merged.dm_permission;
  if (scope === 'guild') delete merged.integration_types;
  for (const [key, value] of Object.entries(merged)) {
    if (SERVER_FIELDS.has(key)) continue;
    if (key.endsWith('_localizations')) {
      if (!isEmpty(value)) out[key] = value;
    } else if (key === 'options') {
      if (!isEmpty(value)) out[key] = (value as Json[]).map(normalizeOption);
    } else if (key === 'default_member_permissions') {
      out[key] = value === null ? null : String(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** How a command is named in the diff: `/chat` for a slash command, `"Not an answer"` (type) for a context-menu one. */
export function commandLabel(command: Json): string {
  const type = (command.type as number | undefined) ?? 1;
  return type === 1 ? `/${String(command.name)}` : `"${String(command.name)}" (${type === 3 ? 'message' : 'user'} menu)`;
}

const keyOf = (command: Json): string => `${(command.type as number | undefined) ?? 1}:${String(command.name)}`;

/** The paths at which two normalized values differ (options matched by name, so a reorder shows as "order"). */
function differences(a: unknown, b: unknown, path: string): string[] {
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every((o) => o && typeof o === 'object' && 'name' in (o as Json))) {
    const names = (list: unknown[]) => list.map((o) => String((o as Json).name));
    const [an, bn] = [names(a), names(b)];
    const out = [
      ...bn.filter((n) => !an.includes(n)).map((n) => `${path}.${n} (added)`),
      ...an.filter((n) => !bn.includes(n)).map((n) => `${path}.${n} (removed)`),
      ...an.filter((n) => bn.includes(n)).flatMap((n) => differences(a[an.indexOf(n)], b[bn.indexOf(n)], `${path}.${n}`)),
    ];
    const common = an.filter((n) => bn.includes(n));
    if (out.length === 0 && common.join('\n') !== bn.filter((n) => an.includes(n)).join('\n')) out.push(`${path} (order)`);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path];
}

/**
 * What deploying `local` over `deployed` would change. Commands are matched by type and
 * name; the lists come out in the local (then deployed) order.
 */
export function diffCommands(deployed: readonly Json[], local: readonly Json[], scope: 'global' | 'guild' = 'global'): CommandDiff {
  const deployedByKey = new Map(deployed.map((c) => [keyOf(c), c]));
  const localKeys = new Set(local.map(keyOf));
  const changed: CommandChange[] = [];
  for (const command of local) {
    const there = deployedByKey.get(keyOf(command));
    if (!there) continue;
    const fields = differences(normalizeCommand(there, scope), normalizeCommand(command, scope), '');
    if (fields.length > 0) changed.push({ command: commandLabel(command), fields });
  }
  return {
    added: local.filter((c) => !deployedByKey.has(keyOf(c))).map(commandLabel),
    removed: deployed.filter((c) => !localKeys.has(keyOf(c))).map(commandLabel),
    changed,
  };
}

export const isNoChange = (diff: CommandDiff): boolean => diff.added.length + diff.removed.length + diff.changed.length === 0;

/** The diff as lines for a terminal: "no changes", or one line per command added, removed or changed. */
export function describeCommandDiff(diff: CommandDiff): string[] {
  if (isNoChange(diff)) return ['no changes'];
  return [
    ...diff.added.map((c) => `+ ${c} (new)`),
    ...diff.removed.map((c) => `- ${c} (no longer in this build)`),
    ...diff.changed.map((c) => `~ ${c.command}: ${c.fields.join(', ')}`),
  ];
}
