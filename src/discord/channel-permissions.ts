/**
 * A member's permissions in a channel from Discord's REST objects (the guild's roles, the
 * member's roles, the channel's overwrites), computed as Discord documents it
 * (developers/topics/permissions, "Permission Overwrites"), for `emcee doctor`, which reads
 * them over REST without a gateway session and so without discord.js's cache. Pure.
 */
import { OverwriteType, PermissionFlagsBits } from 'discord-api-types/v10';

export interface PermissionInput {
  guildId: string;
  /** The guild's roles; @everyone is the one whose id is the guild's. */
  roles: readonly { id: string; permissions: string }[];
  memberId: string;
  memberRoles: readonly string[];
  overwrites: readonly { id: string; type: number; allow: string; deny: string }[];
  /** The guild's owner has every permission. */
  isOwner?: boolean;
}

const ALL = Object.values(PermissionFlagsBits).reduce((a, b) => a | b, 0n);

/** The member's permissions in the guild: @everyone's and their roles' together (Administrator or owner: all). */
export function guildPermissions(input: Omit<PermissionInput, 'overwrites'>): bigint {
  if (input.isOwner) return ALL;
  const byId = new Map(input.roles.map((r) => [r.id, BigInt(r.permissions)]));
  const bits = [input.guildId, ...input.memberRoles].reduce((sum, id) => sum | (byId.get(id) ?? 0n), 0n);
  return bits & PermissionFlagsBits.Administrator ? ALL : bits;
}

/**
 * The member's permissions in the channel: the guild permissions, then the @everyone
 * overwrite, then the overwrites of all the member's roles together, then the member's own
 * (each: deny, then allow). Without View Channel nothing else is granted, and without Send
 * Messages neither are embeds, files or mentions (Discord's implicit denials).
 */
export function channelPermissions(input: PermissionInput): bigint {
  const base = guildPermissions(input);
  if (base === ALL) return ALL;
  const apply = (bits: bigint, list: PermissionInput['overwrites']) =>
    (bits & ~list.reduce((d, o) => d | BigInt(o.deny), 0n)) | list.reduce((a, o) => a | BigInt(o.allow), 0n);
  const roles = new Set(input.memberRoles);
  let bits = apply(base, input.overwrites.filter((o) => o.type === OverwriteType.Role && o.id === input.guildId));
  bits = apply(bits, input.overwrites.filter((o) => o.type === OverwriteType.Role && o.id !== input.guildId && roles.has(o.id)));
  bits = apply(bits, input.overwrites.filter((o) => o.type === OverwriteType.Member && o.id === input.memberId));
  if (!(bits & PermissionFlagsBits.ViewChannel)) return 0n;
  if (!(bits & PermissionFlagsBits.SendMessages)) {
    bits &= ~(PermissionFlagsBits.EmbedLinks | PermissionFlagsBits.AttachFiles | PermissionFlagsBits.MentionEveryone | PermissionFlagsBits.SendTTSMessages);
  }
  return bits;
}
