import { AttachmentBuilder, DiscordAPIError, EmbedBuilder, type Client, type Message, type SendableChannels } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import { recapBuffer } from '../recap/index.ts';
import { duration } from '../recap/markdown.ts';
import { buildRecap, type Recap } from '../recap/model.ts';
import type { Repositories, StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { ChannelUnavailableError, isChannelUnavailable } from '../platform/types.ts';
import { escapeText } from './escape.ts';
import { classifiedIn } from './platform.ts';
import { historyPages } from './history.ts';

const EMBED_COLOUR = 0x57f287;

/**
 * Discord's default upload limit for bots: 10 MiB for all the files of one message
 * together (boosted servers allow more; an interaction tells its own limit).
 */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const KINDS: Record<string, string> = { md: 'Markdown recap', html: 'web page recap' };

/** The recap files of a session: the Markdown digest and the HTML page, streamed from the store. */
export async function recapFiles(store: Repositories, recap: Recap): Promise<AttachmentBuilder[]> {
  const base = `${recap.series.tag.replace(/^#/, '')}-session-${recap.session.id}`;
  return [
    new AttachmentBuilder(await recapBuffer(store, recap.session.id, 'md'), { name: `${base}.md`, description: 'Recap (Markdown)' }),
    new AttachmentBuilder(await recapBuffer(store, recap.session.id, 'html'), { name: `${base}.html`, description: 'Recap (web page)' }),
  ];
}

/** What the summary embed shows: the counts and the first takeaways (the files stream the answers). */
export const EMBED_RECAP = { keepAnswers: false, takeaways: 3 } as const;

const sizeOf = (file: AttachmentBuilder): number => (file.attachment as Buffer).length;
const extensionOf = (file: AttachmentBuilder): string => file.name?.split('.').at(-1) ?? '';

/** "The web page recap (12.3 MB) is too large to attach here; `emcee recap 7 --format html` writes it." */
export function leftOutLine(file: AttachmentBuilder, sessionId: number): string {
  const bytes = sizeOf(file);
  const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
  const ext = extensionOf(file);
  return `The ${KINDS[ext] ?? ext} (${size}) is too large to attach here; \`emcee recap ${sessionId} --format ${ext}\` writes it.`;
}

/**
 * Sends a message with as many of `files` as fit the upload limit, in order; `send` gets the
 * files it may attach and a line for each file left out (saying how to get it). If Discord
 * still answers 413 Request entity too large (40005) — its limit for this server is lower
 * than ours — the largest file left is dropped and the message sent again, down to no file
 * at all: the message itself always goes out.
 */
export async function sendFitting<T>(
  files: AttachmentBuilder[],
  sessionId: number,
  limit: number,
  send: (attach: AttachmentBuilder[], leftOut: string[]) => Promise<T>,
): Promise<T> {
  let total = 0;
  let attach = files.filter((f) => {
    if (total + sizeOf(f) > limit) return false;
    total += sizeOf(f);
    return true;
  });
  for (;;) {
    const leftOut = files.filter((f) => !attach.includes(f)).map((f) => leftOutLine(f, sessionId));
    try {
      return await send(attach, leftOut);
    } catch (err) {
      const tooLarge = err instanceof DiscordAPIError && (err.code === 40005 || err.status === 413);
      if (!tooLarge || attach.length === 0) throw err;
      const largest = attach.reduce((a, b) => (sizeOf(b) > sizeOf(a) ? b : a));
      attach = attach.filter((f) => f !== largest);
    }
  }
}

/** A short summary embed: counts, answers per question, the first takeaways; `leftOut`: files that could not be attached. */
export function recapEmbed(recap: Recap, attached: AttachmentBuilder[] = [], leftOut: string[] = []): EmbedBuilder {
  const s = recap.stats;
  const embed = new EmbedBuilder()
    .setColor(EMBED_COLOUR)
    .setTitle(clipEscaped(`${escapeText(recap.series.tag)} recap`, 256))
    .setFooter({ text: recapFooter(recap.session.id) })
    .setDescription([
      `${s.messages} messages from ${s.participants} participants (${s.firstTimers} first-time), ${s.answers} answers.`,
      ...(s.medianSecondsToFirstAnswer === null ? [] : [`A question's first answer came after ${duration(s.medianSecondsToFirstAnswer)} (median).`]),
      ...(attached.some((f) => extensionOf(f) === 'html') ? ['The full recap is attached: open the .html file in a browser.'] : []),
      ...leftOut,
    ].join('\n'));
  for (const q of recap.questions.slice(0, 10)) {
    embed.addFields({ name: `Q${q.number}${q.state === 'skipped' ? ' (skipped)' : ''}`, value: `${q.answerCount} answer${q.answerCount === 1 ? '' : 's'}`, inline: true });
  }
  // Names and texts are the participants': shown literally, so a masked link in a takeaway
  // cannot become a live link in the bot's own embed.
  const takeaways = recap.takeaways.slice(0, 3).map((t) => clipEscaped(`• ${t.author === null ? 'someone' : escapeText(t.author)}: ${escapeText(t.text)}`, 300));
  if (takeaways.length) embed.addFields({ name: 'Takeaways', value: takeaways.join('\n').slice(0, 1024) });
  return embed;
}

/** Cuts escaped text to `max` without leaving a lone escaping backslash at the end. */
function clipEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  return `${trailing % 2 === 1 ? cut.slice(0, -1) : cut}…`;
}

/**
 * How long a recap claim holds before another process may post the recap instead. The
 * claimant renews it every third of that while it builds and sends the recap, so only a
 * process that died lets it run out.
 */
export const RECAP_LEASE_MS = 30_000;
/** After a failed post, the claimant holds the recap this long; then it is tried again. */
export const RECAP_RETRY_MS = 10 * 60_000;

/** The summary embed's footer: how a recap already in the channel is recognised as this session's. */
export const recapFooter = (sessionId: number): string => `Emcee recap of session ${sessionId}`;
/** How many pages of 100 messages the catch-up reads back looking for a recap already posted. */
export const RECAP_LOOK_PAGES = 10;

/**
 * The session's recap if it is in the channel already (the bot's own message with the
 * session's footer), read back from the newest message to the session's end, at most
 * RECAP_LOOK_PAGES pages: a process killed after its post reached Discord but before it
 * was recorded left it there, and Discord forgets the nonce after a few minutes.
 */
async function recapInChannel(client: Client, channel: SendableChannels, session: Session): Promise<Message | null> {
  if (!('messages' in channel)) return null;
  const footer = recapFooter(session.id);
  const since = session.endedAt?.getTime() ?? 0;
  for await (const page of historyPages(channel, { maxPages: RECAP_LOOK_PAGES })) {
    const found = page.find((m) => m.author.id === client.user?.id && m.embeds[0]?.footer?.text === footer);
    if (found) return found;
    if ((page.at(-1)?.createdTimestamp ?? 0) < since) return null; // back before the session ended
  }
  return null;
}

/** The recap's Discord nonce (at most 25 characters): with enforce_nonce, a repeat within minutes is the same message. */
export const recapNonce = (sessionId: number): string => `emcee-recap:${sessionId}`;

export interface RecapPostOptions {
  /** Who this process claims the recap as (the engine's owner), and its clock. */
  owner: string;
  clock: Clock;
  maxUploadBytes?: number;
  leaseMs?: number;
  retryMs?: number;
  /** Look in the channel for the recap first (the catch-up: an earlier try may have reached it). */
  lookFirst?: boolean;
}

/** What became of a recap: posted here, held by another process (or posted already), failed (to be tried again), or given up (channel gone). */
export type RecapOutcome = 'posted' | 'elsewhere' | 'failed' | 'given-up';

/**
 * At close: the summary embed with the recap files, in the series' recap channel or the
 * session's own. Files over the upload limit are left out with a line saying how to get
 * them; the summary always goes out.
 *
 * Once across processes (issue 12): the recap is claimed in the database first (a lease,
 * SessionRepository.claimRecap, renewed while the post is under way), so of two processes
 * that both saw the session end only one posts it, and its post is recorded (fenced by the
 * claim). A process that dies holding the claim lets the lease run out, and the recap
 * catch-up (./recaps.ts) of the guild's process posts it. The message carries the session's
 * recap nonce with enforce_nonce, the second guard against a repeat: Discord answers a
 * repeated nonce within minutes with the message already posted.
 */
export async function postRecap(
  client: Client, store: StorePort, session: Session, log: Logger,
  { owner, clock, maxUploadBytes = MAX_UPLOAD_BYTES, leaseMs = RECAP_LEASE_MS, retryMs = RECAP_RETRY_MS, lookFirst = false }: RecapPostOptions,
): Promise<RecapOutcome> {
  const series = await store.series.get(session.seriesId);
  const channelId = (series && series.settings.recapChannelId) ?? session.channelId;
  if (!channelId) return 'given-up';
  const claim = (forMs: number) => {
    const now = clock.now();
    return store.sessions.claimRecap(session.id, owner, new Date(now.getTime() + forMs), now);
  };
  let renewal: NodeJS.Timeout | undefined;
  try {
    if (!(await claim(leaseMs))) {
      log.info({ sessionId: session.id }, 'recap posted, or being posted, by another process');
      return 'elsewhere';
    }
    renewal = setInterval(() => void claim(leaseMs).catch(() => {}), Math.max(leaseMs / 3, 10));
    renewal.unref();
    const sent = await classifiedIn(channelId, async () => {
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isSendable()) throw new ChannelUnavailableError(channelId, 'not-sendable', 'not a text channel the bot can post in');
      const already = lookFirst ? await recapInChannel(client, channel, session) : null;
      if (already) {
        log.info({ sessionId: session.id, channelId, messageId: already.id }, 'recap found in the channel: posted before, not recorded');
        return already;
      }
      const recap = await buildRecap(store, session.id, EMBED_RECAP);
      const files = await recapFiles(store, recap);
      return sendFitting(files, session.id, maxUploadBytes, async (attach, leftOut) => {
        if (leftOut.length) log.warn({ sessionId: session.id, channelId, leftOut }, 'recap files left out: too large to attach');
        return channel.send({
          embeds: [recapEmbed(recap, attach, leftOut)], files: attach, allowedMentions: { parse: [] },
          nonce: recapNonce(session.id), enforceNonce: true,
        });
      });
    });
    clearInterval(renewal);
    const recorded = await store.sessions.recapPosted(session.id, owner, sent.id, sent.createdAt);
    log.info({ sessionId: session.id, channelId, messageId: sent.id, recorded }, 'recap posted');
    return 'posted';
  } catch (err) {
    clearInterval(renewal);
    // Held for a while, then tried again by the catch-up; a channel that is gone is not
    // tried again (the hold outlasts the catch-up's reach).
    const gone = isChannelUnavailable(err);
    await claim(gone ? 7 * 24 * 60 * 60_000 : retryMs).catch(() => null);
    log.error({ err, sessionId: session.id, channelId }, gone ? 'could not post the recap: the channel is gone or closed to the bot' : 'could not post the recap; will try again');
    return gone ? 'given-up' : 'failed';
  }
}
