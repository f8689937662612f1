/**
 * Who and where: the sandbox's guilds, users, members, roles, channels (and threads, which are
 * channels), and the permissions that follow from them.
 */
import type { APIGuildMember, APIGuildMemberNoUser, APIRole, APITextChannel, APIThreadChannel, APIUser } from 'discord-api-types/v10';
import {
  ChannelFlags,
  GatewayDispatchEvents as E,
  GuildMemberFlags,
  OverwriteType,
  PermissionFlagsBits,
  RoleFlags,
  UserFlags,
} from 'discord-api-types/v10';
import type { Clock } from '../domain/clock.ts';
import { ApiError } from './errors.ts';
import {
  ALL_PERMISSIONS,
  BOT_PERMISSIONS,
  clone,
  EVERYONE_PERMISSIONS,
  type ChannelRecord,
  type Dispatch,
  type MemberRecord,
  type SandboxChannel,
} from './model.ts';
import { Snowflakes } from './snowflake.ts';

/** A member as the sandbox sends it: every field present (avatar and banner null). */
export type SandboxMember = APIGuildMemberNoUser & { avatar: string | null; banner: string | null };

export interface GuildInfo {
  id: string;
  name: string;
  ownerId: string;
}

export class Directory {
  readonly ids: Snowflakes;
  readonly token = 'sandbox-bot-token';
  readonly applicationId: string;
  readonly botUser: APIUser;
  readonly owner: APIUser;
  readonly guild: GuildInfo;
  readonly botRoleId: string;
  readonly joinedAt: string;

  /**
   * Further servers the bot is in (createGuild). A simplification: users, members and roles
   * other than @everyone are shared by every sandbox guild; channels belong to one.
   */
  readonly otherGuilds = new Map<string, GuildInfo>();
  readonly members = new Map<string, MemberRecord>();
  readonly roles = new Map<string, APIRole>();
  readonly channels = new Map<string, ChannelRecord>();
  dispatch: Dispatch = () => {};
  /** GET /applications/@me's flags (and READY's): the privileged intents enabled in the Developer Portal (see ./app-routes.ts). */
  applicationFlags = 0;

  constructor(private readonly clock: Clock) {
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

  nowMs(): number {
    return this.clock.now().getTime();
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
      public_flags: 0 as UserFlags,
      flags: 0 as UserFlags,
      banner: null,
      accent_color: null,
      avatar_decoration_data: null,
      collectibles: null,
      // Discord sends the user's server tag, null when they show none.
      primary_guild: null,
    };
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
      flags: 0 as RoleFlags,
    };
  }

  createUser(username: string, opts: { bot?: boolean; roles?: string[] } = {}): APIUser {
    const user = this.makeUser(this.ids.next(), username, opts.bot ?? false);
    const roles = [...(opts.roles ?? [])];
    for (const roleId of roles) this.requireRole(roleId);
    this.members.set(user.id, { user, roles, joinedAt: this.isoNow() });
    this.dispatch(E.GuildMemberAdd, { ...this.memberPayload(user.id), guild_id: this.guild.id });
    return clone(user);
  }

  createRole(name: string, permissions: bigint): { id: string; name: string } {
    const id = this.ids.next();
    const role = this.makeRole(id, name, permissions, this.roles.size);
    this.roles.set(id, role);
    this.dispatch(E.GuildRoleCreate, { guild_id: this.guild.id, role: clone(role) });
    return { id, name };
  }

  addRole(userId: string, roleId: string): void {
    const member = this.requireMember(userId);
    this.requireRole(roleId);
    if (!member.roles.includes(roleId)) member.roles.push(roleId);
    this.dispatch(E.GuildMemberUpdate, { ...this.memberPayload(userId), guild_id: this.guild.id });
  }

  user(userId: string): APIUser | undefined {
    const member = this.members.get(userId);
    return member ? clone(member.user) : undefined;
  }

  requireMember(userId: string): MemberRecord {
    const member = this.members.get(userId);
    if (!member) throw new ApiError(404, 10013, `Unknown User (sandbox has no user ${userId})`);
    return member;
  }

  requireRole(roleId: string): APIRole {
    const role = this.roles.get(roleId);
    if (!role) throw new ApiError(404, 10011, `Unknown Role (sandbox has no role ${roleId})`);
    return role;
  }

  /** The guild member payload. */
  memberPayload(userId: string): SandboxMember & { user: APIUser } {
    return { ...this.memberWithoutUser(userId), user: clone(this.requireMember(userId).user) };
  }

  /** The partial member of MESSAGE_CREATE and of resolved interaction data: no user. */
  memberWithoutUser(userId: string): SandboxMember {
    const member = this.requireMember(userId);
    return {
      nick: null,
      avatar: null,
      banner: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  membersList(): APIGuildMember[] {
    return [...this.members.keys()].map((id) => this.memberPayload(id));
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
    return bits & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : bits;
  }

  /** The roles of a guild: its own @everyone (whose id is the guild's) and the shared roles. */
  rolesList(guildId: string = this.guild.id): APIRole[] {
    const everyoneOfOthers = new Set(this.guildIds().filter((id) => id !== guildId));
    return [...this.roles.values()].filter((r) => !everyoneOfOthers.has(r.id)).map(clone);
  }

  // ---------------------------------------------------------------- guilds

  guildIds(): string[] {
    return [this.guild.id, ...this.otherGuilds.keys()];
  }

  guildInfo(guildId: string): GuildInfo {
    return guildId === this.guild.id ? this.guild : (this.otherGuilds.get(guildId) ?? this.guild);
  }

  checkGuild(guildId: string): void {
    if (guildId !== this.guild.id && !this.otherGuilds.has(guildId)) throw new ApiError(404, 10004, 'Unknown Guild');
  }

  /** The guild a channel (or thread) belongs to. */
  guildOf(channelId: string): string {
    return this.channels.get(channelId)?.channel.guild_id ?? this.guild.id;
  }

  /**
   * The bot joins another server; `announce` sends it the GUILD_CREATE, as on Discord. With
   * `shard: [k, n]` its id lands on shard k of n.
   */
  createGuild(name: string, announce: (guildId: string) => void, shard?: [number, number]): { id: string; name: string } {
    const id = shard ? this.ids.nextOnShard(shard[0], shard[1]) : this.ids.next();
    this.roles.set(id, this.makeRole(id, '@everyone', EVERYONE_PERMISSIONS, 0));
    this.otherGuilds.set(id, { id, name, ownerId: this.owner.id });
    announce(id);
    return { id, name };
  }

  // ---------------------------------------------------------------- channels

  /** `denyBot`: permission bits denied to the bot in this channel (a member overwrite). */
  createChannel(name: string, opts: { denyBot?: bigint; guildId?: string } = {}): SandboxChannel {
    const guildId = opts.guildId ?? this.guild.id;
    this.checkGuild(guildId);
    const overwrites = opts.denyBot
      ? [{ id: this.botUser.id, type: OverwriteType.Member, allow: '0', deny: opts.denyBot.toString() }]
      : [];
    const channel: APITextChannel = {
      id: this.ids.next(),
      type: 0,
      guild_id: guildId,
      name,
      // Text channels are never removed: their count is how many were made (counting them
      // each time made setting up 10,000 channels quadratic).
      position: this.textChannelsMade++,
      permission_overwrites: overwrites,
      parent_id: null,
      topic: null,
      nsfw: false,
      rate_limit_per_user: 0,
      last_message_id: null,
      flags: 0 as ChannelFlags,
    };
    this.channels.set(channel.id, { channel, messageIds: [] });
    this.dispatch(E.ChannelCreate, { ...clone(channel), guild_id: guildId });
    return clone(channel);
  }

  /**
   * A member's permissions in a channel, as Discord computes them: the guild permissions, then
   * the channel's @everyone overwrite, the overwrites of the member's roles together, and the
   * member's own overwrite (deny, then allow, at each step); Administrator overrides them all.
   */
  permissionsIn(channelId: string, userId: string): bigint {
    const guildBits = this.permissionsOf(userId);
    if (guildBits === ALL_PERMISSIONS) return guildBits;
    const channel = this.requireChannel(channelId).channel;
    const overwrites = 'permission_overwrites' in channel ? (channel.permission_overwrites ?? []) : [];
    const roles = new Set(this.requireMember(userId).roles);
    const apply = (bits: bigint, list: typeof overwrites) =>
      (bits & ~list.reduce((d, o) => d | BigInt(o.deny), 0n)) | list.reduce((a, o) => a | BigInt(o.allow), 0n);
    let bits = apply(guildBits, overwrites.filter((o) => o.type === OverwriteType.Role && o.id === channel.guild_id));
    bits = apply(bits, overwrites.filter((o) => o.type === OverwriteType.Role && roles.has(o.id)));
    return apply(bits, overwrites.filter((o) => o.type === OverwriteType.Member && o.id === userId));
  }

  /** Sets (replaces) a channel's overwrite for a role or a member, as PUT /channels/{id}/permissions/{overwrite} does. */
  setOverwrite(channelId: string, overwrite: { id: string; type: 'role' | 'member'; allow?: bigint; deny?: bigint }): void {
    const channel = this.requireChannel(channelId).channel as APITextChannel;
    const type = overwrite.type === 'role' ? OverwriteType.Role : OverwriteType.Member;
    if (type === OverwriteType.Role && overwrite.id !== channel.guild_id) this.requireRole(overwrite.id);
    if (type === OverwriteType.Member) this.requireMember(overwrite.id);
    channel.permission_overwrites = [
      ...(channel.permission_overwrites ?? []).filter((o) => o.id !== overwrite.id),
      { id: overwrite.id, type, allow: (overwrite.allow ?? 0n).toString(), deny: (overwrite.deny ?? 0n).toString() },
    ];
    this.dispatch(E.ChannelUpdate, { ...clone(channel), guild_id: this.guildOf(channelId) });
  }

  /** A text channel deleted (CHANNEL_DELETE); its messages go with it. */
  deleteChannel(channelId: string): void {
    const channel = this.requireChannel(channelId).channel;
    this.channels.delete(channelId);
    this.dispatch(E.ChannelDelete, { ...clone(channel), guild_id: channel.guild_id ?? this.guild.id } as never);
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

  private textChannelsMade = 0;

  textChannels(): APITextChannel[] {
    return [...this.channels.values()].map((r) => r.channel).filter((c): c is APITextChannel => c.type === 0);
  }

  threadChannels(): APIThreadChannel[] {
    return [...this.channels.values()].map((r) => r.channel).filter((c): c is APIThreadChannel => c.type !== 0);
  }

  threads(): SandboxChannel[] {
    return this.threadChannels().map(clone);
  }
}
