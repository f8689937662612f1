import { Client, GatewayIntentBits, Options, Partials } from 'discord.js';
import type { ShardSet } from '../domain/shard.ts';
import { botIntents } from './intents.ts';

/**
 * The discord.js client as Emcee needs it. MessageContent is a privileged intent (enable it
 * in the Developer Portal, see README). Partials let edits and deletes of messages that are
 * not cached (older, or from before a restart) still arrive. Caches are capped and swept so
 * memory stays flat through long sessions: the database, not the cache, is the record.
 */
export function createDiscordClient({ apiBase, shards = null, messageContent = true }: { apiBase?: string | undefined; shards?: ShardSet | null; messageContent?: boolean } = {}): Client {
  return new Client({
    // Given explicitly, always: discord.js would otherwise read SHARDS and SHARD_COUNT from
    // the environment itself (as JSON). No shard set: every shard, as many as Discord
    // recommends (internal sharding); else these shards of a fixed count.
    ...(shards ? { shards: [...shards.ids], shardCount: shards.count } : { shards: 'auto' as const }),
    // Without Message Content (MESSAGE_CONTENT=off) answers come by button (see intents.ts).
    intents: [...botIntents(messageContent), GatewayIntentBits.GuildMessageReactions],
    // Reaction, User: reactions on messages and by users not cached still arrive (src/discord/reactions.ts).
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    rest: apiBase ? { api: apiBase } : {},
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      // No message cache: the listeners read what they need when an event arrives, and
      // Discord's MESSAGE_UPDATE carries the whole message, so nothing looks a message up.
      // A cached message outlives the young generation and is promoted before it is
      // evicted: at 7,000 messages/s a 200-per-channel cache grew the process by 110 MB
      // between full GCs (npm run bench, ingest RSS growth), without it by 38 MB.
      MessageManager: 0,
      GuildMemberManager: { maxSize: 500, keepOverLimit: (member) => member.id === member.client.user.id },
      UserManager: 500,
      ReactionManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
    }),
    sweepers: {
      ...Options.DefaultSweeperSettings,
      messages: { interval: 15 * 60, lifetime: 30 * 60 },
      users: { interval: 60 * 60, filter: () => (user) => user.id !== user.client.user.id },
    },
    // Nothing the bot posts may ping anyone, whoever wrote the text.
    allowedMentions: { parse: [], repliedUser: false },
  });
}
