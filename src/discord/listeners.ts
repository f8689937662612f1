import { Events, MessageType, PermissionFlagsBits, type Client, type Message, type PartialMessage } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import type { IncomingMessage, LiveIngest } from '../live/ingest.ts';
import { MarkCache } from '../live/mark-cache.ts';
import { contentWithheld } from './intents.ts';
import type { Series, StorePort } from '../store/port.ts';

export interface ListenerDeps {
  store: StorePort;
  ingest: LiveIngest;
  clock: Clock;
  log: Logger;
}

/**
 * The series of each channel, cached while the store's change mark stays put (it moves when
 * another process commits, and when this process saves a series): the listeners look a
 * series up per message without a query, and its settings are parsed once, not per message.
 *
 * The mark is read when an event ARRIVES (fresh(); or when the gate lets a held event
 * through), and the event's lookup waits for that read. Events are handed over one after
 * another, so a read started at each hand-over would put a store round trip (PostgreSQL:
 * a flush of the LISTEN session) in line per message:
 * 13,061 flushes for 13,000 messages in the ingest benchmark, the store's throughput bound.
 * Read at arrival, the events that arrive while a read is in flight share it (the store
 * shares a read in flight), as events in one turn already did.
 */
export class ChannelSeries {
  private readonly cache: MarkCache<Series | null>;

  constructor(private readonly store: StorePort) {
    this.cache = new MarkCache(() => store.changeMark());
  }

  /** Reads the change mark (or joins the read in flight): call it when an event arrives. */
  fresh(): Promise<void> {
    return this.cache.fresh();
  }

  /** The channel's series, as of the read `fresh` (by default, one started now). */
  async get(guildId: string, channelId: string, fresh: Promise<void> = this.cache.fresh()): Promise<Series | null> {
    await fresh;
    const key = `${guildId}/${channelId}`;
    let series = this.cache.get(key);
    if (series === undefined) this.cache.set(key, (series = await this.store.series.getByChannel(guildId, channelId)));
    return series;
  }
}

/** What an event says about a message, read when the event arrives (see snapshot). */
interface Snapshot {
  msg: Message<true>;
  guildId: string;
  self: string;
  incoming: Omit<IncomingMessage, 'moderator'>;
}

/**
 * Reads a message's fields at once, when its event arrives: discord.js patches the one
 * cached Message object in place on every later edit, so a create handed over after an
 * await would otherwise store the text of an edit still to come (and the edits then change
 * nothing). Null when it is not for Emcee: not in a guild, or another bot's message.
 */
export function snapshot(msg: Message): Snapshot | null {
  if (!msg.inGuild()) return null;
  const self = msg.client.user.id;
  if (msg.author.bot && msg.author.id !== self) return null;
  if (contentWithheld(msg)) return null; // no Message Content intent: nothing to read (intents.ts)
  const inThread = msg.channel.isThread();
  const channelId = inThread ? msg.channel.parentId : msg.channelId;
  if (!channelId) return null;
  return {
    msg, guildId: msg.guildId, self,
    incoming: {
      id: msg.id,
      channelId,
      threadId: inThread ? msg.channelId : null,
      authorId: msg.author.id,
      authorName: msg.member?.displayName ?? msg.author.displayName ?? msg.author.username,
      fromSelf: msg.author.id === self,
      at: msg.createdAt,
      text: msg.content,
      replyToId: msg.type === MessageType.Reply ? (msg.reference?.messageId ?? null) : null,
    },
  };
}

/**
 * The core's IncomingMessage from a snapshot, or null when its channel (or the thread's
 * channel) has no series. `series` is the cached lookup (one per listener set); without it
 * the store is asked.
 */
export async function fromSnapshot(
  snap: Snapshot | null, { store, series: lookup }: { store: StorePort; series?: ChannelSeries }, fresh?: Promise<void>,
): Promise<IncomingMessage | null> {
  if (!snap) return null;
  const { msg, guildId, self, incoming } = snap;
  const series = await (lookup ? lookup.get(guildId, incoming.channelId, fresh) : store.series.getByChannel(guildId, incoming.channelId));
  if (!series) return null;
  const roleId = series.settings.moderatorRoleId;
  const member = msg.member;
  const moderator = incoming.authorId === self
    || (member !== null && (member.permissions.has(PermissionFlagsBits.ManageGuild) || (roleId !== null && member.roles.cache.has(roleId))));
  return { ...incoming, moderator };
}

/** Turns a Discord message into the core's IncomingMessage, or null when it is not for Emcee. */
export function toIncoming(msg: Message, deps: { store: StorePort; series?: ChannelSeries }): Promise<IncomingMessage | null> {
  return fromSnapshot(snapshot(msg), deps);
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

/**
 * Hands messages, edits and deletes in session channels (and their threads) to the core, in
 * the order they came: each event waits for the one before it to be looked up (the series,
 * cached) and handed to the ingest's pipeline, so an edit or a delete never overtakes its
 * create. Only the hand-over is in line; the writes are the ingest's (group commit).
 */
export function registerListeners(client: Client, deps: ListenerDeps, gate: LiveGate = new LiveGate()): MessageOrder {
  const { ingest, clock, log } = deps;
  const lookup = { store: deps.store, series: new ChannelSeries(deps.store) };
  let handedOver: Promise<unknown> = Promise.resolve();
  /**
   * Runs handOver after the events before it were handed over (not written: the next one is
   * handed over while this one waits for its batch), then waits for what it handed over.
   */
  const inOrder = (event: string, handOver: (fresh: Promise<void> | undefined) => Promise<{ done: Promise<unknown> } | null>, looksUp = true) => {
    gate.run(() => {
      // The change mark is read as the event passes the gate (see ChannelSeries), not in line;
      // deletes look nothing up and read nothing.
      const fresh = looksUp ? lookup.series.fresh() : undefined;
      const turn = handedOver.then(() => handOver(fresh));
      handedOver = turn.catch(() => {});
      turn.then((queued) => queued?.done).catch((err: unknown) => log.error({ err, event }, 'listener failed'));
    });
  };

  client.on(Events.MessageCreate, (msg) => {
    const snap = snapshot(msg);
    if (!snap) return;
    inOrder('messageCreate', async (fresh) => {
      const incoming = await fromSnapshot(snap, lookup, fresh);
      return incoming ? { done: ingest.messageCreated(incoming) } : null;
    });
  });

  const edited = (msg: Message) => {
    const snap = snapshot(msg);
    if (!snap || msg.content === null) return;
    const at = msg.editedAt ?? clock.now();
    inOrder('messageUpdate', async (fresh) => {
      const incoming = await fromSnapshot(snap, lookup, fresh);
      // Not seen before (posted while the bot was down): taken in whole.
      return incoming ? { done: ingest.messageUpdated(incoming.id, incoming.text, at, incoming) } : null;
    });
  };
  client.on(Events.MessageUpdate, (_old, updated) => {
    if (!updated.partial) return edited(updated);
    // Edits of uncached messages arrive partial: the whole message is fetched (to read the
    // text) before the edit takes its place in line, so a slow fetch holds nothing else up.
    updated.fetch().then(edited, (err: unknown) => log.debug({ err, messageId: updated.id }, 'an edited message could not be fetched'));
  });

  const deleted = (msg: Message | PartialMessage) => ingest.messageDeleted(msg.id, clock.now());
  client.on(Events.MessageDelete, (msg) => inOrder('messageDelete', async () => ({ done: deleted(msg) }), false));
  client.on(Events.MessageBulkDelete, (msgs) => inOrder('messageDeleteBulk', async () => ({ done: Promise.all(msgs.map((m) => deleted(m))) }), false));

  return {
    afterMessages: (event) => new Promise<void>((resolve, reject) => {
      inOrder(event, async () => {
        const committed = ingest.whenIdle();
        committed.then(resolve, reject);
        return { done: committed };
      }, false);
    }),
  };
}

/** What other listeners (reactions) need of the messages' order. */
export interface MessageOrder {
  /**
   * Resolves once every message event that came before this call is stored: it waits in the
   * same line (and behind the same catch-up gate) as they do, then for the ingest's commit.
   * A reaction right behind its message would otherwise find no message to count it on.
   */
  afterMessages(event: string): Promise<void>;
}
