import { AttachmentBuilder, EmbedBuilder, type Client } from 'discord.js';
import { parseSeriesSettings } from '../core/settings.ts';
import type { Logger } from '../logger.ts';
import { renderHtml } from '../recap/html.ts';
import { duration, renderMarkdown } from '../recap/markdown.ts';
import { buildRecap, type Recap } from '../recap/model.ts';
import type { Store } from '../store/index.ts';
import type { Session } from '../store/sessions.ts';

const EMBED_COLOUR = 0x57f287;

/** The recap files of a session: the Markdown digest and the HTML page. */
export function recapFiles(recap: Recap): AttachmentBuilder[] {
  const base = `${recap.series.tag.replace(/^#/, '')}-session-${recap.session.id}`;
  return [
    new AttachmentBuilder(Buffer.from(renderMarkdown(recap)), { name: `${base}.md`, description: 'Recap (Markdown)' }),
    new AttachmentBuilder(Buffer.from(renderHtml(recap)), { name: `${base}.html`, description: 'Recap (web page)' }),
  ];
}

/** A short summary embed: counts, answers per question, the first takeaways. */
export function recapEmbed(recap: Recap): EmbedBuilder {
  const s = recap.stats;
  const embed = new EmbedBuilder()
    .setColor(EMBED_COLOUR)
    .setTitle(`${recap.series.tag} recap`.slice(0, 256))
    .setDescription([
      `${s.messages} messages from ${s.participants} participants (${s.firstTimers} first-time), ${s.answers} answers.`,
      ...(s.medianSecondsToFirstAnswer === null ? [] : [`A question's first answer came after ${duration(s.medianSecondsToFirstAnswer)} (median).`]),
      'The full recap is attached: open the .html file in a browser.',
    ].join('\n'));
  for (const q of recap.questions.slice(0, 10)) {
    embed.addFields({ name: `Q${q.number}${q.state === 'skipped' ? ' (skipped)' : ''}`, value: `${q.answers.length} answer${q.answers.length === 1 ? '' : 's'}`, inline: true });
  }
  const takeaways = recap.takeaways.slice(0, 3).map((t) => `• ${t.author ?? 'someone'}: ${t.text}`.slice(0, 300));
  if (takeaways.length) embed.addFields({ name: 'Takeaways', value: takeaways.join('\n').slice(0, 1024) });
  return embed;
}

/** At close: the summary embed with the recap files, in the series' recap channel or the session's own. */
export async function postRecap(client: Client, store: Store, session: Session, log: Logger): Promise<void> {
  const series = store.series.get(session.seriesId);
  const channelId = (series && parseSeriesSettings(series.settings).recapChannelId) ?? session.channelId;
  if (!channelId) return;
  try {
    const recap = buildRecap(store, session.id);
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not one the bot can post in`);
    await channel.send({ embeds: [recapEmbed(recap)], files: recapFiles(recap), allowedMentions: { parse: [] } });
    log.info({ sessionId: session.id, channelId }, 'recap posted');
  } catch (err) {
    log.error({ err, sessionId: session.id, channelId }, 'could not post the recap');
  }
}
