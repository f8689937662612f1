import type { AnswerTarget } from '../domain/labels.ts';
import { escapeHtml, safeHref } from './html.ts';
import type { RecapInsights } from './insights.ts';
import { md, mdHref } from './markdown.ts';

/**
 * The insights (insights.ts) as the Markdown and HTML recaps show them, after the
 * participants. Figures are numbers and fixed words; names and links are user text: escaped
 * (md, escapeHtml), links only http(s) (mdHref, safeHref) and marked rel="nofollow noopener".
 */

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function under(question: AnswerTarget | null): string {
  return question === null ? '' : question === 'TA' ? 'a takeaway' : `Q${question}`;
}

function conversationFigures(i: RecapInsights): string[] {
  const c = i.conversation;
  return [
    plural(c.repliesToParticipants, 'reply to another participant', 'replies to other participants'),
    plural(c.plainAnswers, 'plain answer'),
    `${plural(c.postedOnce, 'person', 'people')} posted once`,
    `the most active 10% (${plural(c.mostActiveTenth.people, 'person', 'people')}) wrote ${percent(c.mostActiveTenth.share)} of the messages`,
    c.afterOutro === null ? 'no outro posted' : `${plural(c.afterOutro, 'message')} after the outro`,
  ];
}

function firstTimerFigures(i: RecapInsights): string[] {
  const f = i.firstTimers;
  return [
    plural(f.count, 'first-timer'),
    `${f.replied} got a reply (${f.repliedByModerator} from a moderator, ${f.repliedByParticipant} from a participant)`,
  ];
}

/** The Markdown lines (each followed by an empty one). */
export function insightsMarkdown(i: RecapInsights): string[] {
  const link = (l: RecapInsights['links'][number]) => {
    const href = mdHref(l.url);
    const shown = href ? `[${md(l.url)}](${href})` : md(l.url);
    const where = under(l.question);
    return `- ${shown} shared by ${l.sharedBy.map((n) => `**${md(n)}**`).join(', ')}${where ? ` under ${where}` : ''}`;
  };
  return [
    '## Conversation', '', conversationFigures(i).join(' · '), '',
    '## First-timers', '', firstTimerFigures(i).join(' · '), '',
    '## Links shared', '', ...(i.links.length ? [...i.links.map(link), ''] : ['_No links were shared._', '']),
  ];
}

/**
 * The HTML sections. Each link shows without its scheme; it is a link (rel="nofollow
 * noopener") only when `hrefs`: the pages of imported archives carry no http(s) reference at
 * all (test/recap/html.test.ts), so there the links are text.
 */
export function insightsHtml(i: RecapInsights, hrefs: boolean): string[] {
  const link = (l: RecapInsights['links'][number]) => {
    const href = hrefs ? safeHref(l.url) : null;
    const text = `<bdi>${escapeHtml(l.url.replace(/^https?:\/\//i, ''))}</bdi>`;
    const shown = href ? `<a href="${href}" rel="nofollow noopener">${text}</a>` : text;
    const where = under(l.question);
    return `<li class="link">${shown} <span class="by">shared by ${l.sharedBy.map((n) => `<bdi>${escapeHtml(n)}</bdi>`).join(', ')}${where ? ` under ${where}` : ''}</span></li>`;
  };
  return [
    '<section aria-labelledby="h-conversation">', '<h2 id="h-conversation">Conversation</h2>',
    `<p class="counts">${conversationFigures(i).map(escapeHtml).join(' · ')}</p>`,
    `<p class="counts">${firstTimerFigures(i).map(escapeHtml).join(' · ')}</p>`,
    '</section>',
    '<section aria-labelledby="h-links">', '<h2 id="h-links">Links shared</h2>',
    i.links.length ? `<ul class="takeaways">\n${i.links.map(link).join('\n')}\n</ul>` : '<p class="note">No links were shared.</p>',
    '</section>',
  ];
}
