/**
 * Interactions in flight: INTERACTION_CREATE, the bot's callback within Discord's 3 s, and the
 * interaction webhook (follow-ups, the original response) for 15 minutes (see limits.ts).
 */
import { randomBytes } from 'node:crypto';
import type { APIChatInputApplicationCommandGuildInteraction, APIInteraction, APIMessage, APIUser } from 'discord-api-types/v10';
import { ApplicationIntegrationType, GatewayDispatchEvents as E, InteractionContextType, Locale } from 'discord-api-types/v10';
import type { Commands } from './commands.ts';
import type { Directory } from './directory.ts';
import { ApiError, formError } from './errors.ts';
import { realNow, type InteractionDeadlines } from './limits.ts';
import { componentData, messageCommandData } from './components.ts';
import { validateBody } from './message-body.ts';
import type { Messages } from './messages.ts';
import { clone, Flags, MessageTypes, type MessageBody, type MessageRecord, type RecordedCallback, type UploadedFile } from './model.ts';

export interface InteractionRecord {
  id: string;
  token: string;
  type: 2 | 3 | 4 | 5;
  user: APIUser;
  /** The message whose component was used (type 3, or a modal opened from one), or a context menu's target. */
  messageId: string | null;
  /** A modal submit's: the interaction whose response opened the modal (null: the test injected it without one). */
  trigger: InteractionRecord | null;
  channelId: string;
  data: Record<string, unknown>;
  callback: RecordedCallback | null;
  waiters: { resolve: (callback: RecordedCallback) => void; reject: (error: Error) => void }[];
  /** Real time (performance.now) of creation: Discord's deadlines count from here. */
  createdReal: number;
  /** Why the interaction can no longer be answered (too late, or refused), once it cannot. */
  failure: Error | null;
  originalId: string | null;
  followUpIds: string[];
}

export interface InteractOptions {
  userId: string;
  channelId: string;
  name: string;
  options?: unknown[];
  type?: 2 | 3 | 4 | 5;
  /**
   * Type 3: the message carrying the component `name` (its custom_id). Type 2: the target of a
   * message context-menu command. Type 5: the message whose component opened the modal.
   */
  messageId?: string;
  /** Type 3 on a select menu: the values chosen. */
  values?: string[];
  data?: Record<string, unknown>;
}

const CALLBACK_TYPES = [1, 4, 5, 6, 7, 8, 9, 10, 12];

export class Interactions {
  private readonly byId = new Map<string, InteractionRecord>();
  private readonly byTokenMap = new Map<string, InteractionRecord>();
  /** The interaction whose response (type 9) showed each user a modal, by `${userId}:${custom_id}`. */
  private readonly modalOpeners = new Map<string, InteractionRecord>();

  constructor(
    private readonly dir: Directory,
    private readonly messages: Messages,
    private readonly commands: Commands,
    private readonly deadlines: InteractionDeadlines,
    private readonly maxUploadBytes: number,
  ) {}

  /** The `resolved` users, members, roles and channels that user/role/channel options name. */
  private resolvedFor(options: unknown[]): Record<string, Record<string, unknown>> | undefined {
    const dir = this.dir;
    const resolved: Record<string, Record<string, unknown>> = {};
    const add = (kind: string, id: string, value: unknown): void => {
      (resolved[kind] ??= {})[id] = value;
    };
    const walk = (list: unknown[]): void => {
      for (const raw of list) {
        if (!raw || typeof raw !== 'object') continue;
        const option = raw as Record<string, unknown>;
        if (Array.isArray(option.options)) walk(option.options);
        const value = typeof option.value === 'string' ? option.value : null;
        if (value === null) continue;
        const type = option.type;
        if ((type === 6 || type === 9) && dir.members.has(value)) {
          add('users', value, dir.user(value));
          add('members', value, { ...dir.memberWithoutUser(value), permissions: dir.permissionsOf(value).toString() });
        } else if ((type === 8 || type === 9) && dir.roles.has(value)) {
          add('roles', value, clone(dir.roles.get(value)));
        } else if (type === 7 && dir.channels.has(value)) {
          const channel = dir.requireChannel(value).channel;
          add('channels', value, {
            id: channel.id,
            name: channel.name,
            type: channel.type,
            permissions: dir.permissionsOf(dir.botUser.id).toString(),
            ...(channel.type !== 0 ? { parent_id: channel.parent_id, thread_metadata: clone(channel.thread_metadata) } : {}),
          });
        }
      }
    };
    walk(options);
    return Object.keys(resolved).length > 0 ? resolved : undefined;
  }

  interact(opts: InteractOptions): InteractionRecord {
    const dir = this.dir;
    const user = dir.requireMember(opts.userId).user;
    const channel = dir.requireChannel(opts.channelId).channel;
    const guildId = dir.guildOf(channel.id);
    const type = opts.type ?? 2;
    const target = opts.messageId === undefined ? null : this.messages.view(this.messages.requireMessage(opts.messageId, channel.id));
    let data: Record<string, unknown>;
    if (type === 5) {
      data = { custom_id: opts.name, components: [], ...(opts.data ?? {}) };
    } else if (type === 3) {
      if (!target) throw new Error('a component interaction (type 3) needs the messageId of the message that carries the component');
      data = { ...componentData(target, opts.name, opts.values), ...(opts.data ?? {}) };
    } else if (type === 2 && this.commands.find(guildId, opts.name)?.command.type === 3) {
      const found = this.commands.find(guildId, opts.name)!;
      if (!target) throw new Error(`/${opts.name} is a message context-menu command: it needs the messageId of its target`);
      data = { ...messageCommandData(found.command, target, found.guild ? guildId : null), ...(opts.data ?? {}) };
    } else {
      const found = this.commands.find(guildId, opts.name);
      const options = opts.options ?? [];
      const resolved = this.resolvedFor(options);
      data = {
        id: found?.command.id ?? dir.ids.next(),
        name: opts.name,
        type: found?.command.type ?? 1,
        ...(options.length > 0 ? { options: clone(options) } : {}),
        ...(resolved ? { resolved } : {}),
        ...(found?.guild ? { guild_id: guildId } : {}),
        ...(opts.data ?? {}),
      };
    }
    const trigger = type === 5 ? (this.modalOpeners.get(`${user.id}:${opts.name}`) ?? null) : null;
    const id = dir.ids.next();
    const token = Buffer.from(`interaction:${id}:${randomBytes(24).toString('hex')}`).toString('base64url');
    const record: InteractionRecord = {
      id, token, type, user, channelId: channel.id, data,
      // A modal opened from a component carries that component's message.
      messageId: target?.id ?? (trigger?.type === 3 ? trigger.messageId : null),
      trigger,
      callback: null,
      waiters: [],
      createdReal: realNow(),
      failure: null,
      originalId: null,
      followUpIds: [],
    };
    // Unanswered after the deadline: whoever waits for the callback learns it now.
    const subcommand = opts.options?.[0] as { type?: number; name?: string } | undefined;
    const what = type === 4 ? 'autocomplete' : type === 5 ? 'modal submission' : type === 3 ? `component ${opts.name}` : `/${opts.name}${subcommand?.type === 1 ? ` ${subcommand.name}` : ''}`;
    setTimeout(() => {
      if (!record.callback) this.fail(record, new Error(`interaction ${id} (${what}) was not answered within ${this.deadlines.callbackMs} ms: Discord would show "The application did not respond"`));
    }, this.deadlines.callbackMs + 50).unref();
    this.byId.set(id, record);
    this.byTokenMap.set(token, record);
    dir.dispatch(E.InteractionCreate, this.payload(record, guildId));
    return record;
  }

  /**
   * INTERACTION_CREATE's data. Every field is checked against discord-api-types' guild
   * chat-input interaction except `type` and `data`: `data` carries the test's raw options
   * (and modal/autocomplete data), so those two are asserted.
   */
  private payload(record: InteractionRecord, guildId: string): APIInteraction {
    const dir = this.dir;
    const channel = dir.requireChannel(record.channelId).channel;
    const common = {
      id: record.id,
      application_id: dir.applicationId,
      guild_id: guildId,
      guild: { id: guildId, locale: Locale.EnglishUS, features: [] },
      channel: clone(channel),
      channel_id: channel.id,
      member: { ...dir.memberPayload(record.user.id), permissions: dir.permissionsOf(record.user.id).toString() },
      token: record.token,
      version: 1,
      app_permissions: dir.permissionsOf(dir.botUser.id).toString(),
      locale: Locale.EnglishUS,
      guild_locale: Locale.EnglishUS,
      entitlements: [],
      authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guildId },
      context: InteractionContextType.Guild,
      attachment_size_limit: this.maxUploadBytes,
    } satisfies Omit<APIChatInputApplicationCommandGuildInteraction, 'type' | 'data'>;
    // Component interactions (and modals opened from one) carry the message the component is on.
    const message = record.messageId && record.type !== 2 ? { message: this.messages.view(this.messages.requireMessage(record.messageId)) } : {};
    return { ...common, type: record.type, data: clone(record.data), ...message } as unknown as APIInteraction;
  }

  private message(record: InteractionRecord, body: MessageBody, files: UploadedFile[], loading: boolean): MessageRecord {
    const { type, data, user } = record;
    const flags = typeof body.flags === 'number' ? body.flags : 0;
    const command = type === 2 ? { name: data.name as string, command_type: data.type as number } : {};
    return this.messages.create({
      channelId: record.channelId,
      author: this.dir.botUser,
      body,
      files,
      type: type === 2 ? MessageTypes.ChatInputCommand : MessageTypes.Default,
      ephemeral: (flags & Flags.Ephemeral) !== 0,
      loading,
      extra: {
        webhook_id: this.dir.applicationId,
        application_id: this.dir.applicationId,
        interaction_metadata: { ...this.metadata(record), ...command },
        ...(type === 2 ? { interaction: { id: record.id, type, name: data.name, user: clone(user) } } : {}),
      } as Partial<APIMessage>,
    });
  }

  /**
   * A response message's interaction_metadata, as Discord gives it: a component's names the
   * message it was on; a context-menu command's its target; a modal submit's the interaction
   * that opened the modal (one made up, of a slash command, when a test injected the submit).
   */
  private metadata(record: InteractionRecord): Record<string, unknown> {
    const guildId = this.dir.guildOf(record.channelId);
    const base = { id: record.id, type: record.type, user: clone(record.user), authorizing_integration_owners: { '0': guildId } };
    if (record.type === 3) return { ...base, interacted_message_id: record.messageId };
    if (record.type === 2 && record.messageId) return { ...base, target_message_id: record.messageId };
    if (record.type !== 5) return base;
    const trigger = record.trigger ? this.metadata(record.trigger) : { ...base, id: this.dir.ids.next(), type: 2 };
    return { ...base, triggering_interaction_metadata: trigger };
  }

  /** POST /interactions/{id}/{token}/callback */
  callback(id: string, token: string, body: unknown, files: UploadedFile[], withResponse: boolean): unknown {
    const record = this.byId.get(id);
    if (!record || record.token !== token) throw new ApiError(404, 10062, 'Unknown interaction');
    if (record.callback) throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
    const age = realNow() - record.createdReal;
    if (age > this.deadlines.callbackMs) {
      this.fail(record, new Error(`interaction ${record.id} was answered ${Math.round(age)} ms after it was created; Discord refuses an initial response after ${this.deadlines.callbackMs} ms (10062 Unknown interaction)`));
      throw new ApiError(404, 10062, 'Unknown interaction');
    }
    const raw = (body ?? {}) as { type?: unknown; data?: unknown };
    if (typeof raw.type !== 'number' || !CALLBACK_TYPES.includes(raw.type)) {
      throw formError('type', 'BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.');
    }
    this.checkCallbackType(record, raw.type);
    const data = (raw.data ?? undefined) as MessageBody | undefined;
    let original: MessageRecord | undefined;
    if ((raw.type === 6 || raw.type === 7) && record.messageId) {
      // Acknowledged by updating the component's own message (now, or later through @original).
      const target = this.messages.requireMessage(record.messageId);
      if (raw.type === 7) {
        validateBody(data ?? {}, files.length > 0, false);
        this.messages.applyEdit(target, data ?? {}, files);
        target.message.edited_timestamp = this.dir.isoNow();
        this.messages.updated(target);
      }
      record.originalId = target.message.id;
    } else if (raw.type === 4) {
      original = this.message(record, data ?? {}, files, false);
    } else if (raw.type === 5) {
      original = this.message(record, { flags: data?.flags }, [], true);
    }
    if (original) record.originalId = original.message.id;
    const callback: RecordedCallback = { type: raw.type, ...(raw.data !== undefined ? { data: clone(raw.data) } : {}) };
    const modalId = raw.type === 9 ? (raw.data as { custom_id?: unknown } | undefined)?.custom_id : undefined;
    if (typeof modalId === 'string') this.modalOpeners.set(`${record.user.id}:${modalId}`, record);
    record.callback = callback;
    for (const waiter of record.waiters.splice(0)) waiter.resolve(clone(callback));
    if (!withResponse) return undefined;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        ...(original
          ? {
              response_message_id: original.message.id,
              response_message_loading: raw.type === 5,
              response_message_ephemeral: original.ephemeral,
            }
          : {}),
      },
      ...(original ? { resource: { type: raw.type, message: this.messages.view(original) } } : { resource: { type: raw.type } }),
    };
  }

  /**
   * Discord's rules on which response fits which interaction: updating the message (6, 7) only
   * answers a component, or a modal opened from one; a modal (9) cannot answer a modal submit
   * or an autocomplete; autocomplete results (8) only answer an autocomplete.
   */
  private checkCallbackType(record: InteractionRecord, type: number): void {
    const fromComponent = record.type === 3 || (record.type === 5 && record.messageId !== null);
    const fits = type === 6 || type === 7 ? fromComponent
      : type === 9 ? record.type === 2 || record.type === 3
        : type === 8 ? record.type === 4
          : record.type !== 4 || type === 8;
    if (!fits) throw formError('type', 'INTERACTION_CALLBACK_TYPE_INVALID', `Interaction callback type ${type} is not valid for interaction type ${record.type}.`);
  }

  /** Resolves with the bot's initial response; rejects if it came too late or never. */
  waitForCallback(record: InteractionRecord): Promise<RecordedCallback> {
    if (record.callback) return Promise.resolve(clone(record.callback));
    if (record.failure) return Promise.reject(record.failure);
    return new Promise((resolve, reject) => record.waiters.push({ resolve, reject }));
  }

  private fail(record: InteractionRecord, error: Error): void {
    record.failure ??= error;
    for (const waiter of record.waiters.splice(0)) waiter.reject(record.failure);
  }

  private byToken(applicationId: string, token: string): InteractionRecord {
    const record = this.byTokenMap.get(token);
    if (!record || applicationId !== this.dir.applicationId) throw new ApiError(404, 10015, 'Unknown Webhook');
    if (realNow() - record.createdReal > this.deadlines.tokenMs) throw new ApiError(401, 50027, 'Invalid Webhook Token');
    return record;
  }

  private webhookMessage(record: InteractionRecord, messageId: string): MessageRecord {
    const id = messageId === '@original' ? record.originalId : messageId;
    if (!id || (id !== record.originalId && !record.followUpIds.includes(id))) throw new ApiError(404, 10008, 'Unknown Message');
    return this.messages.requireMessage(id);
  }

  private isLoading(message: MessageRecord): boolean {
    return ((message.message.flags ?? 0) & Flags.Loading) !== 0;
  }

  /** POST /webhooks/{app}/{token}: a follow-up (or, after a defer, the original response). */
  execute(applicationId: string, token: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    const record = this.byToken(applicationId, token);
    if (!record.callback) throw new ApiError(404, 10015, 'Unknown Webhook');
    const original = record.originalId ? this.messages.records.get(record.originalId) : undefined;
    if (original && !original.deleted && this.isLoading(original)) {
      // Discord: the first follow-up after a deferred response edits the loading message.
      this.fillLoading(original, body, files);
      return this.messages.view(original);
    }
    const message = this.message(record, body, files, false);
    record.followUpIds.push(message.message.id);
    return this.messages.view(message);
  }

  private fillLoading(record: MessageRecord, body: MessageBody, files: UploadedFile[]): void {
    validateBody(body, files.length > 0, false);
    this.messages.applyEdit(record, body, files);
    record.message.flags = (record.message.flags ?? 0) & ~Flags.Loading;
    this.messages.updated(record);
  }

  /** PATCH /webhooks/{app}/{token}/messages/{id | @original} */
  edit(applicationId: string, token: string, messageId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    const record = this.byToken(applicationId, token);
    const message = this.webhookMessage(record, messageId);
    if (this.isLoading(message)) {
      this.fillLoading(message, body, files);
    } else {
      this.messages.applyEdit(message, body, files);
      message.message.edited_timestamp = this.dir.isoNow();
      this.messages.updated(message);
    }
    return this.messages.view(message);
  }

  /** GET /webhooks/{app}/{token}/messages/{id | @original} */
  get(applicationId: string, token: string, messageId: string): APIMessage {
    return this.messages.view(this.webhookMessage(this.byToken(applicationId, token), messageId));
  }

  followUps(record: InteractionRecord): APIMessage[] {
    const ids = [...(record.originalId ? [record.originalId] : []), ...record.followUpIds];
    return ids
      .map((id) => this.messages.records.get(id))
      .filter((m): m is MessageRecord => m !== undefined && !m.deleted)
      .map((m) => this.messages.view(m));
  }

  original(record: InteractionRecord): APIMessage | undefined {
    const message = record.originalId ? this.messages.records.get(record.originalId) : undefined;
    return message && !message.deleted ? this.messages.view(message) : undefined;
  }
}
