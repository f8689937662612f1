import { Client, GatewayIntentBits, Options, Partials } from 'discord.js';

/**
 * The discord.js client as Emcee needs it. MessageContent is a privileged intent (enable it
 * in the Developer Portal, see README). Partials let edits and deletes of messages that are
 * not cached (older, or from before a restart) still arrive. Caches are capped and swept so
 * memory stays flat through long sessions: the database, not the cache, is the record.
 */
export function createDiscordClient({ apiBase }: { apiBase?: string | undefined } = {}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Message, Partials.Channel],
    rest: apiBase ? { api: apiBase } : {},
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 200,
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
