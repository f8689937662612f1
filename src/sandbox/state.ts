import { randomBytes } from 'node:crypto';
import type {
  APIApplicationCommand,
  APIAttachment,
  APIEmbed,
  APIGuildMember,
  APIMessage,
  APIMessageTopLevelComponent,
  APIRole,
  APITextChannel,
  APIThreadChannel,
  APIUser,
} from 'discord-api-types/v10';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import type { Clock } from '../core/clock.ts';
import { DISCORD_INTERACTION_DEADLINES, DISCORD_MAX_UPLOAD_BYTES, realNow, type InteractionDeadlines } from './limits.ts';
import { compareSnowflakes, Snowflakes } from './snowflake.ts';

/** A user payload as Discord sends it (APIUser). */
export type SandboxUser = APIUser;
/** A guild text channel (type 0) or thread (type 11/12) payload. */
export type SandboxChannel = APITextChannel | APIThreadChannel;
/** A Discord message payload (APIMessage). */
export type SandboxMessage = APIMessage;

export interface RecordedCallback {
  type: number;
  data?: unknown;
}

/** An error that REST turns into a Discord-shaped JSON error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

function formError(field: string, code: string, message: string): ApiError {
  const errors: Record<string, unknown> = {};
  let cursor = errors;
  const parts = field.split('.');
  parts.forEach((part, i) => {
    const next: Record<string, unknown> = i === parts.length - 1 ? { _errors: [{ code, message }] } : {};
    cursor[part] = next;
    cursor = next;
  });
  return new ApiError(400, 50035, 'Invalid Form Body', errors);
}

const P = PermissionFlagsBits;
export const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);
/** What @everyone may do in the sandbox guild (close to Discord's defaults). */
export const EVERYONE_PERMISSIONS =
  P.CreateInstantInvite | P.AddReactions | P.Stream | P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles |
  P.ReadMessageHistory | P.UseExternalEmojis | P.Connect | P.Speak | P.UseVAD | P.ChangeNickname |
  P.UseApplicationCommands | P.RequestToSpeak | P.CreatePublicThreads | P.CreatePrivateThreads |
  P.UseExternalStickers | P.SendMessagesInThreads | P.UseEmbeddedActivities | P.SendVoiceMessages | P.SendPolls |
  P.UseExternalApps;
/** The bot's managed role: what a bot is usually invited with, short of Administrator. */
export const BOT_PERMISSIONS =
  EVERYONE_PERMISSIONS | P.ManageMessages | P.ManageThreads | P.MentionEveryone | P.ManageChannels | P.ManageRoles;

const MessageTypes = { Default: 0, Reply: 19, ChatInputCommand: 20 } as const;
const Flags = {
  HasThread: 1 << 5,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressEmbeds: 1 << 2,
  SuppressNotifications: 1 << 12,
  IsComponentsV2: 1 << 15,
} as const;
const SETTABLE_FLAGS = Flags.SuppressEmbeds | Flags.SuppressNotifications | Flags.IsComponentsV2;

interface MemberRecord {
  user: APIUser;
  roles: string[];
  joinedAt: string;
}

interface ChannelRecord {
  channel: SandboxChannel;
  messageIds: string[];
}

interface MessageRecord {
  message: APIMessage;
  deleted: boolean;
  /** Kept out of the stored message: Discord only echoes it on create. */
  nonce?: string | number;
  enforceNonce: boolean;
  createdMs: number;
  ephemeral: boolean;
}

export interface InteractionRecord {
  id: string;
  token: string;
  payload: Record<string, unknown>;
  callback: RecordedCallback | null;
  waiters: { resolve: (callback: RecordedCallback) => void; reject: (error: Error) => void }[];
  /** Real time (performance.now) of creation: Discord's deadlines count from here. */
  createdReal: number;
  /** Why the interaction can no longer be answered (too late, or refused), once it cannot. */
  failure: Error | null;
  originalId: string | null;
  followUpIds: string[];
}

export interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
  replied_user?: boolean;
}

export interface UploadedFile {
  field: string;
  name: string;
  size: number;
  contentType?: string;
}

/** The fields of a message create/edit body the sandbox honours. */
export interface MessageBody {
  content?: unknown;
  embeds?: unknown;
  allowed_mentions?: unknown;
  message_reference?: unknown;
  nonce?: unknown;
  enforce_nonce?: unknown;
  flags?: unknown;
  components?: unknown;
  attachments?: unknown;
  sticker_ids?: unknown;
  poll?: unknown;
  tts?: unknown;
}

export type Dispatch = (event: string, data: unknown) => void;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * The sandbox's world: one guild with its roles, members, channels, threads and messages,
 * the application's commands and the interactions in flight. REST routes and the test-facing
 * API both act through it; every change is dispatched to the gateway like Discord does.
 */
export class World {
  readonly ids: Snowflakes;
  readonly token = 'sandbox-bot-token';
  readonly applicationId: string;
  readonly botUser: APIUser;
  readonly owner: APIUser;
  readonly guild: { id: string; name: string; ownerId: string };
  readonly botRoleId: string;
  readonly joinedAt: string;

  /**
   * Further servers the bot is in (createGuild). A simplification: users, members and roles
   * other than @everyone are shared by every sandbox guild; channels belong to one.
   */
  private readonly otherGuilds = new Map<string, { id: string; name: string; ownerId: string }>();
  private readonly members = new Map<string, MemberRecord>();
  private readonly roles = new Map<string, APIRole>();
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly messageRecords = new Map<string, MessageRecord>();
  private readonly interactions = new Map<string, InteractionRecord>();
  private readonly interactionsByToken = new Map<string, InteractionRecord>();
  private globalCommands: APIApplicationCommand[] = [];
  private readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  private lastCommands: APIApplicationCommand[] = [];
  dispatch: Dispatch = () => {};

  constructor(
    private readonly clock: Clock,
    private readonly baseUrl: () => string,
    private readonly deadlines: InteractionDeadlines = DISCORD_INTERACTION_DEADLINES,
    private readonly maxUploadBytes: number = DISCORD_MAX_UPLOAD_BYTES,
  ) {
    this.ids = new Snowflakes(clock);
    this.applicationId = this.ids.next();
    this.joinedAt = this.isoNow();
    // The bot user shares the application's id, as on Discord.
    this.botUser = this.makeUser(this.applicationId, 'sandbox-bot', true);
    const guildId = this.ids.next();
    this.owner = this.makeUser(this.ids.next(), 'owner', false);
    this.guild = { id: guildId, name: 'Sandbox Guild', ownerId: this.owner.id };
    this.roles.set(guildId, this.makeRole(guildId, '@everyone', EVERYONE_PERMISSIONS, 0));
    this.botRoleId = this.ids.next();
    this.roles.set(this.botRoleId, {
      ...this.makeRole(this.botRoleId, 'sandbox-bot', BOT_PERMISSIONS, 1),
      managed: true,
      tags: { bot_id: this.botUser.id },
    });
    this.members.set(this.owner.id, { user: this.owner, roles: [], joinedAt: this.joinedAt });
    this.members.set(this.botUser.id, { user: this.botUser, roles: [this.botRoleId], joinedAt: this.joinedAt });
  }

  isoNow(): string {
    return this.clock.now().toISOString();
  }

  // ---------------------------------------------------------------- users, roles, members

  private makeUser(id: string, username: string, bot: boolean): APIUser {
    return {
      id,
      username,
      discriminator: '0',
      global_name: bot ? null : username,
      avatar: null,
      ...(bot ? { bot: true } : {}),
      public_flags: 0,
      flags: 0,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
    } as unknown as APIUser;
  }

  private makeRole(id: string, name: string, permissions: bigint, position: number): APIRole {
    return {
      id,
      name,
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions: permissions.toString(),
      managed: false,
      mentionable: false,
      flags: 0,
    } as unknown as APIRole;
  }

  createUser(username: string, opts: { bot?: boolean; roles?: string[] } = {}): APIUser {
    const user = this.makeUser(this.ids.next(), username, opts.bot ?? false);
    const roles = [...(opts.roles ?? [])];
    for (const roleId of roles) this.requireRole(roleId);
    this.members.set(user.id, { user, roles, joinedAt: this.isoNow() });
    this.dispatch('GUILD_MEMBER_ADD', { ...this.memberPayload(user.id), guild_id: this.guild.id });
    return clone(user);
  }

  createRole(name: string, permissions: bigint): { id: string; name: string } {
    const id = this.ids.next();
    const role = this.makeRole(id, name, permissions, this.roles.size);
    this.roles.set(id, role);
    this.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guild.id, role: clone(role) });
    return { id, name };
  }

  addRole(userId: string, roleId: string): void {
    const member = this.requireMember(userId);
    this.requireRole(roleId);
    if (!member.roles.includes(roleId)) member.roles.push(roleId);
    this.dispatch('GUILD_MEMBER_UPDATE', { ...this.memberPayload(userId), guild_id: this.guild.id });
  }

  user(userId: string): APIUser | undefined {
    const member = this.members.get(userId);
    return member ? clone(member.user) : undefined;
  }

  private requireMember(userId: string): MemberRecord {
    const member = this.members.get(userId);
    if (!member) throw new ApiError(404, 10013, `Unknown User (sandbox has no user ${userId})`);
    return member;
  }

  private requireRole(roleId: string): APIRole {
    const role = this.roles.get(roleId);
    if (!role) throw new ApiError(404, 10011, `Unknown Role (sandbox has no role ${roleId})`);
    return role;
  }

  /** The guild member payload; with `withUser` false, the partial member of MESSAGE_CREATE. */
  memberPayload(userId: string, withUser = true): APIGuildMember {
    const member = this.requireMember(userId);
    return {
      ...(withUser ? { user: clone(member.user) } : {}),
      nick: null,
      avatar: null,
      banner: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      communication_disabled_until: null,
    } as unknown as APIGuildMember;
  }

  /** Guild-level permissions of a member (owner and Administrator get everything). */
  permissionsOf(userId: string): bigint {
    if (userId === this.guild.ownerId) return ALL_PERMISSIONS;
    const member = this.requireMember(userId);
    let bits = BigInt(this.requireRole(this.guild.id).permissions);
    for (const roleId of member.roles) {
      const role = this.roles.get(roleId);
      if (role) bits |= BigInt(role.permissions);
    }
    return bits & P.Administrator ? ALL_PERMISSIONS : bits;
  }

  /** The roles of a guild: its own @everyone (whose id is the guild's) and the shared roles. */
  rolesList(guildId: string = this.guild.id): APIRole[] {
    const everyoneOfOthers = new Set(this.guildIds().filter((id) => id !== guildId));
    return [...this.roles.values()].filter((r) => !everyoneOfOthers.has(r.id)).map(clone);
  }

  guildIds(): string[] {
    return [this.guild.id, ...this.otherGuilds.keys()];
  }

  private guildInfo(guildId: string): { id: string; name: string; ownerId: string } {
    return guildId === this.guild.id ? this.guild : (this.otherGuilds.get(guildId) ?? this.guild);
  }

  /** The guild a channel (or thread) belongs to. */
  guildOf(channelId: string): string {
    const channel = this.channels.get(channelId)?.channel as { guild_id?: string } | undefined;
    return channel?.guild_id ?? this.guild.id;
  }

  /** The bot joins another server: it gets GUILD_CREATE, as on Discord. */
  createGuild(name: string): { id: string; name: string } {
    const id = this.ids.next();
    this.roles.set(id, this.makeRole(id, '@everyone', EVERYONE_PERMISSIONS, 0));
    this.otherGuilds.set(id, { id, name, ownerId: this.owner.id });
    this.dispatch('GUILD_CREATE', this.guildCreatePayload(id));
    return { id, name };
  }

  membersList(): APIGuildMember[] {
    return [...this.members.keys()].map((id) => this.memberPayload(id));
  }

  // ---------------------------------------------------------------- guild & channels

  guildPayload(guildId: string = this.guild.id): Record<string, unknown> {
    const guild = this.guildInfo(guildId);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: this.rolesList(guild.id),
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  /** The full guild of GUILD_CREATE. */
  guildCreatePayload(guildId: string = this.guild.id): Record<string, unknown> {
    const inGuild = (c: SandboxChannel) => (c as { guild_id?: string }).guild_id === guildId;
    return {
      ...this.guildPayload(guildId),
      joined_at: this.joinedAt,
      large: false,
      unavailable: false,
      member_count: this.members.size,
      voice_states: [],
      members: this.membersList(),
      channels: this.textChannels().filter(inGuild).map(clone),
      threads: this.threadChannels().filter(inGuild).map(clone),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private textChannels(): APITextChannel[] {
    return [...this.channels.values()].map((r) => r.channel).filter((c): c is APITextChannel => c.type === 0);
  }

  private threadChannels(): APIThreadChannel[] {
    return [...this.channels.values()].map((r) => r.channel).filter((c): c is APIThreadChannel => c.type !== 0);
  }

  /** `denyBot`: permission bits denied to the bot in this channel (a member overwrite). */
  createChannel(name: string, opts: { denyBot?: bigint; guildId?: string } = {}): SandboxChannel {
    const guildId = opts.guildId ?? this.guild.id;
    this.checkGuild(guildId);
    const overwrites = opts.denyBot ? [{ id: this.botUser.id, type: 1, allow: '0', deny: opts.denyBot.toString() }] : [];
    const channel = {
      id: this.ids.next(),
      type: 0,
      guild_id: guildId,
      name,
      position: this.textChannels().length,
      permission_overwrites: overwrites,
      parent_id: null,
      topic: null,
      nsfw: false,
      rate_limit_per_user: 0,
      last_message_id: null,
      flags: 0,
    } as unknown as APITextChannel;
    this.channels.set(channel.id, { channel, messageIds: [] });
    this.dispatch('CHANNEL_CREATE', clone(channel));
    return clone(channel);
  }

  channel(channelId: string): SandboxChannel | undefined {
    const record = this.channels.get(channelId);
    return record ? clone(record.channel) : undefined;
  }

  requireChannel(channelId: string): ChannelRecord {
    const record = this.channels.get(channelId);
    if (!record) throw new ApiError(404, 10003, 'Unknown Channel');
    return record;
  }

  guildChannels(guildId: string = this.guild.id): SandboxChannel[] {
    return this.textChannels().filter((c) => c.guild_id === guildId).map(clone);
  }

  threads(): SandboxChannel[] {
    return this.threadChannels().map(clone);
  }

  checkGuild(guildId: string): void {
    if (guildId !== this.guild.id && !this.otherGuilds.has(guildId)) throw new ApiError(404, 10004, 'Unknown Guild');
  }

  /** PATCH /channels/{id}: name/topic of a channel; name/archived/locked/auto_archive_duration of a thread. */
  modifyChannel(channelId: string, body: Record<string, unknown>): SandboxChannel {
    const record = this.requireChannel(channelId);
    const channel = record.channel as unknown as Record<string, unknown>;
    if (typeof body.name === 'string') {
      if (body.name.length < 1 || body.name.length > 100) throw formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      channel.name = body.name;
    }
    if (record.channel.type === 0) {
      if ('topic' in body) channel.topic = body.topic ?? null;
      if (typeof body.rate_limit_per_user === 'number') channel.rate_limit_per_user = body.rate_limit_per_user;
      this.dispatch('CHANNEL_UPDATE', clone(record.channel));
    } else {
      const meta = channel.thread_metadata as Record<string, unknown>;
      if (typeof body.archived === 'boolean') {
        meta.archived = body.archived;
        meta.archive_timestamp = this.isoNow();
      }
      if (typeof body.locked === 'boolean') meta.locked = body.locked;
      if (typeof body.auto_archive_duration === 'number') meta.auto_archive_duration = body.auto_archive_duration;
      this.dispatch('THREAD_UPDATE', clone(record.channel));
    }
    return clone(record.channel);
  }

  // ---------------------------------------------------------------- messages

  private requireMessage(messageId: string, channelId?: string): MessageRecord {
    const record = this.messageRecords.get(messageId);
    if (!record || record.deleted || (channelId !== undefined && record.message.channel_id !== channelId)) {
      throw new ApiError(404, 10008, 'Unknown Message');
    }
    return record;
  }

  /** A message as returned by REST / inspection: a copy with its thread up to date. */
  view(record: MessageRecord): APIMessage {
    const message = clone(record.message);
    const thread = this.channels.get(message.id);
    if (message.thread && thread) message.thread = clone(thread.channel);
    return message;
  }

  messages(channelId: string): APIMessage[] {
    const record = this.channels.get(channelId);
    if (!record) return [];
    return record.messageIds
      .map((id) => this.messageRecords.get(id))
      .filter((m): m is MessageRecord => m !== undefined && !m.deleted)
      .map((m) => this.view(m));
  }

  getMessage(channelId: string, messageId: string): APIMessage {
    this.requireChannel(channelId);
    return this.view(this.requireMessage(messageId, channelId));
  }

  findMessage(messageId: string): APIMessage | undefined {
    const record = this.messageRecords.get(messageId);
    return record && !record.deleted ? this.view(record) : undefined;
  }

  /** GET /channels/{id}/messages: newest first, with Discord's before/after/around semantics. */
  listMessages(channelId: string, query: URLSearchParams): APIMessage[] {
    const channel = this.requireChannel(channelId);
    const rawLimit = query.get('limit');
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw formError('limit', 'NUMBER_TYPE_MAX', 'Must be between 1 and 100.');
    }
    const ids = channel.messageIds.filter((id) => !this.messageRecords.get(id)?.deleted);
    let picked: string[];
    const around = query.get('around');
    const before = query.get('before');
    const after = query.get('after');
    if (around) {
      let index = ids.findIndex((id) => compareSnowflakes(id, around) >= 0);
      if (index === -1) index = ids.length;
      let start = Math.max(0, index - Math.floor(limit / 2));
      const end = Math.min(ids.length, start + limit);
      start = Math.max(0, end - limit);
      picked = ids.slice(start, end);
    } else if (before) {
      const older = ids.filter((id) => compareSnowflakes(id, before) < 0);
      picked = older.slice(-limit);
    } else if (after) {
      const newer = ids.filter((id) => compareSnowflakes(id, after) > 0);
      picked = newer.slice(0, limit);
    } else {
      picked = ids.slice(-limit);
    }
    return picked.reverse().map((id) => this.view(this.messageRecords.get(id) as MessageRecord));
  }

  /** Who a message pings, honouring allowed_mentions like Discord. */
  private mentionsFor(
    content: string,
    allowed: AllowedMentions | undefined,
    repliedAuthor: APIUser | undefined,
  ): Pick<APIMessage, 'mentions' | 'mention_roles' | 'mention_everyone'> {
    const parse = allowed?.parse ?? (allowed ? [] : ['users', 'roles', 'everyone']);
    const userIds = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] as string);
    const roleIds = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1] as string);
    const users = new Set<string>();
    for (const id of userIds) {
      if (!this.members.has(id)) continue;
      if (parse.includes('users') || allowed?.users?.includes(id)) users.add(id);
    }
    const repliedUser = allowed ? allowed.replied_user === true : true;
    if (repliedAuthor && repliedUser && this.members.has(repliedAuthor.id)) users.add(repliedAuthor.id);
    const roles = new Set<string>();
    for (const id of roleIds) {
      if (!this.roles.has(id)) continue;
      if (parse.includes('roles') || allowed?.roles?.includes(id)) roles.add(id);
    }
    return {
      mentions: [...users].map((id) => clone((this.members.get(id) as MemberRecord).user)),
      mention_roles: [...roles],
      mention_everyone: parse.includes('everyone') && /@(everyone|here)\b/.test(content),
    };
  }

  /** Files served at /attachments/{id}/{name}, as Discord's CDN would (for attachment options). */
  readonly hostedFiles = new Map<string, { filename: string; content: Buffer; contentType: string }>();

  hostFile(filename: string, content: Buffer | string, contentType = 'text/plain; charset=utf-8'): APIAttachment {
    const id = this.ids.next();
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    this.hostedFiles.set(id, { filename, content: data, contentType });
    const url = `${this.baseUrl()}/attachments/${id}/${encodeURIComponent(filename)}`;
    return { id, filename, size: data.length, url, proxy_url: url, content_type: contentType } as APIAttachment;
  }

  private attachmentsFrom(files: UploadedFile[], described: unknown): APIAttachment[] {
    const descriptions = Array.isArray(described) ? (described as Record<string, unknown>[]) : [];
    return files.map((file, index) => {
      const fieldIndex = /\[(\d+)\]/.exec(file.field)?.[1] ?? String(index);
      const info = descriptions.find((d) => String(d.id) === fieldIndex);
      const filename = typeof info?.filename === 'string' ? info.filename : file.name;
      const id = this.ids.next();
      const url = `${this.baseUrl()}/attachments/${id}/${encodeURIComponent(filename)}`;
      return {
        id,
        filename,
        ...(typeof info?.description === 'string' ? { description: info.description } : {}),
        ...(file.contentType ? { content_type: file.contentType } : {}),
        size: file.size,
        url,
        proxy_url: url,
      } as APIAttachment;
    });
  }

  private validateBody(body: MessageBody, hasFiles: boolean, creating: boolean): void {
    if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
      throw formError('content', 'BASE_TYPE_STRING', 'Must be a string.');
    }
    if (typeof body.content === 'string' && body.content.length > 2000) {
      throw formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
    }
    if (body.embeds !== undefined && body.embeds !== null) {
      if (!Array.isArray(body.embeds)) throw formError('embeds', 'BASE_TYPE_LIST', 'Must be an array.');
      if (body.embeds.length > 10) throw formError('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    }
    if (creating) {
      const empty =
        !(typeof body.content === 'string' && body.content.length > 0) &&
        !(Array.isArray(body.embeds) && body.embeds.length > 0) &&
        !(Array.isArray(body.components) && body.components.length > 0) &&
        !(Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) &&
        !body.poll &&
        !hasFiles;
      if (empty) throw new ApiError(400, 50006, 'Cannot send an empty message');
    }
  }

  /** Creates, stores and dispatches a message. */
  private createMessage(input: {
    channelId: string;
    author: APIUser;
    body: MessageBody;
    files?: UploadedFile[];
    type?: number;
    extra?: Partial<APIMessage>;
    ephemeral?: boolean;
    loading?: boolean;
  }): MessageRecord {
    const channel = this.requireChannel(input.channelId);
    const body = input.body;
    this.validateBody(body, (input.files?.length ?? 0) > 0, !input.loading);
    const content = typeof body.content === 'string' ? body.content : '';
    let type = input.type ?? MessageTypes.Default;
    let reference: APIMessage['message_reference'];
    let referenced: APIMessage | undefined;
    const ref = body.message_reference as Record<string, unknown> | undefined | null;
    if (ref && typeof ref === 'object' && typeof ref.message_id === 'string') {
      const target = this.messageRecords.get(ref.message_id);
      const refChannel = typeof ref.channel_id === 'string' ? ref.channel_id : input.channelId;
      if (!target || target.deleted || target.message.channel_id !== refChannel) {
        if (ref.fail_if_not_exists !== false) {
          throw formError('message_reference', 'REPLIES_UNKNOWN_MESSAGE', 'Unknown message');
        }
      } else {
        reference = { type: 0, channel_id: refChannel, guild_id: this.guildOf(refChannel), message_id: target.message.id } as APIMessage['message_reference'];
        referenced = clone(target.message);
        delete referenced.referenced_message;
        if (type === MessageTypes.Default) type = MessageTypes.Reply;
      }
    }
    const mentions = this.mentionsFor(content, body.allowed_mentions as AllowedMentions | undefined, referenced?.author);
    let flags = (typeof body.flags === 'number' ? body.flags : 0) & SETTABLE_FLAGS;
    if (input.ephemeral) flags |= Flags.Ephemeral;
    if (input.loading) flags |= Flags.Loading;
    const message = {
      type,
      content,
      mentions: mentions.mentions,
      mention_roles: mentions.mention_roles,
      attachments: this.attachmentsFrom(input.files ?? [], body.attachments),
      embeds: Array.isArray(body.embeds) ? (clone(body.embeds) as APIEmbed[]) : [],
      timestamp: this.isoNow(),
      edited_timestamp: null,
      flags,
      components: Array.isArray(body.components) ? (clone(body.components) as APIMessageTopLevelComponent[]) : [],
      id: this.ids.next(),
      channel_id: input.channelId,
      author: clone(input.author),
      pinned: false,
      mention_everyone: mentions.mention_everyone,
      tts: body.tts === true,
      ...(reference ? { message_reference: reference, referenced_message: referenced ?? null } : {}),
      ...(input.extra ?? {}),
    } as APIMessage;
    const record: MessageRecord = {
      message,
      deleted: false,
      enforceNonce: body.enforce_nonce === true,
      createdMs: this.clock.now().getTime(),
      ephemeral: input.ephemeral ?? false,
    };
    if (typeof body.nonce === 'string' || typeof body.nonce === 'number') record.nonce = body.nonce;
    this.messageRecords.set(message.id, record);
    if (!record.ephemeral) {
      channel.messageIds.push(message.id);
      const ch = channel.channel as unknown as Record<string, unknown>;
      ch.last_message_id = message.id;
      if (channel.channel.type !== 0) {
        ch.message_count = Number(ch.message_count ?? 0) + 1;
        ch.total_message_sent = Number(ch.total_message_sent ?? 0) + 1;
        message.position = Number(ch.total_message_sent) - 1;
      }
      this.dispatch('MESSAGE_CREATE', this.messageEvent(record, true));
    }
    return record;
  }

  /** The MESSAGE_CREATE / MESSAGE_UPDATE data: the message plus guild_id, member and (on create) nonce. */
  private messageEvent(record: MessageRecord, create: boolean): Record<string, unknown> {
    const message = this.view(record) as unknown as Record<string, unknown>;
    const channel = this.channels.get(record.message.channel_id)?.channel;
    const event: Record<string, unknown> = { ...message, guild_id: this.guildOf(record.message.channel_id) };
    if (channel) event.channel_type = channel.type;
    if (!record.message.webhook_id && this.members.has(record.message.author.id)) {
      event.member = this.memberPayload(record.message.author.id, false);
    }
    if (create && record.nonce !== undefined) event.nonce = record.nonce;
    return event;
  }

  /** The response to a message create: the message plus its nonce. */
  private created(record: MessageRecord): APIMessage {
    const message = this.view(record);
    if (record.nonce !== undefined) message.nonce = record.nonce;
    return message;
  }

  /** POST /channels/{id}/messages by the bot. */
  botPosts(channelId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    this.requireChannel(channelId);
    if (body.enforce_nonce === true && body.nonce !== undefined) {
      // Discord returns the earlier message for a repeated nonce within a few minutes.
      const now = this.clock.now().getTime();
      for (const record of this.messageRecords.values()) {
        if (
          !record.deleted &&
          record.nonce === body.nonce &&
          record.message.channel_id === channelId &&
          record.message.author.id === this.botUser.id &&
          now - record.createdMs <= 5 * 60_000
        ) {
          return this.created(record);
        }
      }
    }
    return this.created(this.createMessage({ channelId, author: this.botUser, body, files }));
  }

  userSays(channelId: string, userId: string, content: string, opts: { replyTo?: string } = {}): APIMessage {
    const member = this.requireMember(userId);
    const body: MessageBody = { content };
    if (opts.replyTo) body.message_reference = { message_id: opts.replyTo, channel_id: channelId };
    return this.view(this.createMessage({ channelId, author: member.user, body }));
  }

  private applyEdit(record: MessageRecord, body: MessageBody, files: UploadedFile[]): void {
    this.validateBody(body, files.length > 0, false);
    const message = record.message;
    if (typeof body.content === 'string' || body.content === null) message.content = (body.content as string | null) ?? '';
    if (body.embeds !== undefined) message.embeds = Array.isArray(body.embeds) ? (clone(body.embeds) as APIEmbed[]) : [];
    if (body.components !== undefined) {
      message.components = Array.isArray(body.components) ? (clone(body.components) as APIMessageTopLevelComponent[]) : [];
    }
    if (typeof body.flags === 'number') {
      message.flags = ((message.flags ?? 0) & ~Flags.SuppressEmbeds) | (body.flags & Flags.SuppressEmbeds);
    }
    if (body.attachments !== undefined || files.length > 0) {
      const keep = Array.isArray(body.attachments) ? (body.attachments as Record<string, unknown>[]) : [];
      const kept = message.attachments.filter((a) => keep.some((k) => String(k.id) === a.id));
      message.attachments = [...kept, ...this.attachmentsFrom(files, body.attachments)];
    }
    if (typeof body.content === 'string' || body.allowed_mentions !== undefined) {
      const replied = message.referenced_message?.author;
      const mentions = this.mentionsFor(message.content, body.allowed_mentions as AllowedMentions | undefined, replied ?? undefined);
      message.mentions = mentions.mentions;
      message.mention_roles = mentions.mention_roles;
      message.mention_everyone = mentions.mention_everyone;
    }
  }

  /** PATCH /channels/{id}/messages/{id} by the bot. */
  botEdits(channelId: string, messageId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    this.requireChannel(channelId);
    const record = this.requireMessage(messageId, channelId);
    if (record.message.author.id !== this.botUser.id || record.message.webhook_id) {
      throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
    }
    this.applyEdit(record, body, files);
    record.message.edited_timestamp = this.isoNow();
    this.dispatch('MESSAGE_UPDATE', this.messageEvent(record, false));
    return this.view(record);
  }

  userEdits(messageId: string, content: string): APIMessage {
    const record = this.requireMessage(messageId);
    this.applyEdit(record, { content }, []);
    record.message.edited_timestamp = this.isoNow();
    this.dispatch('MESSAGE_UPDATE', this.messageEvent(record, false));
    return this.view(record);
  }

  private markDeleted(record: MessageRecord): void {
    record.deleted = true;
    const channel = this.channels.get(record.message.channel_id);
    if (channel && channel.channel.type !== 0) {
      const ch = channel.channel as unknown as Record<string, unknown>;
      ch.message_count = Math.max(0, Number(ch.message_count ?? 0) - 1);
    }
  }

  deleteMessage(messageId: string, channelId?: string): void {
    if (channelId !== undefined) this.requireChannel(channelId);
    const record = this.requireMessage(messageId, channelId);
    this.markDeleted(record);
    if (!record.ephemeral) {
      this.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: record.message.channel_id, guild_id: this.guildOf(record.message.channel_id) });
    }
  }

  bulkDelete(channelId: string, messageIds: string[], fromBot: boolean): void {
    this.requireChannel(channelId);
    if (fromBot && (messageIds.length < 2 || messageIds.length > 100)) {
      throw formError('messages', 'BASE_TYPE_BAD_LENGTH', 'Must be between 2 and 100 in length.');
    }
    const deleted: string[] = [];
    for (const id of messageIds) {
      const record = this.messageRecords.get(id);
      if (!record || record.deleted || record.message.channel_id !== channelId) {
        if (fromBot) continue;
        throw new ApiError(404, 10008, `Unknown Message ${id}`);
      }
      this.markDeleted(record);
      deleted.push(id);
    }
    this.dispatch('MESSAGE_DELETE_BULK', { ids: deleted, channel_id: channelId, guild_id: this.guildOf(channelId) });
  }

  /** PUT/DELETE /channels/{id}/messages/{id}/reactions/{emoji}/@me */
  botReacts(channelId: string, messageId: string, emoji: string, add: boolean): void {
    this.requireChannel(channelId);
    const record = this.requireMessage(messageId, channelId);
    const custom = /^(?:a:)?([^:]+):(\d+)$/.exec(emoji);
    const apiEmoji = custom ? { id: custom[2] as string, name: custom[1] as string } : { id: null, name: emoji };
    const key = apiEmoji.id ?? apiEmoji.name;
    const reactions = (record.message.reactions ??= []);
    const existing = reactions.find((r) => (r.emoji.id ?? r.emoji.name) === key);
    if (add) {
      if (existing?.me) return;
      if (existing) {
        existing.me = true;
        existing.count += 1;
        existing.count_details.normal += 1;
      } else {
        reactions.push({
          count: 1,
          count_details: { burst: 0, normal: 1 },
          me: true,
          me_burst: false,
          emoji: apiEmoji,
          burst_colors: [],
        } as unknown as (typeof reactions)[number]);
      }
    } else {
      if (!existing?.me) return;
      existing.me = false;
      existing.count -= 1;
      existing.count_details.normal = Math.max(0, existing.count_details.normal - 1);
      if (existing.count <= 0) reactions.splice(reactions.indexOf(existing), 1);
    }
    this.dispatch(add ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', {
      user_id: this.botUser.id,
      channel_id: channelId,
      message_id: messageId,
      guild_id: this.guildOf(channelId),
      emoji: apiEmoji,
      burst: false,
      type: 0,
      ...(add ? { member: this.memberPayload(this.botUser.id), message_author_id: record.message.author.id, burst_colors: [] } : {}),
    });
  }

  // ---------------------------------------------------------------- threads

  private makeThread(
    id: string,
    parentId: string,
    body: Record<string, unknown>,
    type: number,
  ): APIThreadChannel {
    const name = body.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    const now = this.isoNow();
    const duration = typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 1440;
    return {
      id,
      type,
      guild_id: this.guildOf(parentId),
      parent_id: parentId,
      owner_id: this.botUser.id,
      name,
      last_message_id: null,
      rate_limit_per_user: typeof body.rate_limit_per_user === 'number' ? body.rate_limit_per_user : 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      applied_tags: [],
      thread_metadata: {
        archived: false,
        auto_archive_duration: duration,
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
        ...(type === 12 ? { invitable: body.invitable !== false } : {}),
      },
    } as unknown as APIThreadChannel;
  }

  /** POST /channels/{id}/messages/{id}/threads: a public thread whose id is the message id. */
  threadFromMessage(channelId: string, messageId: string, body: Record<string, unknown>): APIThreadChannel {
    const parent = this.requireChannel(channelId);
    if (parent.channel.type !== 0) throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    const record = this.requireMessage(messageId, channelId);
    if (this.channels.has(messageId)) {
      throw new ApiError(400, 160004, 'A thread has already been created for this message');
    }
    const thread = this.makeThread(messageId, channelId, body, 11);
    this.channels.set(thread.id, { channel: thread, messageIds: [] });
    record.message.thread = clone(thread);
    record.message.flags = (record.message.flags ?? 0) | Flags.HasThread;
    this.dispatch('THREAD_CREATE', { ...clone(thread), newly_created: true });
    this.dispatch('MESSAGE_UPDATE', this.messageEvent(record, false));
    return this.withMember(thread);
  }

  /** POST /channels/{id}/threads: a thread without a starter message. */
  threadWithoutMessage(channelId: string, body: Record<string, unknown>): APIThreadChannel {
    const parent = this.requireChannel(channelId);
    if (parent.channel.type !== 0) throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    const type = body.type === 12 ? 12 : 11;
    const thread = this.makeThread(this.ids.next(), channelId, body, type);
    this.channels.set(thread.id, { channel: thread, messageIds: [] });
    this.dispatch('THREAD_CREATE', { ...clone(thread), newly_created: true });
    return this.withMember(thread);
  }

  private withMember(thread: APIThreadChannel): APIThreadChannel {
    return {
      ...clone(thread),
      member: { id: thread.id, user_id: this.botUser.id, join_timestamp: this.isoNow(), flags: 0 },
    } as unknown as APIThreadChannel;
  }

  activeThreads(): { threads: SandboxChannel[]; members: unknown[] } {
    const threads = this.threadChannels().filter((t) => !t.thread_metadata?.archived);
    return {
      threads: threads.map(clone),
      members: threads.map((t) => ({ id: t.id, user_id: this.botUser.id, join_timestamp: t.thread_metadata?.create_timestamp, flags: 0 })),
    };
  }

  // ---------------------------------------------------------------- application commands

  commandList(guildId: string | null): APIApplicationCommand[] {
    return clone(guildId === null ? this.globalCommands : (this.guildCommands.get(guildId) ?? []));
  }

  lastOverwritten(): APIApplicationCommand[] {
    return clone(this.lastCommands);
  }

  private validateCommand(raw: unknown, path: string): Record<string, unknown> {
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
    if (cmd.options !== undefined) {
      if (!Array.isArray(cmd.options) || cmd.options.length > 25) {
        throw formError(`${path}.options`, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      }
      cmd.options.forEach((option, i) => this.validateCommand({ ...(option as object), type: 1 }, `${path}.options.${i}`));
    }
    return cmd;
  }

  private storeCommand(raw: Record<string, unknown>, guildId: string | null, previous: APIApplicationCommand[]): APIApplicationCommand {
    const type = typeof raw.type === 'number' ? raw.type : 1;
    const existing = previous.find((c) => c.name === raw.name && (c.type ?? 1) === type);
    return {
      ...clone(raw),
      id: existing?.id ?? this.ids.next(),
      application_id: this.applicationId,
      version: this.ids.next(),
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

  overwriteCommands(guildId: string | null, body: unknown): APIApplicationCommand[] {
    if (guildId !== null) this.checkGuild(guildId);
    if (!Array.isArray(body)) throw formError('_root', 'BASE_TYPE_LIST', 'Must be an array.');
    if (body.length > 100) throw formError('_root', 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    const validated = body.map((raw, i) => this.validateCommand(raw, String(i)));
    const previous = guildId === null ? this.globalCommands : (this.guildCommands.get(guildId) ?? []);
    const stored = validated.map((raw) => this.storeCommand(raw, guildId, previous));
    if (guildId === null) this.globalCommands = stored;
    else this.guildCommands.set(guildId, stored);
    this.lastCommands = stored;
    return clone(stored);
  }

  upsertCommand(guildId: string | null, body: unknown): APIApplicationCommand {
    if (guildId !== null) this.checkGuild(guildId);
    const raw = this.validateCommand(body, '_root');
    const list = guildId === null ? this.globalCommands : (this.guildCommands.get(guildId) ?? []);
    const stored = this.storeCommand(raw, guildId, list);
    const next = [...list.filter((c) => c.id !== stored.id), stored];
    if (guildId === null) this.globalCommands = next;
    else this.guildCommands.set(guildId, next);
    return clone(stored);
  }

  getCommand(guildId: string | null, commandId: string): APIApplicationCommand {
    const found = this.commandList(guildId).find((c) => c.id === commandId);
    if (!found) throw new ApiError(404, 10063, 'Unknown application command');
    return found;
  }

  editCommand(guildId: string | null, commandId: string, body: Record<string, unknown>): APIApplicationCommand {
    const found = this.getCommand(guildId, commandId);
    return this.upsertCommand(guildId, { ...found, ...body, name: body.name ?? found.name });
  }

  deleteCommand(guildId: string | null, commandId: string): void {
    this.getCommand(guildId, commandId);
    if (guildId === null) this.globalCommands = this.globalCommands.filter((c) => c.id !== commandId);
    else this.guildCommands.set(guildId, (this.guildCommands.get(guildId) ?? []).filter((c) => c.id !== commandId));
  }

  // ---------------------------------------------------------------- interactions

  private resolvedFor(options: unknown[]): Record<string, Record<string, unknown>> | undefined {
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
        if ((type === 6 || type === 9) && this.members.has(value)) {
          add('users', value, clone((this.members.get(value) as MemberRecord).user));
          const { user: _user, ...member } = this.memberPayload(value) as APIGuildMember & Record<string, unknown>;
          add('members', value, { ...member, permissions: this.permissionsOf(value).toString() });
        } else if ((type === 8 || type === 9) && this.roles.has(value)) {
          add('roles', value, clone(this.roles.get(value)));
        } else if (type === 7 && this.channels.has(value)) {
          const channel = (this.channels.get(value) as ChannelRecord).channel;
          add('channels', value, {
            id: channel.id,
            name: channel.name,
            type: channel.type,
            permissions: this.permissionsOf(this.botUser.id).toString(),
            ...(channel.type !== 0 ? { parent_id: channel.parent_id, thread_metadata: clone(channel.thread_metadata) } : {}),
          });
        }
      }
    };
    walk(options);
    return Object.keys(resolved).length > 0 ? resolved : undefined;
  }

  interact(opts: {
    userId: string;
    channelId: string;
    name: string;
    options?: unknown[];
    type?: 2 | 4 | 5;
    data?: Record<string, unknown>;
  }): InteractionRecord {
    this.requireMember(opts.userId);
    const channel = this.requireChannel(opts.channelId).channel;
    const guildId = this.guildOf(channel.id);
    const type = opts.type ?? 2;
    let data: Record<string, unknown>;
    if (type === 5) {
      data = { custom_id: opts.name, components: [], ...(opts.data ?? {}) };
    } else {
      const guildCommand = (this.guildCommands.get(guildId) ?? []).find((c) => c.name === opts.name);
      const command = guildCommand ?? this.globalCommands.find((c) => c.name === opts.name);
      const options = opts.options ?? [];
      const resolved = this.resolvedFor(options);
      data = {
        id: command?.id ?? this.ids.next(),
        name: opts.name,
        type: command?.type ?? 1,
        ...(options.length > 0 ? { options: clone(options) } : {}),
        ...(resolved ? { resolved } : {}),
        ...(guildCommand ? { guild_id: guildId } : {}),
        ...(opts.data ?? {}),
      };
    }
    const id = this.ids.next();
    const token = Buffer.from(`interaction:${id}:${randomBytes(24).toString('hex')}`).toString('base64url');
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      data,
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      channel: clone(channel),
      channel_id: channel.id,
      member: { ...this.memberPayload(opts.userId), permissions: this.permissionsOf(opts.userId).toString() },
      token,
      version: 1,
      app_permissions: this.permissionsOf(this.botUser.id).toString(),
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: this.maxUploadBytes,
    };
    const record: InteractionRecord = {
      id,
      token,
      payload,
      callback: null,
      waiters: [],
      createdReal: realNow(),
      failure: null,
      originalId: null,
      followUpIds: [],
    };
    // Unanswered after the deadline: whoever waits for the callback learns it now.
    const subcommand = (opts.options?.[0] as { type?: number; name?: string } | undefined);
    const what = type === 4 ? 'autocomplete' : type === 5 ? 'modal submission' : `/${opts.name}${subcommand?.type === 1 ? ` ${subcommand.name}` : ''}`;
    setTimeout(() => {
      if (!record.callback) this.fail(record, new Error(`interaction ${id} (${what}) was not answered within ${this.deadlines.callbackMs} ms: Discord would show "The application did not respond"`));
    }, this.deadlines.callbackMs + 50).unref();
    this.interactions.set(id, record);
    this.interactionsByToken.set(token, record);
    this.dispatch('INTERACTION_CREATE', clone(payload));
    return record;
  }

  private interactionMessage(record: InteractionRecord, body: MessageBody, files: UploadedFile[], loading: boolean): MessageRecord {
    const payload = record.payload;
    const user = (payload.member as { user: APIUser }).user;
    const type = payload.type as number;
    const data = payload.data as Record<string, unknown>;
    const flags = typeof body.flags === 'number' ? body.flags : 0;
    return this.createMessage({
      channelId: payload.channel_id as string,
      author: this.botUser,
      body,
      files,
      type: type === 2 ? MessageTypes.ChatInputCommand : MessageTypes.Default,
      ephemeral: (flags & Flags.Ephemeral) !== 0,
      loading,
      extra: {
        webhook_id: this.applicationId,
        application_id: this.applicationId,
        interaction_metadata: {
          id: record.id,
          type,
          user: clone(user),
          authorizing_integration_owners: { '0': this.guildOf(payload.channel_id as string) },
          ...(type === 2 ? { name: data.name, command_type: data.type } : {}),
        },
        ...(type === 2 ? { interaction: { id: record.id, type, name: data.name, user: clone(user) } } : {}),
      } as Partial<APIMessage>,
    });
  }

  /** POST /interactions/{id}/{token}/callback */
  interactionCallback(id: string, token: string, body: unknown, files: UploadedFile[], withResponse: boolean): unknown {
    const record = this.interactions.get(id);
    if (!record || record.token !== token) throw new ApiError(404, 10062, 'Unknown interaction');
    if (record.callback) throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
    const age = realNow() - record.createdReal;
    if (age > this.deadlines.callbackMs) {
      this.fail(record, new Error(`interaction ${record.id} was answered ${Math.round(age)} ms after it was created; Discord refuses an initial response after ${this.deadlines.callbackMs} ms (10062 Unknown interaction)`));
      throw new ApiError(404, 10062, 'Unknown interaction');
    }
    const raw = (body ?? {}) as { type?: unknown; data?: unknown };
    if (typeof raw.type !== 'number' || ![1, 4, 5, 6, 7, 8, 9, 10, 12].includes(raw.type)) {
      throw formError('type', 'BASE_TYPE_CHOICES', 'Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.');
    }
    const data = (raw.data ?? undefined) as MessageBody | undefined;
    let original: MessageRecord | undefined;
    if (raw.type === 4) {
      original = this.interactionMessage(record, data ?? {}, files, false);
    } else if (raw.type === 5) {
      original = this.interactionMessage(record, { flags: data?.flags }, [], true);
    }
    if (original) record.originalId = original.message.id;
    const callback: RecordedCallback = { type: raw.type, ...(raw.data !== undefined ? { data: clone(raw.data) } : {}) };
    record.callback = callback;
    for (const waiter of record.waiters.splice(0)) waiter.resolve(clone(callback));
    if (!withResponse) return undefined;
    return {
      interaction: {
        id: record.id,
        type: record.payload.type,
        ...(original
          ? {
              response_message_id: original.message.id,
              response_message_loading: raw.type === 5,
              response_message_ephemeral: original.ephemeral,
            }
          : {}),
      },
      ...(original ? { resource: { type: raw.type, message: this.view(original) } } : { resource: { type: raw.type } }),
    };
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
    const record = this.interactionsByToken.get(token);
    if (!record || applicationId !== this.applicationId) throw new ApiError(404, 10015, 'Unknown Webhook');
    if (realNow() - record.createdReal > this.deadlines.tokenMs) throw new ApiError(401, 50027, 'Invalid Webhook Token');
    return record;
  }

  private webhookMessage(record: InteractionRecord, messageId: string): MessageRecord {
    const id = messageId === '@original' ? record.originalId : messageId;
    if (!id || (id !== record.originalId && !record.followUpIds.includes(id))) throw new ApiError(404, 10008, 'Unknown Message');
    return this.requireMessage(id);
  }

  /** POST /webhooks/{app}/{token}: a follow-up (or, after a defer, the original response). */
  webhookExecute(applicationId: string, token: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    const record = this.byToken(applicationId, token);
    if (!record.callback) throw new ApiError(404, 10015, 'Unknown Webhook');
    const original = record.originalId ? this.messageRecords.get(record.originalId) : undefined;
    if (original && !original.deleted && ((original.message.flags ?? 0) & Flags.Loading) !== 0) {
      // Discord: the first follow-up after a deferred response edits the loading message.
      this.fillLoading(original, body, files);
      return this.view(original);
    }
    const message = this.interactionMessage(record, body, files, false);
    record.followUpIds.push(message.message.id);
    return this.view(message);
  }

  private fillLoading(record: MessageRecord, body: MessageBody, files: UploadedFile[]): void {
    this.validateBody(body, files.length > 0, false);
    this.applyEdit(record, body, files);
    record.message.flags = (record.message.flags ?? 0) & ~Flags.Loading;
    if (!record.ephemeral) this.dispatch('MESSAGE_UPDATE', this.messageEvent(record, false));
  }

  webhookEdit(applicationId: string, token: string, messageId: string, body: MessageBody, files: UploadedFile[]): APIMessage {
    const record = this.byToken(applicationId, token);
    const message = this.webhookMessage(record, messageId);
    if (((message.message.flags ?? 0) & Flags.Loading) !== 0) {
      this.fillLoading(message, body, files);
    } else {
      this.applyEdit(message, body, files);
      message.message.edited_timestamp = this.isoNow();
      if (!message.ephemeral) this.dispatch('MESSAGE_UPDATE', this.messageEvent(message, false));
    }
    return this.view(message);
  }

  webhookGet(applicationId: string, token: string, messageId: string): APIMessage {
    const record = this.byToken(applicationId, token);
    return this.view(this.webhookMessage(record, messageId));
  }

  webhookDelete(applicationId: string, token: string, messageId: string): void {
    const record = this.byToken(applicationId, token);
    const message = this.webhookMessage(record, messageId);
    this.deleteMessage(message.message.id);
  }

  followUps(record: InteractionRecord): APIMessage[] {
    const ids = [...(record.originalId ? [record.originalId] : []), ...record.followUpIds];
    return ids
      .map((id) => this.messageRecords.get(id))
      .filter((m): m is MessageRecord => m !== undefined && !m.deleted)
      .map((m) => this.view(m));
  }

  original(record: InteractionRecord): APIMessage | undefined {
    const message = record.originalId ? this.messageRecords.get(record.originalId) : undefined;
    return message && !message.deleted ? this.view(message) : undefined;
  }

  // ---------------------------------------------------------------- gateway payloads

  readyPayload(sessionId: string, shard: [number, number], resumeUrl: string): Record<string, unknown> {
    return {
      v: 10,
      user: { ...clone(this.botUser), verified: true, mfa_enabled: false, email: null },
      guilds: this.guildIds().map((id) => ({ id, unavailable: true })),
      session_id: sessionId,
      session_type: 'normal',
      resume_gateway_url: resumeUrl,
      shard,
      application: { id: this.applicationId, flags: 0 },
      user_settings: {},
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
      _trace: ['sandbox'],
    };
  }

  membersChunk(request: Record<string, unknown>): Record<string, unknown> {
    const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
    const limit = typeof request.limit === 'number' && request.limit > 0 ? request.limit : Infinity;
    const wanted = Array.isArray(request.user_ids)
      ? request.user_ids.map(String)
      : typeof request.user_ids === 'string'
        ? [request.user_ids]
        : null;
    let members = [...this.members.values()];
    if (wanted) members = members.filter((m) => wanted.includes(m.user.id));
    else if (query) members = members.filter((m) => m.user.username.toLowerCase().startsWith(query));
    members = members.slice(0, limit);
    return {
      guild_id: typeof request.guild_id === 'string' ? request.guild_id : this.guild.id,
      members: members.map((m) => this.memberPayload(m.user.id)),
      chunk_index: 0,
      chunk_count: 1,
      not_found: wanted ? wanted.filter((id) => !this.members.has(id)) : [],
      ...(request.presences ? { presences: [] } : {}),
      ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    };
  }

  applicationPayload(): Record<string, unknown> {
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: 'Sandbox application',
      summary: '',
      type: null,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: 0,
      owner: clone(this.owner),
      team: null,
      bot: clone(this.botUser),
      approximate_guild_count: 1,
      install_params: null,
      integration_types_config: { '0': {} },
      tags: [],
      redirect_uris: [],
      interactions_endpoint_url: null,
      role_connections_verification_url: null,
    };
  }
}
