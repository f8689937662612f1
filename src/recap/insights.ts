import type { AnswerTarget } from '../domain/labels.ts';
import type { Repositories } from '../store/port.ts';
import type { Participant, RecapPrompt } from './model.ts';

/**
 * What every recap adds for hosts who want to grow a chat (issue 15, "In every recap"): how
 * much of it was conversation, how concentrated it was, whether first-timers got replies,
 * and the links people shared. The counts come from the store (insight-queries.ts: SQL
 * aggregates, and only the messages that hold a link are read); the rest is arithmetic on
 * the recap's participants here.
 */

export interface RecapLink {
  /** The URL with its tracking parameters removed (the same link shared twice is one entry). */
  url: string;
  /** Who shared it, each once, in the order they first did. */
  sharedBy: string[];
  /** The question the first message sharing it answers, 'TA' for a takeaway, or null. */
  question: AnswerTarget | null;
}

export interface RecapInsights {
  conversation: {
    /** Messages replying (Discord reply) to another participant's message. */
    repliesToParticipants: number;
    /** Counted answers that are not such a reply. */
    plainAnswers: number;
    /** Participants who wrote exactly one message. */
    postedOnce: number;
    /** The most active tenth of the participants (rounded up, at least one): how many, and their share of the messages, 0 to 1. */
    mostActiveTenth: { people: number; messages: number; share: number };
    /** Messages after the outro went out; null when no outro was posted. */
    afterOutro: number | null;
  };
  firstTimers: {
    count: number;
    /** First-timers who got at least one reply from someone else. */
    replied: number;
    /** …from a moderator, and from a participant who is not one (a first-timer can be in both). */
    repliedByModerator: number;
    repliedByParticipant: number;
  };
  links: RecapLink[];
}

export async function recapInsights(
  store: Pick<Repositories, 'recap'>, sessionId: number, participants: readonly Participant[], prompts: readonly RecapPrompt[], answers: number,
): Promise<RecapInsights> {
  const groups = await store.recap.replyGroups(sessionId);
  const outro = prompts.filter((p) => p.kind === 'outro' && p.postedAt !== null).at(-1)?.postedAt ?? null;
  const messages = participants.reduce((sum, p) => sum + p.messages, 0);
  const top = participants.length === 0 ? 0 : Math.max(1, Math.ceil(participants.length / 10));
  const topMessages = [...participants].sort((a, b) => b.messages - a.messages).slice(0, top).reduce((sum, p) => sum + p.messages, 0);
  const firstTimers = new Set(participants.filter((p) => p.firstTime).map((p) => p.name));
  const byModerator = new Set<string>();
  const byParticipant = new Set<string>();
  for (const g of groups) {
    if (firstTimers.has(g.to)) (g.moderator ? byModerator : byParticipant).add(g.to);
  }
  return {
    conversation: {
      repliesToParticipants: groups.reduce((sum, g) => sum + g.replies, 0),
      plainAnswers: answers - groups.reduce((sum, g) => sum + g.answers, 0),
      postedOnce: participants.filter((p) => p.messages === 1).length,
      mostActiveTenth: { people: top, messages: topMessages, share: messages === 0 ? 0 : topMessages / messages },
      afterOutro: outro === null ? null : await store.recap.messagesAfter(sessionId, outro),
    },
    firstTimers: {
      count: firstTimers.size,
      replied: new Set([...byModerator, ...byParticipant]).size,
      repliedByModerator: byModerator.size,
      repliedByParticipant: byParticipant.size,
    },
    links: mergeLinks(await store.recap.linkMessages(sessionId)),
  };
}

/** Each link once (normalized), with everyone who shared it once, in chat order. */
export function mergeLinks(messages: readonly { text: string; author: string; question: AnswerTarget | null }[]): RecapLink[] {
  const out = new Map<string, RecapLink>();
  for (const m of messages) {
    for (const url of findUrls(m.text)) {
      const link = out.get(url);
      if (!link) out.set(url, { url, sharedBy: [m.author], question: m.question });
      else if (!link.sharedBy.includes(m.author)) link.sharedBy.push(m.author);
    }
  }
  return [...out.values()];
}

/** The http(s) URLs in a text, normalized (normalizeUrl), each once, in order. */
export function findUrls(text: string): string[] {
  const found: string[] = [];
  for (const [raw] of text.matchAll(/https?:\/\/[^\s<>"'`]+/gi)) {
    const url = normalizeUrl(trimUrl(raw));
    if (url !== null && !found.includes(url)) found.push(url);
  }
  return found;
}

/** Sentence punctuation after a URL is not part of it; nor is a ")" it never opened. */
function trimUrl(raw: string): string {
  let url = raw.replace(/[.,;:!?*_~]+$/, '');
  while (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) url = url.slice(0, -1).replace(/[.,;:!?*_~]+$/, '');
  return url;
}

/** Query parameters that only track who clicked: removed (utm_* by prefix). */
const TRACKING = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id', 'mc_cid', 'mc_eid', 'igshid', 'igsh', 'si',
  'ref_src', 'ref_url', '_hsenc', '_hsmi', 'mkt_tok', 'vero_id', 'oly_enc_id', 'oly_anon_id', 'rb_clickid', 's_cid', 'spm', 'feature',
]);

/** The URL with its tracking parameters removed (scheme and host lower case); null unless http(s). */
export function normalizeUrl(raw: string): string | null {
  if (!URL.canParse(raw)) return null;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  for (const key of [...url.searchParams.keys()]) {
    if (key.toLowerCase().startsWith('utm_') || TRACKING.has(key.toLowerCase())) url.searchParams.delete(key);
  }
  if (url.search === '?') url.search = '';
  return url.href;
}
