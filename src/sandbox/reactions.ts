/**
 * Reactions as Discord has them: users add and remove reactions (unicode or custom emoji,
 * normal or super/"burst"), a moderator removes all of a message's reactions or one emoji's.
 * Each change is dispatched like Discord does (MESSAGE_REACTION_ADD with the member and the
 * message's author, _REMOVE, _REMOVE_ALL, _REMOVE_EMOJI; all under the GuildMessageReactions
 * intent), and the message object carries `reactions` (count, count_details, me, me_burst,
 * emoji, burst_colors) in the order the emoji first came. Adding a reaction the user already
 * has, or removing one they do not, changes nothing and dispatches nothing (Discord answers
 * 204 either way). A message takes at most 20 distinct emoji (error 30010).
 */
import { GatewayDispatchEvents as E, type APIPartialEmoji, type APIReaction } from 'discord-api-types/v10';
import type { Directory } from './directory.ts';
import { ApiError } from './errors.ts';
import type { Messages } from './messages.ts';
import { clone, type MessageRecord } from './model.ts';

/** Discord's limit on distinct emoji per message. */
export const MAX_REACTION_EMOJI = 20;
/** The colors Discord sends with a super reaction (any will do for the sandbox). */
const BURST_COLORS = ['#ffcc4d', '#f4900c'];

/** A unicode emoji ("👍") or a custom one ({ id, name }). */
export type ReactionEmoji = string | { id: string; name: string; animated?: boolean };

interface EmojiReactions {
  emoji: APIPartialEmoji;
  normal: Set<string>;
  burst: Set<string>;
}

export class Reactions {
  /** By message id, then emoji key, in the order the emoji first came. */
  private readonly byMessage = new Map<string, Map<string, EmojiReactions>>();

  constructor(private readonly dir: Directory, private readonly messages: Messages) {}

  /** A user reacts; false (nothing dispatched) when they had this reaction already. */
  add(messageId: string, userId: string, emoji: ReactionEmoji, { burst = false } = {}): boolean {
    const record = this.messages.requireMessage(messageId);
    const member = this.dir.requireMember(userId);
    const e = partial(emoji);
    const key = keyOf(e);
    const all = this.byMessage.get(messageId) ?? new Map<string, EmojiReactions>();
    let entry = all.get(key);
    if (!entry) {
      if (all.size >= MAX_REACTION_EMOJI) throw new ApiError(400, 30010, `Maximum number of reactions reached (${MAX_REACTION_EMOJI})`);
      entry = { emoji: e, normal: new Set(), burst: new Set() };
    }
    const users = burst ? entry.burst : entry.normal;
    if (users.has(userId)) return false;
    users.add(userId);
    all.set(key, entry);
    this.byMessage.set(messageId, all);
    this.refresh(record);
    const channelId = record.message.channel_id;
    this.dir.dispatch(E.MessageReactionAdd, {
      user_id: member.user.id, channel_id: channelId, message_id: messageId, guild_id: this.dir.guildOf(channelId),
      member: this.dir.memberPayload(userId), emoji: clone(e), message_author_id: record.message.author.id,
      burst, burst_colors: burst ? [...BURST_COLORS] : [], type: burst ? 1 : 0,
    });
    return true;
  }

  /** A user takes their reaction back; false (nothing dispatched) when they had none. */
  remove(messageId: string, userId: string, emoji: ReactionEmoji, { burst = false } = {}): boolean {
    const record = this.messages.requireMessage(messageId);
    const e = partial(emoji);
    const all = this.byMessage.get(messageId);
    const entry = all?.get(keyOf(e));
    const users = entry && (burst ? entry.burst : entry.normal);
    if (!all || !entry || !users?.delete(userId)) return false;
    if (entry.normal.size === 0 && entry.burst.size === 0) all.delete(keyOf(e));
    this.refresh(record);
    const channelId = record.message.channel_id;
    this.dir.dispatch(E.MessageReactionRemove, {
      user_id: userId, channel_id: channelId, message_id: messageId, guild_id: this.dir.guildOf(channelId),
      emoji: clone(entry.emoji), burst, type: burst ? 1 : 0,
    });
    return true;
  }

  /** A moderator removes every reaction of a message (DELETE …/reactions): MESSAGE_REACTION_REMOVE_ALL. */
  removeAll(messageId: string): void {
    const record = this.messages.requireMessage(messageId);
    this.byMessage.delete(messageId);
    this.refresh(record);
    const channelId = record.message.channel_id;
    this.dir.dispatch(E.MessageReactionRemoveAll, { channel_id: channelId, message_id: messageId, guild_id: this.dir.guildOf(channelId) });
  }

  /** A moderator removes one emoji's reactions (DELETE …/reactions/{emoji}): MESSAGE_REACTION_REMOVE_EMOJI. */
  removeEmoji(messageId: string, emoji: ReactionEmoji): void {
    const record = this.messages.requireMessage(messageId);
    const e = partial(emoji);
    const all = this.byMessage.get(messageId);
    const entry = all?.get(keyOf(e));
    all?.delete(keyOf(e));
    this.refresh(record);
    const channelId = record.message.channel_id;
    this.dir.dispatch(E.MessageReactionRemoveEmoji, {
      channel_id: channelId, message_id: messageId, guild_id: this.dir.guildOf(channelId), emoji: clone(entry?.emoji ?? e),
    });
  }

  /** The message object's `reactions`: absent when it has none, as Discord sends it. */
  private refresh(record: MessageRecord): void {
    const all = this.byMessage.get(record.message.id);
    if (!all || all.size === 0) {
      delete record.message.reactions;
      return;
    }
    const me = this.dir.botUser.id;
    record.message.reactions = [...all.values()].map((r): APIReaction => ({
      count: r.normal.size + r.burst.size,
      count_details: { burst: r.burst.size, normal: r.normal.size },
      me: r.normal.has(me),
      me_burst: r.burst.has(me),
      emoji: clone(r.emoji),
      burst_colors: r.burst.size > 0 ? [...BURST_COLORS] : [],
    }));
  }
}

function partial(emoji: ReactionEmoji): APIPartialEmoji {
  if (typeof emoji === 'string') {
    if (emoji.length === 0) throw new ApiError(400, 10014, 'Unknown Emoji');
    return { id: null, name: emoji };
  }
  return emoji.animated === undefined ? { id: emoji.id, name: emoji.name } : { id: emoji.id, name: emoji.name, animated: emoji.animated };
}

/** How Discord names an emoji in a route: the unicode itself, or name:id. */
function keyOf(e: APIPartialEmoji): string {
  return e.id === null ? e.name! : `${e.name}:${e.id}`;
}
