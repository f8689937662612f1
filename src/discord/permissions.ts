import { OAuth2Scopes, PermissionFlagsBits, PermissionsBitField } from 'discord.js';

/** What the bot needs in a chat channel, and why. */
export const REQUIRED_PERMISSIONS = {
  ViewChannel: 'see the chat channel',
  SendMessages: 'post the welcome, heads-ups, questions and outro',
  EmbedLinks: 'post questions as embeds',
  CreatePublicThreads: 'open a thread on each question (thread mode)',
  SendMessagesInThreads: 'answer in question threads',
  ReadMessageHistory: 'catch up on answers posted while it was away',
  AttachFiles: 'attach recap files',
  UseApplicationCommands: 'offer the /chat and /bank commands',
} as const satisfies Partial<Record<keyof typeof PermissionFlagsBits, string>>;

export const REQUIRED_PERMISSION_BITS: bigint = new PermissionsBitField(
  Object.keys(REQUIRED_PERMISSIONS).map((name) => PermissionFlagsBits[name as keyof typeof PermissionFlagsBits]),
).bitfield;

/**
 * What optional features need beyond REQUIRED_PERMISSIONS: asked for in the invite only when
 * the server uses the feature (`emcee invite-url --events --webhooks`). Without them the chat
 * runs all the same, without events, and with button answers shown as the bot's own posts.
 */
export const FEATURE_PERMISSIONS = {
  /** Scheduled Events (series setting scheduledEvents): Create Events lets the bot edit and cancel the events it created, and no others. */
  events: { CreateEvents: 'create each session\'s Scheduled Event and keep it in step' },
  /** The Answer button's echo under the participant's name and avatar. */
  webhooks: { ManageWebhooks: 'show button answers under the participant\'s name and avatar' },
} as const satisfies Record<string, Partial<Record<keyof typeof PermissionFlagsBits, string>>>;

export type InviteFeature = keyof typeof FEATURE_PERMISSIONS;

/** REQUIRED_PERMISSION_BITS and those of the features named. */
export function permissionBits(features: readonly InviteFeature[] = []): bigint {
  const names = features.flatMap((f) => Object.keys(FEATURE_PERMISSIONS[f]));
  return REQUIRED_PERMISSION_BITS | new PermissionsBitField(names.map((n) => PermissionFlagsBits[n as keyof typeof PermissionFlagsBits])).bitfield;
}

/** The URL a server admin opens to add the bot with exactly these permissions (and those of the features it will use). */
export function inviteUrl(applicationId: string, features: readonly InviteFeature[] = []): string {
  const params = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions: permissionBits(features).toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
