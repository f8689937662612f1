/** The application's slash commands, as bulk overwrites (global or per guild) leave them. */
import type { APIApplicationCommand } from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { formError } from './errors.ts';
import { clone } from './model.ts';

export class Commands {
  private global: APIApplicationCommand[] = [];
  private readonly perGuild = new Map<string, APIApplicationCommand[]>();
  private last: APIApplicationCommand[] = [];

  constructor(private readonly dir: Directory) {}

  /** The command an interaction named: the guild's own first, then the global one. */
  find(guildId: string, name: string): { command: APIApplicationCommand; guild: boolean } | undefined {
    const own = (this.perGuild.get(guildId) ?? []).find((c) => c.name === name);
    if (own) return { command: own, guild: true };
    const global = this.global.find((c) => c.name === name);
    return global ? { command: global, guild: false } : undefined;
  }

  /**
   * GET /applications/{app}/commands (guildId null) and …/guilds/{guild}/commands. Without
   * with_localizations, Discord leaves the localization maps out.
   */
  list(guildId: string | null, withLocalizations: boolean): APIApplicationCommand[] {
    if (guildId !== null) this.dir.checkGuild(guildId);
    const list = clone(guildId === null ? this.global : (this.perGuild.get(guildId) ?? []));
    if (withLocalizations) return list;
    return list.map(({ name_localizations: _n, description_localizations: _d, ...rest }) => rest as APIApplicationCommand);
  }

  lastOverwritten(): APIApplicationCommand[] {
    return clone(this.last);
  }

  private validate(raw: unknown, path: string): Record<string, unknown> {
    if (!raw || typeof raw !== 'object') throw formError(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const cmd = raw as Record<string, unknown>;
    const type = typeof cmd.type === 'number' ? cmd.type : 1;
    if (typeof cmd.name !== 'string') throw formError(`${path}.name`, 'BASE_TYPE_REQUIRED', 'This field is required');
    if (type === 1) {
      if (!/^[-_\p{Ll}\p{Lm}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u.test(cmd.name)) {
        throw formError(`${path}.name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      }
      if (typeof cmd.description !== 'string' || cmd.description.length < 1 || cmd.description.length > 100) {
        throw formError(`${path}.description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      }
    }
    if (type === 2 || type === 3) {
      // User and message context-menu commands: any characters (spaces, capitals), no description, no options.
      if (cmd.name.length < 1 || cmd.name.length > 32) throw formError(`${path}.name`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
      if (typeof cmd.description === 'string' && cmd.description !== '') {
        throw formError(`${path}.description`, 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', 'Context menu commands cannot have description');
      }
      if (Array.isArray(cmd.options) && cmd.options.length > 0) throw formError(`${path}.options`, 'APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS', 'Context menu commands cannot have options');
    }
    if (cmd.options !== undefined) {
      if (!Array.isArray(cmd.options) || cmd.options.length > 25) {
        throw formError(`${path}.options`, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      }
      cmd.options.forEach((option, i) => this.validate({ ...(option as object), type: 1 }, `${path}.options.${i}`));
    }
    return cmd;
  }

  private store(raw: Record<string, unknown>, guildId: string | null, previous: APIApplicationCommand[]): APIApplicationCommand {
    const type = typeof raw.type === 'number' ? raw.type : 1;
    const existing = previous.find((c) => c.name === raw.name && (c.type ?? 1) === type);
    return {
      ...clone(raw),
      id: existing?.id ?? this.dir.ids.next(),
      application_id: this.dir.applicationId,
      version: this.dir.ids.next(),
      type,
      name: raw.name,
      name_localizations: raw.name_localizations ?? null,
      description: typeof raw.description === 'string' ? raw.description : '',
      description_localizations: raw.description_localizations ?? null,
      default_member_permissions: raw.default_member_permissions ?? null,
      nsfw: raw.nsfw === true,
      ...(guildId === null
        ? { integration_types: raw.integration_types ?? [0], contexts: raw.contexts ?? null, dm_permission: raw.dm_permission ?? true }
        : { guild_id: guildId }),
      ...(Array.isArray(raw.options) ? { options: clone(raw.options) } : {}),
    } as unknown as APIApplicationCommand;
  }

  /** PUT /applications/{app}/commands and /applications/{app}/guilds/{guild}/commands. */
  overwrite(guildId: string | null, body: unknown): APIApplicationCommand[] {
    if (guildId !== null) this.dir.checkGuild(guildId);
    if (!Array.isArray(body)) throw formError('_root', 'BASE_TYPE_LIST', 'Must be an array.');
    if (body.length > 100) throw formError('_root', 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    const validated = body.map((raw, i) => this.validate(raw, String(i)));
    const previous = guildId === null ? this.global : (this.perGuild.get(guildId) ?? []);
    const stored = validated.map((raw) => this.store(raw, guildId, previous));
    if (guildId === null) this.global = stored;
    else this.perGuild.set(guildId, stored);
    this.last = stored;
    return clone(stored);
  }
}
