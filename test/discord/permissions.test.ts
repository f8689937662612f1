/**
 * The invite URL asks for what the bot needs, and for an optional feature's permissions only
 * when the server will use it (issue 14: Scheduled Events, the Answer button's webhook echo).
 */
import { PermissionFlagsBits as P, PermissionsBitField } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { inviteUrl, REQUIRED_PERMISSION_BITS } from '../../src/discord/permissions.ts';
import { emcee } from '../helpers/emcee-cli.ts';

const APP = '123456789012345678';
const permissionsOf = (url: string): PermissionsBitField => new PermissionsBitField(BigInt(new URL(url).searchParams.get('permissions')!));

describe('the invite URL', () => {
  it('by default: exactly the required permissions, no events, no webhooks', () => {
    const url = inviteUrl(APP);
    expect(new URL(url).searchParams.get('scope')).toBe('bot applications.commands');
    expect(permissionsOf(url).bitfield).toBe(REQUIRED_PERMISSION_BITS);
    expect(permissionsOf(url).has(P.CreateEvents)).toBe(false);
    expect(permissionsOf(url).has(P.ManageWebhooks)).toBe(false);
  });

  it('adds Create Events (not Manage Events) for events and Manage Webhooks for webhooks, each only when asked', () => {
    const events = permissionsOf(inviteUrl(APP, ['events']));
    expect(events.bitfield).toBe(REQUIRED_PERMISSION_BITS | P.CreateEvents);
    expect(events.has(P.ManageEvents)).toBe(false);
    expect(permissionsOf(inviteUrl(APP, ['webhooks'])).bitfield).toBe(REQUIRED_PERMISSION_BITS | P.ManageWebhooks);
    expect(permissionsOf(inviteUrl(APP, ['events', 'webhooks'])).bitfield).toBe(REQUIRED_PERMISSION_BITS | P.CreateEvents | P.ManageWebhooks);
  });

  it('emcee invite-url --events --webhooks prints that URL', async () => {
    expect(await emcee('invite-url', APP, '--events', '--webhooks')).toEqual({ code: 0, stdout: `${inviteUrl(APP, ['events', 'webhooks'])}\n`, stderr: '' });
    expect((await emcee('invite-url', APP)).stdout).toBe(`${inviteUrl(APP)}\n`);
  });
});
