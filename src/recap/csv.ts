import { isFirstTimerAuthor } from '../domain/first-timers.ts';
import { questionBody } from '../domain/labels.ts';
import type { Repositories } from '../store/port.ts';
import { eventCells } from './event.ts';
import { answerNotes, noted } from './highlights.ts';
import { findUrls } from './insights.ts';
import { discordLink } from './model.ts';

/**
 * CSV: one row per answer, streamed from the database. RFC 4180 (CRLF line ends, fields
 * with a quote, comma or line break quoted, quotes doubled). A cell a spreadsheet would
 * read as a formula (starting with = + - @, a tab or a CR) gets a leading apostrophe.
 */

export const CSV_COLUMNS = [
  'session', 'question', 'question_text', 'author', 'time', 'label', 'via', 'late', 'text', 'link', 'reactions', 'corrected_by', 'event_interested', 'event_took_part',
  // Issue 15's insights, per answer: whether its author is a first-timer of the session, and
  // the links it shares (tracking parameters stripped, space-separated).
  'first_timer', 'links',
] as const;

export async function* exportCsv(store: Repositories, sessionId: number): AsyncGenerator<string> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new Error(`there is no session #${sessionId}`);
  const series = (await store.series.get(session.seriesId))!;
  const questionText = new Map((await store.prompts.listBySession(sessionId)).filter((p) => p.kind === 'question').map((p) => [p.questionNumber!, questionBody(p.text, series.tag)]));
  const notes = await answerNotes(store, sessionId);
  // The session's Scheduled Event (event.ts): the same on every row, empty without one.
  const event = await eventCells(store, sessionId, session.startsAt);
  const before = await store.messages.authorsBefore(series.id, session.startsAt);
  const firstTimers = new Set((await store.recap.messageCounts(sessionId, session.startsAt)).authors
    .filter((a) => isFirstTimerAuthor(a, before)).map((a) => a.name));
  yield row([...CSV_COLUMNS]);
  for await (const a of store.messages.iterateAnswers(sessionId)) {
    const { reactions, correctedBy } = noted(a, notes);
    yield row([
      String(sessionId),
      String(a.question),
      a.question === 'TA' ? 'Takeaways' : (questionText.get(a.question) ?? ''),
      a.authorName ?? '',
      a.postedAt?.toISOString() ?? '',
      a.label ?? '',
      a.via,
      a.late ? 'yes' : 'no',
      a.text,
      discordLink(series.guildId, a.threadId ?? a.channelId ?? series.channelId, a.platformId) ?? '',
      String(reactions),
      correctedBy ?? '',
      ...event,
      a.authorName !== null && firstTimers.has(a.authorName) ? 'yes' : 'no',
      findUrls(a.text).join(' '),
    ]);
  }
}

export function row(cells: string[]): string {
  return `${cells.map(cell).join(',')}\r\n`;
}

export function cell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
