import { isFirstTimer } from '../domain/first-timers.ts';

/**
 * Figures across a series' sessions (issue 15): who came for the first time and who came
 * back, the retention of first-timers, attendance streaks, and the words its answers use
 * most. Pure functions over what the store already gives (each session's authors and answer
 * texts), so the series report and the site's series page compute them the same way.
 */

/** One session of the series as these figures need it, oldest first. */
export interface SeriesSessionInput {
  sessionId: number;
  startsAt: Date;
  topic: string;
  /** Who posted (the bot left out), each once; by name, as the recaps tell people apart. */
  authors: readonly string[];
  /** Those of the authors who moderated this session: never its first-timers (src/domain/first-timers.ts). */
  moderators?: readonly string[];
  answers: number;
}

export interface SeriesSessionRow extends Omit<SeriesSessionInput, 'authors' | 'moderators'> {
  participants: number;
  /** Posted in this session and in none before it, and did not moderate it (src/domain/first-timers.ts). */
  firstTimers: number;
  returning: number;
}

/** Sessions within which a first-timer must come back to count as retained. */
export const RETENTION_WINDOW = 3;

export interface Retention {
  /** First-timers of sessions followed by at least one more (the others cannot have come back yet). */
  firstTimers: number;
  /** Of those, how many posted again within the next RETENTION_WINDOW sessions. */
  cameBack: number;
  /** cameBack ÷ firstTimers, or null when there is no first-timer to judge. */
  share: number | null;
}

export interface Streak {
  author: string;
  /** The longest run of consecutive sessions attended. */
  longest: number;
  /** The run that includes the latest session (0 when they missed it). */
  current: number;
}

function sorted(sessions: readonly SeriesSessionInput[]): SeriesSessionInput[] {
  return [...sessions].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.sessionId - b.sessionId);
}

/** A session's first-timers, given everyone seen in the sessions before it. */
function freshIn(session: Pick<SeriesSessionInput, 'authors' | 'moderators'>, seen: ReadonlySet<string>): string[] {
  const moderators = new Set(session.moderators ?? []);
  return [...new Set(session.authors)].filter((a) => isFirstTimer({ wroteBefore: seen.has(a), moderator: moderators.has(a) }));
}

/** One row per session, oldest first: participants split into first-timers and returning. */
export function sessionRows(sessions: readonly SeriesSessionInput[]): SeriesSessionRow[] {
  const seen = new Set<string>();
  return sorted(sessions).map(({ authors, moderators, ...rest }) => {
    const unique = new Set(authors);
    const firstTimers = freshIn({ authors, moderators }, seen).length;
    for (const a of unique) seen.add(a);
    return { ...rest, participants: unique.size, firstTimers, returning: unique.size - firstTimers };
  });
}

/** The share of first-timers who came back within the next RETENTION_WINDOW sessions. */
export function retention(sessions: readonly SeriesSessionInput[], window = RETENTION_WINDOW): Retention {
  const ordered = sorted(sessions);
  const list = ordered.map((s) => new Set(s.authors));
  const seen = new Set<string>();
  let firstTimers = 0;
  let cameBack = 0;
  list.forEach((authors, i) => {
    const fresh = freshIn(ordered[i]!, seen);
    for (const a of authors) seen.add(a);
    if (i === list.length - 1) return; // nothing after it yet
    const later = list.slice(i + 1, i + 1 + window);
    firstTimers += fresh.length;
    cameBack += fresh.filter((a) => later.some((s) => s.has(a))).length;
  });
  return { firstTimers, cameBack, share: firstTimers === 0 ? null : cameBack / firstTimers };
}

/** Each participant's attendance streaks, longest first (then by name); a session someone moderated is not attendance. */
export function streaks(sessions: readonly SeriesSessionInput[]): Streak[] {
  const list = sorted(sessions).map((s) => new Set(s.authors.filter((a) => !(s.moderators ?? []).includes(a))));
  const all = new Set(list.flatMap((s) => [...s]));
  const out: Streak[] = [];
  for (const author of all) {
    let run = 0;
    let longest = 0;
    for (const s of list) {
      run = s.has(author) ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    out.push({ author, longest, current: run });
  }
  return out.sort((a, b) => b.longest - a.longest || b.current - a.current || a.author.localeCompare(b.author));
}

/** Words too common to say anything about a chat (English; the seed chats' language). */
export const STOP_WORDS: ReadonlySet<string> = new Set(`
a about above after again against all also am an and any are aren't as at be because been before being below between
both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most much
mustn't my myself no nor not now of off on once one only or other ought our ours ourselves out over own really same
shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them themselves then
there there's these they they'd they'll they're they've this those through to too under until up us very was wasn't
we we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's
will with won't would wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves
`.trim().split(/\s+/));

/**
 * The words the answers use most, most first (ties alphabetical): lower-cased, without
 * links, mentions, hashtags, answer labels (A1:, Q2, TA) or numbers; words of three letters
 * or more that are not stop words.
 */
export function topWords(texts: Iterable<string>, limit = 20): { word: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const plain = text
      .replace(/https?:\/\/\S+/gi, ' ')
      .replace(/<[@#][!&]?\d+>/g, ' ')
      .replace(/[@#][\p{L}\p{N}_]+/gu, ' ')
      .toLowerCase();
    for (const raw of plain.match(/[\p{L}][\p{L}'’-]*/gu) ?? []) {
      const word = raw.replace(/’/g, "'").replace(/^['-]+|['-]+$/g, '');
      if ([...word].length < 3 || STOP_WORDS.has(word) || /^(?:[aq]\d+[a-z]?|ta)$/.test(word)) continue;
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return [...counts].map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word))
    .slice(0, limit);
}
