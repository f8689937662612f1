import { MessageFlags } from 'discord.js';

/** What a command handler tells the person who ran it. */

/** An error whose message is for the person who ran the command. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** Replies only the person who ran the command sees, and that never ping anyone. */
export const ephemeral = { flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;

/** Discord's message limit, with room to spare. */
export function clip(text: string, max = 1990): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
