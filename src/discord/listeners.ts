import { Events, MessageType, PermissionFlagsBits, type Client, type Message, type PartialMessage } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { IncomingMessage, LiveIngest } from '../live/ingest.ts';
import type { StorePort } from '../store/port.ts';

export interface ListenerDeps {
  store: StorePort;
  ingest: LiveIngest;
  clock: Clock;
  log: Logger;
}

/**
 * Turns a Discord message into the core's IncomingMessage, or null when it is not for
 * Emcee: another bot's message, or a channel (or thread of a channel) without a series.
 */
export async function toIncoming(msg: Message, { store }: Pick<ListenerDeps, 'store'>): Promise<IncomingMessage | null> {
  if (!msg.inGuild()) return null;
  const self = msg.client.user.id;
  if (msg.author.bot && msg.author.id !== self) return null;
  const inThread = msg.channel.isThread();
  const channelId = inThread ? msg.channel.parentId : msg.channelId;
  if (!channelId) return null;
  const series = await store.series.getByChannel(msg.guildId, channelId);
  if (!series) return null;
  const roleId = series.settings.moderatorRoleId;
  const member = msg.member;
  const moderator = msg.author.id === self
    || (member !== null && (member.permissions.has(PermissionFlagsBits.ManageGuild) || (roleId !== null && member.roles.cache.has(roleId))));
  return {
    id: msg.id,
    channelId,
    threadId: inThread ? msg.channelId : null,
    authorId: msg.author.id,
    authorName: member?.displayName ?? msg.author.displayName ?? msg.author.username,
    moderator,
    fromSelf: msg.author.id === self,
    at: msg.createdAt,
    text: msg.content,
    replyToId: msg.type === MessageType.Reply ? (msg.reference?.messageId ?? null) : null,
  };
}

/**
 * Holds live events while the bot catches up, then hands them over in the order they came.
 *
 * Backfill fetches what came after the newest message stored. A live message stored
 * before the older ones a backfill is still fetching would move that mark past them: if
 * the process then died, or a second place (a question thread) was looked up after it,
 * those older messages would never be fetched. So from a lost connection (or start-up)
 * until its backfill is done, live messages, edits and deletes wait here; the backfill
 * stores the older ones first. Ingest is idempotent, so a message seen both ways is one.
 */
export class LiveGate {
  private holds = 0;
  private held: (() => void)[] = [];

  /** Runs fn now, or once nothing holds the gate any more. */
  run(fn: () => void): void {
    if (this.holds > 0) this.held.push(fn);
    else fn();
  }

  /** Holds live events until the returned release is called (once; later calls do nothing). */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      const held = this.held;
      this.held = [];
      for (const fn of held) fn();
    };
  }
}

/** Hands messages, edits and deletes in session channels (and their threads) to the core. */
export function registerListeners(client: Client, deps: ListenerDeps, gate: LiveGate = new LiveGate()): void {
  const { ingest, clock, log } = deps;
  const guard = (event: string, fn: () => void | Promise<void>) => {
    gate.run(() => {
      Promise.resolve().then(fn).catch((err: unknown) => log.error({ err, event }, 'listener failed'));
    });
  };

  // New messages reach the ingest queue in the order they came: each waits for the one
  // before it to be looked up (toIncoming reads the store) and queued.
  let created: Promise<unknown> = Promise.resolve();
  client.on(Events.MessageCreate, (msg) => guard('messageCreate', () => {
    const turn = created.then(async () => {
      const incoming = await toIncoming(msg, deps);
      return incoming ? { done: ingest.messageCreated(incoming) } : null;
    });
    created = turn.catch(() => {});
    return turn.then((queued) => queued?.done).then(() => {});
  }));

  client.on(Events.MessageUpdate, (_old, updated) => guard('messageUpdate', async () => {
    // Edits of uncached messages arrive partial: fetch the whole message to read the text.
    const msg = updated.partial ? await updated.fetch().catch(() => null) : updated;
    if (!msg || msg.content === null) return;
    const incoming = await toIncoming(msg, deps);
    if (!incoming) return;
    // Not seen before (posted while the bot was down): take it in whole.
    const result = await ingest.messageUpdated(msg.id, msg.content, msg.editedAt ?? clock.now());
    if (result === null) await ingest.messageCreated(incoming);
  }));

  const deleted = (msg: Message | PartialMessage) => ingest.messageDeleted(msg.id, clock.now());
  client.on(Events.MessageDelete, (msg) => guard('messageDelete', async () => void (await deleted(msg))));
  client.on(Events.MessageBulkDelete, (msgs) => guard('messageDeleteBulk', async () => void (await Promise.all(msgs.map((m) => deleted(m))))));
}
