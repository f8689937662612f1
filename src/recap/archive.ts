import { ZONE_OFFSETS } from '../archive/dates.ts';
import { utcToZonedParts } from '../domain/recurrence.ts';
import type { Repositories } from '../store/port.ts';
import type { StoredMessage } from '../store/messages.ts';

/**
 * The archive transcript: the session written back in the format of seeds/, so it can be
 * read by `emcee import` and `emcee replay` like any archive. Imported plain archives are
 * written plain (one message per line, no authors or times); everything else in the
 * Participate style, with the bot's question posts as the moderator's messages. What the
 * format cannot carry: Discord replies and threads (their answers need a label to count
 * again), blank lines inside a message, spaces in author names (written with "_"), and a
 * quoted tweet's own time (the quoting message's is used).
 */
export async function* exportArchive(store: Repositories, sessionId: number): AsyncGenerator<string> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new Error(`there is no session #${sessionId}`);
  const series = (await store.series.get(session.seriesId))!;
  const zone = zoneFor(series.timezone, session.startsAt);
  const start = wall(session.startsAt, zone);
  const title = `${series.tag} Archive`;
  const blurb = `${series.tag} session #${session.id}, exported by Emcee.`;
  const dateLine = `${start.weekday} ${start.month} ${start.day}, ${start.year}`;
  const timeLine = `${start.hour}:${start.minute} ${start.ampm} ${zone.abbr}`;

  if (session.format === 'plain') {
    yield `${title}\n${blurb}\n${dateLine} ${timeLine}\n`;
    for await (const m of store.messages.iterate(sessionId)) {
      if (m.deletedAt || m.text.trim() === '') continue;
      yield `${m.text.replace(/\s*\n\s*/g, ' ')}\n`;
    }
    return;
  }

  yield `${title}\n\n${blurb}\n\n${dateLine}\n${timeLine}\n\n`;
  const prompts = await store.prompts.listBySession(sessionId);
  // In live sessions the prompts are the bot's posts (written below from the prompts); in
  // imported archives they point at the moderator's own messages, which stay as they are.
  const botPosts = new Set(session.source === 'live' ? prompts.flatMap((p) => (p.messageId ? [p.messageId] : [])) : []);
  // Live sessions: the bot's posted prompts are the moderator's messages of the archive.
  const events: { at: Date; lines: string }[] = [];
  if (session.source === 'live') {
    for (const p of prompts) {
      if (p.state === 'posted' && p.postedAt) events.push({ at: p.postedAt, lines: message('Emcee', true, p.postedAt, p.text, [], null, zone) });
    }
  }
  let pending = events.sort((a, b) => a.at.getTime() - b.at.getTime());
  for await (const m of store.messages.iterate(sessionId)) {
    if (m.deletedAt || m.fromSelf || botPosts.has(m.platformId)) continue;
    const at = m.postedAt ?? session.startsAt;
    while (pending.length && pending[0]!.at <= at) {
      yield pending[0]!.lines;
      pending = pending.slice(1);
    }
    yield message(m.authorName ?? 'participant', m.isModerator, at, m.text, m.inReplyTo, m.quote, zone);
  }
  for (const e of pending) yield e.lines;
}

interface Zone {
  abbr: string;
  offsetHours: number;
}

/** The archive's zone: the series' US abbreviation when the format knows it, else UTC. */
function zoneFor(timezone: string, at: Date): Zone {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  const offset = ZONE_OFFSETS[name];
  const actual = utcToZonedParts(at, timezone).offsetMinutes / 60;
  return offset !== undefined && offset === actual ? { abbr: name, offsetHours: offset } : { abbr: 'UTC', offsetHours: 0 };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function wall(at: Date, zone: Zone) {
  const d = new Date(at.getTime() + zone.offsetHours * 3_600_000);
  const h = d.getUTCHours();
  return {
    weekday: DAYS[d.getUTCDay()]!, month: MONTHS[d.getUTCMonth()]!, day: d.getUTCDate(), year: d.getUTCFullYear(),
    hour: h % 12 === 0 ? 12 : h % 12, minute: String(d.getUTCMinutes()).padStart(2, '0'), ampm: h < 12 ? 'AM' : 'PM',
  };
}

function header(indent: string, author: string, moderator: boolean, at: Date, zone: Zone): string {
  const w = wall(at, zone);
  return `${indent}• ${author.replace(/\s+/g, '_') || 'participant'}${moderator ? ' - Moderator' : ''} ${w.month.slice(0, 3)} ${w.day} @ ${w.hour}:${w.minute} ${w.ampm} ${zone.abbr}\n`;
}

/** Text lines, indented; a line that would read as a header or a reply line is defused. */
function body(indent: string, text: string): string {
  return text.split('\n').filter((l) => l.trim() !== '')
    .map((l) => `${indent}${l.replace(/^(\s*)•/, '$1‣').replace(/^In reply to /, 'In reply to\u00a0')}\n`).join('');
}

function message(author: string, moderator: boolean, at: Date, text: string, inReplyTo: string[], quote: StoredMessage['quote'], zone: Zone): string {
  let out = header('  ', author, moderator, at, zone) + body('    ', text);
  if (quote) out += header('    ', quote.author ?? 'participant', false, at, zone) + body('      ', quote.text);
  if (inReplyTo.length) out += `    In reply to ${inReplyTo.map((h) => `@${h}`).join(', ')}\n`;
  return out;
}
