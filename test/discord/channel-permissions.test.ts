import { OverwriteType, PermissionFlagsBits as P } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { channelPermissions } from '../../src/discord/channel-permissions.ts';

const GUILD = '100000000000000000';
const BOT = '200000000000000000';
const MOD = '300000000000000000';
const OTHER = '400000000000000000';
const everyone = P.ViewChannel | P.SendMessages | P.EmbedLinks | P.ReadMessageHistory | P.AttachFiles;
const roles = [
  { id: GUILD, permissions: String(everyone) },
  { id: MOD, permissions: String(P.CreatePublicThreads) },
  { id: OTHER, permissions: String(P.Administrator) },
];
const role = (id: string, allow = 0n, deny = 0n) => ({ id, type: OverwriteType.Role, allow: String(allow), deny: String(deny) });
const member = (id: string, allow = 0n, deny = 0n) => ({ id, type: OverwriteType.Member, allow: String(allow), deny: String(deny) });
const perms = (overwrites: ReturnType<typeof role>[], memberRoles = [MOD], isOwner = false) =>
  channelPermissions({ guildId: GUILD, roles, memberId: BOT, memberRoles, overwrites, isOwner });

describe('a member\'s permissions in a channel (Discord\'s overwrite order, pure)', () => {
  it.each([
    ['no overwrites: @everyone and the member\'s roles together', [], everyone | P.CreatePublicThreads],
    ['@everyone denied Send Messages: denied (and with it Embed Links and Attach Files, implicitly)', [role(GUILD, 0n, P.SendMessages)], everyone & ~(P.SendMessages | P.EmbedLinks | P.AttachFiles) | P.CreatePublicThreads],
    ['@everyone denied, the member\'s role allowed: the role wins', [role(GUILD, 0n, P.SendMessages), role(MOD, P.SendMessages)], everyone | P.CreatePublicThreads],
    ['a role allows and the member overwrite denies: the member wins', [role(MOD, P.SendMessages), member(BOT, 0n, P.SendMessages)], everyone & ~(P.SendMessages | P.EmbedLinks | P.AttachFiles) | P.CreatePublicThreads],
    ['one role allows what another denies: the allow wins (roles together)', [role(GUILD, 0n, P.EmbedLinks), role(MOD, P.EmbedLinks)], everyone | P.CreatePublicThreads],
    ['an overwrite for a role the member lacks does nothing', [role(OTHER, 0n, P.SendMessages)], everyone | P.CreatePublicThreads],
    ['another member\'s overwrite does nothing', [member(OTHER, 0n, P.ViewChannel)], everyone | P.CreatePublicThreads],
    ['View Channel denied: nothing at all', [member(BOT, 0n, P.ViewChannel)], 0n],
  ] as const)('%s', (_name, overwrites, expected) => {
    expect(perms([...overwrites])).toBe(expected);
  });

  it('Administrator (by a role) and the owner get every permission, whatever the overwrites', () => {
    const all = perms([member(BOT, 0n, P.ViewChannel | P.SendMessages)], [OTHER]);
    expect(all & P.SendMessages).toBe(P.SendMessages);
    expect(all & P.ManageEvents).toBe(P.ManageEvents);
    expect(perms([member(BOT, 0n, P.ViewChannel)], [], true) & P.ViewChannel).toBe(P.ViewChannel);
  });
});
