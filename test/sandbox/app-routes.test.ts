import { ApplicationFlags, PermissionFlagsBits as P } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';

/** The sandbox routes `emcee doctor` asks (app-routes.ts), and channel overwrites and deletion, as Discord answers them. */

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const s = await startSandbox(options);
  sandboxes.push(s);
  return s;
}

async function get(s: Sandbox, path: string, token = s.token): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.apiBase}/v10${path}`, { headers: { authorization: `Bot ${token}` } });
  return { status: res.status, body: await res.json() };
}

describe('sandbox: who the bot is and what it may do', () => {
  it('GET /users/@me is the bot user; a wrong token is 401', async () => {
    const s = await sandbox();
    expect(await get(s, '/users/@me')).toMatchObject({ status: 200, body: { id: s.botUser.id, username: 'sandbox-bot', bot: true } });
    expect(await get(s, '/users/@me', 'wrong')).toEqual({ status: 401, body: { message: '401: Unauthorized', code: 0 } });
  });

  it('GET /applications/@me: the flags of the enabled privileged intents (unverified: _LIMITED; verified: the plain ones)', async () => {
    const limited = ApplicationFlags.GatewayMessageContentLimited | ApplicationFlags.GatewayGuildMembersLimited | ApplicationFlags.GatewayPresenceLimited;
    const all = await sandbox();
    expect((await get(all, '/applications/@me')).body).toMatchObject({ id: all.applicationId, flags: limited, flags_new: String(limited) });
    const off = await sandbox({ privilegedIntents: { messageContent: false } });
    expect((await get(off, '/applications/@me')).body.flags).toBe(limited & ~ApplicationFlags.GatewayMessageContentLimited);
    const verified = await sandbox({ verifiedApplication: true, privilegedIntents: { guildMembers: false, guildPresences: false } });
    expect((await get(verified, '/applications/@me')).body.flags).toBe(ApplicationFlags.GatewayMessageContent);
  });

  it('GET …/commands lists what the last bulk overwrite left (localizations only with_localizations=true); another app is 404 10002', async () => {
    const s = await sandbox();
    const body = [{ name: 'chat', description: 'Chats', name_localizations: { fr: 'discussion' } }];
    await fetch(`${s.apiBase}/v10/applications/${s.applicationId}/guilds/${s.guild.id}/commands`, {
      method: 'PUT', headers: { authorization: `Bot ${s.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await get(s, `/applications/${s.applicationId}/commands`)).body).toEqual([]);
    const guild = await get(s, `/applications/${s.applicationId}/guilds/${s.guild.id}/commands?with_localizations=true`);
    expect(guild.body).toMatchObject([{ name: 'chat', guild_id: s.guild.id, name_localizations: { fr: 'discussion' } }]);
    expect((await get(s, `/applications/${s.applicationId}/guilds/${s.guild.id}/commands`)).body[0]).not.toHaveProperty('name_localizations');
    expect(await get(s, '/applications/123456789012345678/commands')).toMatchObject({ status: 404, body: { code: 10002 } });
  });

  it('a guild\'s roles and one member; an unknown member is 404 10007', async () => {
    const s = await sandbox();
    const roles = (await get(s, `/guilds/${s.guild.id}/roles`)).body as { id: string }[];
    expect(roles.map((r) => r.id)).toContain(s.guild.id);
    const member = await get(s, `/guilds/${s.guild.id}/members/${s.botUser.id}`);
    expect(member.body).toMatchObject({ user: { id: s.botUser.id }, roles: [expect.any(String)] });
    expect(await get(s, `/guilds/${s.guild.id}/members/123456789012345678`)).toMatchObject({ status: 404, body: { code: 10007, message: 'Unknown Member' } });
  });

  it('a channel the bot cannot see is 403 Missing Access (50001); allowed again by a role overwrite, it is the channel; deleted, 404 Unknown Channel', async () => {
    const s = await sandbox();
    const channel = s.createChannel('chat');
    s.setPermissionOverwrite(channel.id, { id: s.guild.id, type: 'role', deny: P.ViewChannel });
    expect(await get(s, `/channels/${channel.id}`)).toMatchObject({ status: 403, body: { code: 50001, message: 'Missing Access' } });
    const role = s.createRole('viewers', 0n);
    s.addRole(s.botUser.id, role.id);
    s.setPermissionOverwrite(channel.id, { id: role.id, type: 'role', allow: P.ViewChannel });
    const seen = await get(s, `/channels/${channel.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.permission_overwrites).toEqual([
      { id: s.guild.id, type: 0, allow: '0', deny: String(P.ViewChannel) },
      { id: role.id, type: 0, allow: String(P.ViewChannel), deny: '0' },
    ]);
    s.deleteChannel(channel.id);
    expect(await get(s, `/channels/${channel.id}`)).toMatchObject({ status: 404, body: { code: 10003 } });
    expect(() => s.setPermissionOverwrite(channel.id, { id: s.guild.id, type: 'role' })).toThrow(/Unknown Channel/);
  });
});
