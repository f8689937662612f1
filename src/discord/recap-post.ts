import { AttachmentBuilder, DiscordAPIError, EmbedBuilder, type Client } from 'discord.js';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../logger.ts';
import { renderHtml } from '../recap/html.ts';
import { duration, renderMarkdown } from '../recap/markdown.ts';
import { buildRecap, type Recap } from '../recap/model.ts';
import type { StorePort } from '../store/port.ts';
import type { Session } from '../store/sessions.ts';
import { escapeText } from './escape.ts';

const EMBED_COLOUR = 0x57f287;

/**
 * Discord's default upload limit for bots: 10 MiB for all the files of one message
 * together (boosted servers allow more; an interaction tells its own limit).
 */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

const KINDS: Record<string, string> = { md: 'Markdown recap', html: 'web page recap' };

/** The recap files of a session: the Markdown digest and the HTML page. */
export function recapFiles(recap: Recap): AttachmentBuilder[] {
  const base = `${recap.series.tag.replace(/^#/, '')}-session-${recap.session.id}`;
  return [
    new AttachmentBuilder(Buffer.from(renderMarkdown(recap)), { name: `${base}.md`, description: 'Recap (Markdown)' }),
    new AttachmentBuilder(Buffer.from(renderHtml(recap)), { name: `${base}.html`, description: 'Recap (web page)' }),
  ];
}

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

/** How long a recap claim holds before another process may post the recap instead. */
export const RECAP_LEASE_MS = 5 * 60_000;

/** The recap's Discord nonce (at most 25 characters): with enforce_nonce, a repeat within minutes is the same message. */
export const recapNonce = (sessionId: number): string => `emcee-recap:${sessionId}`;

export interface RecapPostOptions {
  /** Who this process claims the recap as (the engine's owner), and its clock. */
  owner: string;
  clock: Clock;
  maxUploadBytes?: number;
  leaseMs?: number;
}

/**
 * At close: the summary embed with the recap files, in the series' recap channel or the
 * session's own. Files over the upload limit are left out with a line saying how to get
 * them; the summary always goes out.
 *
 * Once across processes (issue 12): the recap is claimed in the database first (a lease,
 * SessionRepository.claimRecap), so of two processes that both saw the session end only
 * one posts it, and its post is recorded (fenced by the claim). The message carries the
 * session's recap nonce with enforce_nonce, the second guard against a repeat.
 */
export async function postRecap(
  client: Client, store: StorePort, session: Session, log: Logger,
  { owner, clock, maxUploadBytes = MAX_UPLOAD_BYTES, leaseMs = RECAP_LEASE_MS }: RecapPostOptions,
): Promise<void> {
  const series = await store.series.get(session.seriesId);
  const channelId = (series && series.settings.recapChannelId) ?? session.channelId;
  if (!channelId) return;
  try {
    const now = clock.now();
    if (!(await store.sessions.claimRecap(session.id, owner, new Date(now.getTime() + leaseMs), now))) {
      log.info({ sessionId: session.id }, 'recap posted, or being posted, by another process');
      return;
    }
    const recap = await buildRecap(store, session.id);
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not one the bot can post in`);
    const files = recapFiles(recap);
    const sent = await sendFitting(files, session.id, maxUploadBytes, async (attach, leftOut) => {
      if (leftOut.length) log.warn({ sessionId: session.id, channelId, leftOut }, 'recap files left out: too large to attach');
      return channel.send({
        embeds: [recapEmbed(recap, attach, leftOut)], files: attach, allowedMentions: { parse: [] },
        nonce: recapNonce(session.id), enforceNonce: true,
      });
    });
    const recorded = await store.sessions.recapPosted(session.id, owner, sent.id, sent.createdAt);
    log.info({ sessionId: session.id, channelId, messageId: sent.id, recorded }, 'recap posted');
  } catch (err) {
    log.error({ err, sessionId: session.id, channelId }, 'could not post the recap');
  }
}
