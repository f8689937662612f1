import { join } from 'node:path';
import { ensureDir, writeChunksAtomicAsync, writeFileAtomic, type WriteOptions } from '../fs/atomic.ts';
import type { Repositories } from '../store/port.ts';
import type { Series } from '../domain/series.ts';
import type { Session } from '../store/sessions.ts';
import { escapeHtml, htmlPage, relativeHref, streamHtml } from './html.ts';
import { buildRecap, formatDate, takeawayCount, type Recap } from './model.ts';
import { SITE_MANIFEST, checkSiteFolder, removeStale, siteManifest } from './site-folder.ts';
import { LISTED_STATES, buildSeriesReport, seriesReportHtml } from './series-report.ts';
import { exportView } from './anonymize.ts';

export { LISTED_STATES };

/**
 * The static archive site: index.html lists every series with its finished chats (newest
 * first), and sessions/<id>.html is each chat's HTML recap with a link back. Only relative
 * links, no script, nothing external: it works from file:// with no server.
 */

const TOP_TAKEAWAYS = 3;

export interface WrittenSite {
  /** Path of index.html. */
  index: string;
  /** Paths of the session pages, in the order of the index. */
  pages: string[];
}

interface Listed {
  series: Series;
  /** What the series' pages read: the store, or its anonymizing view. */
  view: Repositories;
  entries: Entry[];
  /** The series page (series/<id>.html), for a series with finished chats. */
  page: string | null;
}

interface Entry {
  session: Session;
  recap: Recap;
  topic: string;
  page: string;
}

export interface SiteOptions extends WriteOptions {
  /** Write into a non-empty folder that is not an Emcee site (nothing in it is deleted). */
  force?: boolean;
  /** Participants as pseudonyms, moderators by name (anonymize.ts). */
  anonymize?: boolean;
}

/**
 * Writes the site into outDir. The folder must be new, empty, or an Emcee site (it has the
 * .emcee-site manifest of the files Emcee wrote there); anything else is refused with a
 * SiteError unless `force`. Every file is written atomically; the only files ever removed
 * are pages the previous manifest lists whose sessions are no longer listed.
 */
export async function writeSite(store: Repositories, outDir: string, options: SiteOptions = {}): Promise<WrittenSite> {
  const previous = checkSiteFolder(outDir, options.force ?? false);
  ensureDir(join(outDir, 'sessions'));
  ensureDir(join(outDir, 'series'));

  const listed: Listed[] = [];
  for (const series of await store.series.list()) {
    const view = await exportView(store, series.id, options.anonymize);
    const sessions = (await store.sessions.listBySeries(series.id))
      .filter((s) => LISTED_STATES.includes(s.state))
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime() || b.id - a.id);
    const entries: Entry[] = [];
    for (const session of sessions) {
      // The index needs the counts and the top takeaways; each page streams its answers.
      const recap = await buildRecap(view, session.id, { keepAnswers: false, takeaways: TOP_TAKEAWAYS });
      entries.push({ session, recap, topic: await topicOf(store, session, recap), page: `sessions/${session.id}.html` });
    }
    listed.push({ series, view, entries, page: entries.length > 0 ? `series/${series.id}.html` : null });
  }
  // Grouped by place (a Discord server, or the imported archives): the place with the most
  // recent chat first, and in it the series with the most recent chat first; series without
  // any finished chat last.
  const newest = (entries: Entry[]) => entries[0]?.session.startsAt.getTime() ?? -Infinity;
  const placeNewest = new Map<string, number>();
  for (const l of listed) placeNewest.set(placeKey(l.series), Math.max(placeNewest.get(placeKey(l.series)) ?? -Infinity, newest(l.entries)));
  listed.sort((a, b) => (placeNewest.get(placeKey(b.series))! - placeNewest.get(placeKey(a.series))!)
    || placeKey(a.series).localeCompare(placeKey(b.series))
    || newest(b.entries) - newest(a.entries) || a.series.id - b.series.id);

  const files = ['index.html', ...listed.flatMap((l) => [...(l.page ? [l.page] : []), ...l.entries.map((e) => e.page)])];
  // First the manifest of everything that may be Emcee's once this run stops (old and new),
  // so a run that fails midway still leaves a folder recognised as a site.
  writeFileAtomic(join(outDir, SITE_MANIFEST), siteManifest([...new Set([...previous, ...files])]), options);
  const pages: string[] = [];
  for (const { series, view, page } of listed) {
    if (page) writeFileAtomic(join(outDir, page), seriesReportHtml(await buildSeriesReport(view, series), { href: '../index.html', text: '← All chats' }), options);
  }
  for (const { view, entries } of listed) {
    for (const e of entries) {
      const path = join(outDir, e.page);
      await writeChunksAtomicAsync(path, streamHtml(view, e.session.id, { back: { href: '../index.html', text: '← All chats' } }), options);
      pages.push(path);
    }
  }
  const index = join(outDir, 'index.html');
  writeFileAtomic(index, renderIndex(listed), options);
  // Pages of sessions no longer listed (cancelled since, or deleted) would be orphans.
  removeStale(outDir, previous, new Set(files));
  writeFileAtomic(join(outDir, SITE_MANIFEST), siteManifest(files), options);
  return { index, pages };
}

/** The first question asked, else the title of the question set, else a placeholder. */
async function topicOf(store: Repositories, session: Session, recap: Recap): Promise<string> {
  const first = recap.questions.find((q) => q.text !== null)?.text;
  if (first) return first;
  const set = session.questionSetId === null ? null : await store.bank.get(session.questionSetId);
  return set?.title ?? '(no questions)';
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Where a series runs: its Discord server, or '' for imported archives (which have none). */
const placeKey = (series: Series): string => series.guildId ?? '';

/**
 * Where a series runs, in words: the static site knows ids, not names (it reads only the
 * database), so a Discord series says its server and channel ids; an imported one says so.
 */
function placeOf(series: Series): string {
  if (series.guildId === null) return 'Imported archive';
  return `Discord server ${series.guildId}${series.channelId ? `, channel ${series.channelId}` : ''}`;
}

function renderIndex(listed: Listed[]): string {
  const chats = listed.reduce((n, l) => n + l.entries.length, 0);
  const body: string[] = [
    '<header>',
    '<h1>Chat archive</h1>',
    `<p class="meta">${plural(chats, 'chat')} in ${listed.length} series</p>`,
    '</header>',
  ];
  // Tags that more than one listed series carry (the same chat name in two servers, or an
  // archive and a live chat): their headings name the place too, so no two read the same.
  const tagCount = new Map<string, number>();
  for (const { series } of listed) tagCount.set(series.tag.toLowerCase(), (tagCount.get(series.tag.toLowerCase()) ?? 0) + 1);
  for (const { series, entries, page } of listed) {
    const shared = tagCount.get(series.tag.toLowerCase())! > 1;
    body.push(`<section class="series" aria-labelledby="series-${series.id}">`);
    body.push(`<h2 id="series-${series.id}">${escapeHtml(series.tag)}${shared ? ` <span class="place">(${escapeHtml(placeOf(series))})</span>` : ''}</h2>`);
    body.push(`<p class="meta">${escapeHtml(`${placeOf(series)} · ${plural(entries.length, 'chat')} · times in ${series.timezone}`)}${page ? ` · <a href="${relativeHref(page)}">Series report</a>` : ''}</p>`);
    if (entries.length === 0) body.push('<p class="note">No finished chats yet.</p>');
    for (const e of entries) body.push(sessionCard(e));
    body.push('</section>');
  }
  body.push('<footer>Archive by Emcee.</footer>');
  return htmlPage('Chat archive', body.join('\n'));
}

function sessionCard({ recap, topic, page }: Entry): string {
  const s = recap.stats;
  const counts = [
    plural(s.messages, 'message'),
    recap.session.format === 'plain' ? 'participants not recorded' : plural(s.participants, 'participant'),
    plural(s.answers, 'answer'),
    ...(takeawayCount(recap) ? [plural(takeawayCount(recap), 'takeaway')] : []),
  ];
  const takeaways = recap.takeaways.slice(0, TOP_TAKEAWAYS).map((a) =>
    `<li>${escapeHtml(a.text)}${a.author ? ` <span class="by">— ${escapeHtml(a.author)}</span>` : ''}</li>`);
  return [
    '<article class="session">',
    `<h3><a href="${relativeHref(page)}">${escapeHtml(formatDate(recap.session.startsAt, recap.series.timezone))}</a></h3>`,
    `<p class="topic">${escapeHtml(topic)}</p>`,
    `<p class="counts">${escapeHtml(counts.join(' · '))}</p>`,
    ...(takeaways.length ? [`<ul class="takeaways" aria-label="Top takeaways">\n${takeaways.join('\n')}\n</ul>`] : []),
    '</article>',
  ].join('\n');
}
