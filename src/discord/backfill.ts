import { SnowflakeUtil, type Client, type Message } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { ShardSet } from '../domain/shard.ts';
import type { Logger } from '../logger.ts';
import { DEFAULT_LATE_WINDOW_MS, type IngestResult, type LiveIngest } from '../live/ingest.ts';
import type { StorePort } from '../store/port.ts';
import { ChannelSeries, toIncoming } from './listeners.ts';

/** How far before a session's start backfill looks when it has seen nothing yet. */
const LOOKBACK_BEFORE_START_MS = 60 * 60_000;

/**
 * Catches up with messages posted while the bot was not listening (down, or between a
 * gateway disconnect and reconnect): for each session still collecting, every message of
 * its channel and its question threads after the last one seen is ingested, oldest first.
 * Ingest is idempotent, so running this twice changes nothing. Only the sessions of the
 * guilds this process owns (`owns`: its shards; default every guild) are caught up.
 */
export async function backfill(client: Client, deps: { store: StorePort; ingest: LiveIngest; clock: Clock; log: Logger; owns?: ShardSet | null }): Promise<number> {
  const { store, ingest, clock, log, owns = null } = deps;
  let total = 0;
  const lookup = { store, series: new ChannelSeries(store) };
  for (const session of await store.sessions.listCollecting(new Date(clock.now().getTime() - DEFAULT_LATE_WINDOW_MS), owns)) {
    if (!session.channelId) continue;
    const threads = (await store.prompts.listBySession(session.id))
      .filter((p) => p.kind === 'question' && p.messageId !== null)
      .map((p) => p.messageId!); // a question's thread has the question's id
    for (const place of [session.channelId, ...threads]) {
      const threadId = place === session.channelId ? null : place;
      const since = (await store.messages.lastSeenId(session.id, session.channelId, threadId))
        ?? SnowflakeUtil.generate({ timestamp: session.startsAt.getTime() - LOOKBACK_BEFORE_START_MS }).toString();
      try {
        const fetched = await fetchAfter(client, place, since);
        // Handed over all at once, oldest first: the ingest writes them in a few batches
        // (group commit), in this order, so the newest stored is always the last of a prefix.
        const results: Promise<IngestResult | null>[] = [];
        for (const msg of fetched) {
          const incoming = await toIncoming(msg, lookup);
          if (incoming) results.push(ingest.messageCreated(incoming));
        }
        for (const r of await Promise.all(results)) if (r?.inserted) total++;
      } catch (err) {
        // A question without a thread (thread mode off) is simply not a channel.
        if (threadId === null) log.warn({ err, sessionId: session.id, channelId: place }, 'backfill failed for a channel');
      }
    }
  }
  if (total > 0) log.info({ messages: total }, 'backfill ingested messages posted while the bot was away');
  return total;
}

/** Every message after `after`, oldest first, page by page. */
async function fetchAfter(client: Client, channelId: string, after: string): Promise<Message[]> {
  const channel = await client.channels.fetch(channelId);
  if (!channel || !channel.isTextBased() || !('messages' in channel)) return [];
  const all: Message[] = [];
  let cursor = after;
  for (;;) {
    const page = await channel.messages.fetch({ after: cursor, limit: 100, cache: false });
    if (page.size === 0) break;
    const sorted = [...page.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    all.push(...sorted);
    cursor = sorted.at(-1)!.id;
    if (page.size < 100) break;
  }
  return all;
}
