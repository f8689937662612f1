/** Gateway intents as Discord defines them: the bits, the privileged ones, and which events each gates. */
export const Intents = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildWebhooks: 1 << 5,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
} as const;

/** Intents an application must enable in the Developer Portal (and, at scale, be approved for). */
export const PRIVILEGED_INTENTS = Intents.GuildMembers | Intents.GuildPresences | Intents.MessageContent;

/** The intent an event needs; events not listed are always sent. */
export const EVENT_INTENTS: Record<string, number> = {
  GUILD_CREATE: Intents.Guilds,
  GUILD_UPDATE: Intents.Guilds,
  GUILD_DELETE: Intents.Guilds,
  GUILD_ROLE_CREATE: Intents.Guilds,
  GUILD_ROLE_UPDATE: Intents.Guilds,
  GUILD_ROLE_DELETE: Intents.Guilds,
  CHANNEL_CREATE: Intents.Guilds,
  CHANNEL_UPDATE: Intents.Guilds,
  CHANNEL_DELETE: Intents.Guilds,
  CHANNEL_PINS_UPDATE: Intents.Guilds,
  THREAD_CREATE: Intents.Guilds,
  THREAD_UPDATE: Intents.Guilds,
  THREAD_DELETE: Intents.Guilds,
  THREAD_LIST_SYNC: Intents.Guilds,
  THREAD_MEMBER_UPDATE: Intents.Guilds,
  GUILD_MEMBER_ADD: Intents.GuildMembers,
  GUILD_MEMBER_UPDATE: Intents.GuildMembers,
  GUILD_MEMBER_REMOVE: Intents.GuildMembers,
  MESSAGE_CREATE: Intents.GuildMessages,
  MESSAGE_UPDATE: Intents.GuildMessages,
  MESSAGE_DELETE: Intents.GuildMessages,
  MESSAGE_DELETE_BULK: Intents.GuildMessages,
  MESSAGE_REACTION_ADD: Intents.GuildMessageReactions,
  MESSAGE_REACTION_REMOVE: Intents.GuildMessageReactions,
  MESSAGE_REACTION_REMOVE_ALL: Intents.GuildMessageReactions,
  MESSAGE_REACTION_REMOVE_EMOJI: Intents.GuildMessageReactions,
  TYPING_START: Intents.GuildMessageTyping,
  GUILD_SCHEDULED_EVENT_CREATE: Intents.GuildScheduledEvents,
  GUILD_SCHEDULED_EVENT_UPDATE: Intents.GuildScheduledEvents,
  GUILD_SCHEDULED_EVENT_DELETE: Intents.GuildScheduledEvents,
  GUILD_SCHEDULED_EVENT_USER_ADD: Intents.GuildScheduledEvents,
  GUILD_SCHEDULED_EVENT_USER_REMOVE: Intents.GuildScheduledEvents,
  WEBHOOKS_UPDATE: Intents.GuildWebhooks,
};

/** The privileged intents an application has enabled in the Developer Portal, as gateway intent bits. */
export function enabledPrivilegedIntents(enabled: { messageContent?: boolean; guildMembers?: boolean; guildPresences?: boolean } = {}): number {
  return (enabled.guildMembers === false ? 0 : Intents.GuildMembers)
    | (enabled.guildPresences === false ? 0 : Intents.GuildPresences)
    | (enabled.messageContent === false ? 0 : Intents.MessageContent);
}
