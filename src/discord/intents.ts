import { GatewayIntentBits, type Client, type Message } from 'discord.js';
import type { Logger } from '../logger.ts';

/**
 * The gateway intents Emcee asks for. Message Content is privileged: an app must enable it in
 * the Developer Portal (and, seen by more than 10,000 users, pass Discord's review for it).
 * Without it (MESSAGE_CONTENT=off, or after Discord refused it with close code 4014) the bot
 * still sees the text of messages that mention it (replies to its posts that ping it), and
 * answers come through the Answer button and /chat answer.
 */
export function botIntents(messageContent: boolean): GatewayIntentBits[] {
  return [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, ...(messageContent ? [GatewayIntentBits.MessageContent] : [])];
}

/** Does this client read message text (does it hold the Message Content intent)? */
export function readsContent(client: Client): boolean {
  return client.options.intents.has(GatewayIntentBits.MessageContent);
}

/**
 * Without the intent, Discord withholds a message's content (text, embeds, attachments) unless
 * the bot wrote it or is mentioned in it (a reply to the bot with the ping on). Such a message
 * says nothing Emcee can count: an empty reply must not become an empty answer.
 */
export function contentWithheld(msg: Message): boolean {
  const self = msg.client.user.id;
  return !readsContent(msg.client) && msg.author.id !== self && !msg.mentions.users.has(self);
}

/** Discord's close code 4014, as discord.js reports it. */
function disallowedIntents(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 'DisallowedIntents' || e.code === 4014 || e.code === '4014') return true;
    if (typeof e.message === 'string' && /disallowed intent/i.test(e.message)) return true;
  }
  return false;
}

/** Said once when Discord refuses the Message Content intent: what to do about it. */
export const DISALLOWED_INTENTS_LINE =
  'Discord refused the Message Content intent (gateway close 4014): connecting without it. Enable "Message Content Intent" on the Bot page of the Developer Portal, or set MESSAGE_CONTENT=off to stop asking. Meanwhile answers count from the Answer button, /chat answer and replies that ping the bot.';

/**
 * Logs in; if Discord closes the gateway with 4014 (a privileged intent the app lacks) while
 * the client asks for Message Content, logs one line saying what to do and logs in again
 * without it, instead of failing the start (and a supervisor restarting it into the same refusal).
 */
export async function loginAllowingIntents(client: Client, token: string, log: Logger): Promise<string> {
  try {
    return await client.login(token);
  } catch (err) {
    if (!disallowedIntents(err) || !readsContent(client)) throw err;
    log.warn(DISALLOWED_INTENTS_LINE);
    client.options.intents = client.options.intents.remove(GatewayIntentBits.MessageContent);
    // discord.js 14 keeps the refused gateway manager (and its intents) and marks itself
    // destroyed after a failed login: both are let go so the next login builds a new one.
    const ws = client.ws as unknown as { destroyed: boolean; _ws: unknown };
    ws.destroyed = false;
    ws._ws = null;
    return client.login(token);
  }
}
