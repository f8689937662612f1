import { Events, type Client, type MessageReaction, type PartialMessageReaction } from 'discord.js';
import type { Logger } from '../logger.ts';
import type { Reaction, StorePort } from '../store/port.ts';
import type { MessageOrder } from './listeners.ts';

/**
 * Reactions on session messages (issue 14): the four MESSAGE_REACTION_* events (intent
 * GuildMessageReactions, not privileged) written to the store, which keeps one row per
 * reaction and ignores messages it never stored (anything outside a session). They are off
 * the ingest's path: their own queue, one write each, in the order they came (an add and its
 * remove never swap). Discord's own limits keep them rare next to messages. The bot's own
 * reactions are not counted. Each is written after the message events that came before it
 * are stored (MessageOrder: the same line and catch-up gate), so a reaction right behind its
 * message counts. One that came while the bot was away is not counted (Discord sends no
 * reactions on a catch-up; the recap counts what it saw).
 */
export function registerReactionListeners(client: Client, { store, log, order }: { store: StorePort; log: Logger; order: MessageOrder }): { idle(): Promise<void> } {
  let queue: Promise<unknown> = Promise.resolve();
  const inOrder = (event: string, write: () => Promise<unknown>) => {
    // Written once the messages that came before it are stored (its own among them).
    const stored = order.afterMessages(event);
    queue = queue.then(() => stored).then(write).catch((err: unknown) => log.error({ err, event }, 'reaction not recorded'));
  };
  const one = (reaction: MessageReaction | PartialMessageReaction, userId: string, burst: boolean): Reaction =>
    ({ messageId: reaction.message.id, emoji: emojiKey(reaction), userId, burst });
  const self = (userId: string) => userId === client.user?.id;

  client.on(Events.MessageReactionAdd, (reaction, user, details) => {
    if (!reaction.message.guildId || self(user.id)) return;
    inOrder('messageReactionAdd', () => store.reactions.add(one(reaction, user.id, details.burst)));
  });
  client.on(Events.MessageReactionRemove, (reaction, user, details) => {
    if (!reaction.message.guildId || self(user.id)) return;
    inOrder('messageReactionRemove', () => store.reactions.remove(one(reaction, user.id, details.burst)));
  });
  client.on(Events.MessageReactionRemoveAll, (message) => {
    inOrder('messageReactionRemoveAll', () => store.reactions.removeAll(message.id));
  });
  client.on(Events.MessageReactionRemoveEmoji, (reaction) => {
    inOrder('messageReactionRemoveEmoji', () => store.reactions.removeEmoji(reaction.message.id, emojiKey(reaction)));
  });
  return { idle: () => queue.then(() => {}) };
}

/** How the store names an emoji: a unicode emoji itself, a custom one "name:id" (as Discord's routes do). */
function emojiKey(reaction: MessageReaction | PartialMessageReaction): string {
  const { id, name } = reaction.emoji;
  return id ? `${name ?? ''}:${id}` : (name ?? '');
}
