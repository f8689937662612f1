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

/** The URL a server admin opens to add the bot with exactly these permissions. */
export function inviteUrl(applicationId: string): string {
  const params = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions: REQUIRED_PERMISSION_BITS.toString(),
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
