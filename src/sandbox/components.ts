/**
 * What a user can click: message components (buttons, select menus) and message context-menu
 * commands, as INTERACTION_CREATE data. Discord only sends an interaction for a component that
 * the message carries and that is enabled; a select's values must be among its options and
 * within its min/max; a button with a url sends nothing. The sandbox refuses (throws) what a
 * Discord client could not send, so a test cannot click a button the bot never posted.
 */
import type { APIMessage } from 'discord-api-types/v10';

interface RawComponent {
  type: number;
  custom_id?: string;
  disabled?: boolean;
  url?: string;
  options?: { value: string }[];
  min_values?: number;
  max_values?: number;
  components?: RawComponent[];
  accessory?: RawComponent;
}

/** Component types: 1 action row, 2 button, 3 string select, 5–8 user/role/mentionable/channel selects. */
const SELECTS = new Set([3, 5, 6, 7, 8]);

function* walk(list: readonly RawComponent[] | undefined): Generator<RawComponent> {
  for (const c of list ?? []) {
    yield c;
    yield* walk(c.components);
    if (c.accessory) yield c.accessory;
  }
}

/** INTERACTION_CREATE data for clicking `customId` on `message` (a button), or choosing `values` (a select menu). */
export function componentData(message: APIMessage, customId: string, values?: string[]): Record<string, unknown> {
  const component = [...walk(message.components as RawComponent[] | undefined)].find((c) => c.custom_id === customId);
  if (!component) throw new Error(`message ${message.id} has no component with custom_id ${JSON.stringify(customId)}: a Discord user could not click it`);
  if (component.disabled) throw new Error(`component ${customId} of message ${message.id} is disabled: Discord sends no interaction for it`);
  if (component.type === 2) {
    if (values !== undefined) throw new Error(`component ${customId} is a button: it takes no values`);
    if (component.url) throw new Error(`component ${customId} is a link button: Discord opens the url and sends no interaction`);
    return { custom_id: customId, component_type: 2 };
  }
  if (!SELECTS.has(component.type)) throw new Error(`component ${customId} (type ${component.type}) cannot be clicked`);
  const chosen = values ?? [];
  const min = component.min_values ?? 1;
  const max = component.max_values ?? 1;
  if (chosen.length < min || chosen.length > max) throw new Error(`select ${customId} takes ${min}–${max} values, not ${chosen.length}`);
  if (component.type === 3) {
    const allowed = new Set((component.options ?? []).map((o) => o.value));
    const unknown = chosen.filter((v) => !allowed.has(v));
    if (unknown.length > 0) throw new Error(`select ${customId} has no option ${JSON.stringify(unknown[0])}`);
  }
  return { custom_id: customId, component_type: component.type, values: chosen };
}

/** INTERACTION_CREATE data for a message context-menu command (application command type 3) on `target`. */
export function messageCommandData(command: { id: string; name: string }, target: APIMessage, guildId: string | null): Record<string, unknown> {
  return {
    id: command.id,
    name: command.name,
    type: 3,
    target_id: target.id,
    resolved: { messages: { [target.id]: target } },
    ...(guildId ? { guild_id: guildId } : {}),
  };
}

/**
 * Components as Discord stores and returns them: each gets an `id` (given ones kept, the rest
 * numbered in order of appearance, parents first, after the highest given), and select menus
 * their min_values/max_values defaults (1).
 */
export function normalizeComponents<T>(list: readonly T[]): T[] {
  const copy = structuredClone(list) as unknown as RawComponent[];
  const all = [...walk(copy)] as (RawComponent & { id?: number })[];
  let next = Math.max(0, ...all.map((c) => (typeof c.id === 'number' ? c.id : 0)));
  for (const c of all) {
    if (typeof c.id !== 'number') c.id = ++next;
    if (SELECTS.has(c.type)) {
      c.min_values ??= 1;
      c.max_values ??= 1;
    }
  }
  return copy as unknown as T[];
}
