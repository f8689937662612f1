import {
  PermissionFlagsBits,
  type ChatInputCommandInteraction, type Client, type ModalSubmitInteraction, type SendableChannels, type Webhook,
} from 'discord.js';
import type { Logger } from '../logger.ts';
import { escapeText } from './escape.ts';
import { clip } from './replies.ts';

/** The webhook the bot makes in a channel to show answers given by button or command. */
export const ANSWER_WEBHOOK_NAME = 'Emcee answers';

export interface Echo {
  /** The session's channel. */
  channelId: string;
  /** The question's post: its thread, when it has one, has this id. */
  questionMessageId: string | null;
  questionNumber: number;
  name: string;
  avatarUrl: string;
  text: string;
}

/** Each client's answer webhooks by channel, found or made once (a restart finds them again by name and owner). */
const hooks = new WeakMap<Client, Map<string, Promise<Webhook | null>>>();

/**
 * Discord refuses a webhook username containing "discord" or "clyde" (and one over 80
 * characters): a display name that has them shows with a look-alike letter instead.
 */
export function webhookUsername(name: string): string {
  const safe = name.replace(/discord/gi, (w) => w.replace(/o/, 'ο').replace(/O/, 'Ο')).replace(/clyde/gi, (w) => w.replace(/e/, 'е').replace(/E/, 'Е'));
  return [...safe].slice(0, 80).join('').trim() || 'Participant';
}

/**
 * Shows an answer given by button or command in the channel (or the question's thread), as
 * that participant's: a message of the channel's answer webhook under their display name and
 * avatar where the bot may manage webhooks, else a bot message that names them. Never pings
 * (allowed_mentions parse: [], the text escaped). The webhook's messages are other "bots'"
 * to the listeners, so the echo is never taken in as a second answer; the bot's own message
 * is stored as the bot's, which is never attributed.
 */
export async function echoAnswer(interaction: ModalSubmitInteraction | ChatInputCommandInteraction, echo: Echo, log: Logger): Promise<void> {
  const client = interaction.client;
  const thread = echo.questionMessageId ? client.channels.cache.get(echo.questionMessageId) : undefined;
  const threadId = thread?.isThread() && thread.parentId === echo.channelId ? thread.id : null;
  const text = escapeText(echo.text);
  if (interaction.appPermissions?.has(PermissionFlagsBits.ManageWebhooks)) {
    const hook = await answerWebhook(client, echo.channelId, log);
    if (hook) {
      await hook.send({
        content: clip(`**A${echo.questionNumber}:** ${text}`, 2000),
        username: webhookUsername(echo.name),
        avatarURL: echo.avatarUrl,
        allowedMentions: { parse: [] },
        ...(threadId ? { threadId } : {}),
      });
      return;
    }
  }
  const target = await client.channels.fetch(threadId ?? echo.channelId);
  if (!target?.isSendable()) throw new Error(`channel ${threadId ?? echo.channelId} is not one the bot can post in`);
  await (target as SendableChannels).send({
    content: clip(`**${escapeText(echo.name)}** answered Q${echo.questionNumber}: ${text}`, 2000),
    allowedMentions: { parse: [] },
  });
}

/** The channel's answer webhook: the bot's own of that name, or a new one; null when it cannot have one. */
function answerWebhook(client: Client, channelId: string, log: Logger): Promise<Webhook | null> {
  let byChannel = hooks.get(client);
  if (!byChannel) hooks.set(client, (byChannel = new Map()));
  let hook = byChannel.get(channelId);
  if (!hook) {
    hook = findOrCreate(client, channelId).catch((err: unknown) => {
      log.warn({ err, channelId }, 'could not get a webhook for answers: they are shown as the bot\'s messages');
      byChannel.delete(channelId); // tried again next time (a permission may be granted meanwhile)
      return null;
    });
    byChannel.set(channelId, hook);
  }
  return hook;
}

async function findOrCreate(client: Client, channelId: string): Promise<Webhook> {
  const channel = await client.channels.fetch(channelId);
  if (!channel || !('fetchWebhooks' in channel) || !('createWebhook' in channel)) throw new Error(`channel ${channelId} cannot have webhooks`);
  const own = (await channel.fetchWebhooks()).find((w) => w.name === ANSWER_WEBHOOK_NAME && w.owner?.id === client.user?.id && w.token);
  return own ?? channel.createWebhook({ name: ANSWER_WEBHOOK_NAME, reason: 'Emcee shows answers given with the Answer button' });
}
