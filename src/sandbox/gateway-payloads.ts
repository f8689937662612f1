/**
 * The data of the gateway events the sandbox builds from its state: READY, GUILD_CREATE,
 * GUILD_MEMBERS_CHUNK and the MESSAGE_CREATE/UPDATE message. Typed with discord-api-types'
 * Gateway*DispatchData, so tsc checks them against Discord's documented shapes.
 */
import type {
  APIGuild,
  APIMessage,
  GatewayGuildCreateDispatchData,
  GatewayGuildMembersChunkDispatchData,
  GatewayMessageCreateDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import {
  type ApplicationFlags,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildSystemChannelFlags,
  GuildVerificationLevel,
  Locale,
} from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { clone } from './model.ts';
import { receives } from './sharding.ts';

/** The guild object (as GET /guilds/{id} would return it; GUILD_CREATE adds to it). */
export function guildPayload(dir: Directory, guildId: string): APIGuild {
  const guild = dir.guildInfo(guildId);
  const fields: APIGuild = {
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
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.AllMessages,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: dir.rolesList(guild.id),
    emojis: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: GuildNSFWLevel.Default,
    stickers: [],
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    region: 'deprecated',
  };
  // Discord's published schema requires these too; discord-api-types does not list them yet.
  return { ...fields, ...{ home_header: null, nsfw: false } };
}

/** The full guild of GUILD_CREATE. */
export function guildCreatePayload(dir: Directory, guildId: string): GatewayGuildCreateDispatchData {
  const inGuild = (c: { guild_id?: string }) => c.guild_id === guildId;
  return {
    ...guildPayload(dir, guildId),
    joined_at: dir.joinedAt,
    large: false,
    unavailable: false,
    member_count: dir.members.size,
    voice_states: [],
    members: dir.membersList(),
    channels: dir.textChannels().filter(inGuild).map(clone),
    threads: dir.threadChannels().filter(inGuild).map(clone),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function readyPayload(
  dir: Directory,
  sessionId: string,
  shard: [number, number],
  resumeUrl: string,
): GatewayReadyDispatchData {
  const data: GatewayReadyDispatchData = {
    v: 10,
    user: { ...clone(dir.botUser), verified: true, mfa_enabled: false, email: null, locale: Locale.EnglishUS },
    // Only the guilds of this session's shard, as on Discord.
    guilds: dir.guildIds().filter((id) => receives(shard, id)).map((id) => ({ id, unavailable: true })),
    session_id: sessionId,
    resume_gateway_url: resumeUrl,
    shard,
    application: { id: dir.applicationId, flags: dir.applicationFlags as ApplicationFlags, flags_new: String(dir.applicationFlags) },
  };
  // What Discord sends a bot besides (discord.js ignores it; kept for fidelity).
  const extra = {
    session_type: 'normal',
    user_settings: {},
    private_channels: [],
    presences: [],
    relationships: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    auth: {},
    _trace: ['sandbox'],
  };
  return { ...data, ...extra };
}

export function membersChunk(dir: Directory, request: Record<string, unknown>): GatewayGuildMembersChunkDispatchData {
  const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
  const limit = typeof request.limit === 'number' && request.limit > 0 ? request.limit : Infinity;
  const wanted = Array.isArray(request.user_ids)
    ? request.user_ids.map(String)
    : typeof request.user_ids === 'string'
      ? [request.user_ids]
      : null;
  let members = [...dir.members.values()];
  if (wanted) members = members.filter((m) => wanted.includes(m.user.id));
  else if (query) members = members.filter((m) => m.user.username.toLowerCase().startsWith(query));
  members = members.slice(0, limit);
  return {
    guild_id: typeof request.guild_id === 'string' ? request.guild_id : dir.guild.id,
    members: members.map((m) => dir.memberPayload(m.user.id)),
    chunk_index: 0,
    chunk_count: 1,
    not_found: wanted ? wanted.filter((id) => !dir.members.has(id)) : [],
    ...(request.presences ? { presences: [] } : {}),
    ...(typeof request.nonce === 'string' ? { nonce: request.nonce } : {}),
  };
}

/**
 * The MESSAGE_CREATE / MESSAGE_UPDATE data: the message (a view) plus guild_id, channel_type,
 * the author's partial member (not for webhook messages) and, on create, the nonce.
 */
export function messageEvent(dir: Directory, message: APIMessage, nonce?: string | number): GatewayMessageCreateDispatchData {
  const channel = dir.channels.get(message.channel_id)?.channel;
  const event: GatewayMessageCreateDispatchData = { ...message, guild_id: dir.guildOf(message.channel_id) };
  if (channel) event.channel_type = channel.type;
  if (!message.webhook_id && dir.members.has(message.author.id)) event.member = dir.memberWithoutUser(message.author.id);
  if (nonce !== undefined) event.nonce = nonce;
  return event;
}
