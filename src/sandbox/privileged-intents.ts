/** The privileged intents an application has enabled in the Developer Portal, as gateway intent bits. */
export function enabledPrivilegedIntents(enabled: { messageContent?: boolean; guildMembers?: boolean; guildPresences?: boolean } = {}): number {
  return (enabled.guildMembers === false ? 0 : 1 << 1)
    | (enabled.guildPresences === false ? 0 : 1 << 8)
    | (enabled.messageContent === false ? 0 : 1 << 15);
}
