import type { Message, TextBasedChannel } from 'discord.js';

/**
 * A channel's history read back a page at a time, each page newest first: the first page
 * `firstPage` messages, the others 100 (Discord's most), at most `maxPages`, ending at the
 * channel's first message. `beforeEach` runs before every request (the pacer's turn). The
 * caller stops early by leaving the loop. Used by the platform's recent-posts look (a post of
 * unknown outcome) and the recap catch-up's look for a recap already posted.
 */
export async function* historyPages(
  channel: Pick<TextBasedChannel, 'messages'>,
  { firstPage = 100, maxPages, beforeEach }: { firstPage?: number; maxPages: number; beforeEach?: () => Promise<void> },
): AsyncGenerator<Message[]> {
  let before: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const size = page === 0 ? Math.min(Math.max(firstPage, 1), 100) : 100;
    await beforeEach?.();
    const messages = await channel.messages.fetch({ limit: size, cache: false, ...(before ? { before } : {}) });
    const sorted = [...messages.values()].sort((a, b) => (BigInt(b.id) < BigInt(a.id) ? -1 : 1));
    yield sorted;
    if (sorted.length < size) return; // the channel's first message
    before = sorted.at(-1)!.id;
  }
}
